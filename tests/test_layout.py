"""The package's folders show the DAG, and each layer imports only the layers
below it (read from the source, so a back-edge fails here before it bites)."""
import ast
from pathlib import Path

from passgrid.verdicts import Outcome

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "passgrid"

# layer -> the layers it may import (besides itself and the base).
BASE = {"passgrid", "passgrid.files", "passgrid.changes", "passgrid.plugins", "passgrid.kinds", "passgrid.problem",
        "passgrid.sample", "passgrid.literal",
        "passgrid.verdicts"}
ALLOWED = {
    "datasets": set(),
    "sampling": set(),
    "execution": set(),
    "analysis": set(),  # reads verdicts as data: never execution, never sampling
    "report": {"analysis"},
    "tracking": {"analysis"},
    # the grid assembles the schema from the plugins' declarations
    "grid": {"datasets", "sampling", "execution"},
    # the one evaluation pipeline: problems made ready, samples judged, verdicts scored
    "evaluation": {"datasets", "sampling", "execution", "analysis"},
    "steps": {"datasets", "sampling", "execution", "analysis", "evaluation", "report", "tracking"},
    "cli": {"datasets", "sampling", "execution", "analysis", "evaluation", "grid", "steps"},
}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "passgrid"


def imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("passgrid"):
            yield node.module if node.module != "passgrid" else None
            for alias in node.names if node.module == "passgrid" else ():
                if alias.name != "PassgridError":
                    yield f"passgrid.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("passgrid"))


def test_each_layer_imports_only_downward():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(("passgrid",) + path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        own = layer(module)
        for target in filter(None, imports(path)):
            if target in BASE or any(target.startswith(b + ".") for b in BASE - {"passgrid"}):
                continue
            if layer(target) != own and layer(target) not in ALLOWED.get(own, set()):
                wrong.append(f"{module} imports {target}")
    assert not wrong


def test_the_phases_have_folders_of_their_own():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == {
        "grid", "datasets", "sampling", "execution", "analysis", "report", "tracking"}


def test_no_backend_is_special_cased_outside_its_own_module():
    backends = PACKAGE / "sampling" / "backends"
    for path in PACKAGE.rglob("*.py"):
        if path.parent == backends:
            continue
        text = path.read_text()
        for name in ("llamacpp", "vllm", "openai"):
            assert f'backend"] == "{name}"' not in text and f"backend == \"{name}\"" not in text, path


def test_the_execution_layer_is_handed_what_to_hide():
    """It does not guess where a workflow keeps its results."""
    for path in (PACKAGE / "execution").rglob("*.py"):
        text = path.read_text()
        assert "getcwd()" not in text and '"results"' not in text, path


def test_provenance_is_read_and_written_by_the_record_module_only():
    """No function elsewhere that handles a draw's record opens it itself."""
    record = PACKAGE / "sampling" / "record.py"
    opened = []
    for path in set(PACKAGE.rglob("*.py")) - {record}:
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef):
                body = "\n".join(lines[node.lineno - 1:node.end_lineno])
                if "draw_meta" in body and any(call in body for call in ("json.load", "read_text", "open(")):
                    opened.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert not opened


def test_no_function_is_over_fifty_lines():
    long = [f"{path.relative_to(PACKAGE)}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path in PACKAGE.rglob("*.py") for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 50]
    assert not long


def test_a_verdict_is_spelled_only_in_its_record_module():
    """Outcomes are compared, returned and recorded as passgrid.verdicts.Outcome,
    never as strings."""
    outcomes, spelled = {o.value for o in Outcome}, []
    for path in set(PACKAGE.rglob("*.py")) - {PACKAGE / "verdicts.py"}:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and "verdict" in ast.unparse(node):
                found = _constants([node.left, *node.comparators])
            elif isinstance(node, ast.Dict):  # {"verdict": "passed", ...}
                found = _constants([v for k, v in zip(node.keys, node.values)
                                    if isinstance(k, ast.Constant) and k.value == "verdict"])
            elif isinstance(node, ast.Return) and node.value is not None:  # return "failed", detail
                found = _constants([t.elts[0] for t in ast.walk(node.value) if isinstance(t, ast.Tuple) and t.elts])
            else:
                continue
            if found & outcomes:
                spelled.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {ast.unparse(node)[:80]}")
    assert not spelled


# Fields of the records that cross a phase boundary (passgrid.problem, passgrid.sample,
# passgrid.verdicts), which only their own modules and the readers of foreign
# files (the datasets' rows, a samples file's rows) look up by key.
RECORD_KEYS = {"entry_point", "canonical_solution", "plus_test", "completion", "sample_index", "verdict", "behaviour"}
KEYED_HERE = {"problem.py", "sample.py", "verdicts.py", "datasets", "backends", "execution"}


def test_records_are_read_by_attribute_not_by_key():
    """Outside their modules, a problem, a sample and a verdict are records,
    not dicts (the execution layer's judges answer in dicts on the wire)."""
    keyed = []
    for path in PACKAGE.rglob("*.py"):
        if KEYED_HERE & {path.name, path.parent.name}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in RECORD_KEYS:
                keyed.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {ast.unparse(node)}")
    assert not keyed


def _constants(nodes) -> set:
    """The string constants among nodes, and within their tuples, lists and ifs."""
    found = set()
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                found.add(inner.value)
    return found


def test_the_benches_and_scripts_import_what_exists():
    """What bench/ and scripts/ take from passgrid is there (they run only by hand or in a job)."""
    import importlib

    missing = []
    for path in [*(PACKAGE.parents[1] / "bench").glob("*.py"), *(PACKAGE.parents[1] / "scripts").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("passgrid"):
                module = importlib.import_module(node.module)
                missing += [f"{path.name}: {node.module}.{a.name}" for a in node.names
                            if not hasattr(module, a.name) and not _is_module(f"{node.module}.{a.name}")]
    assert not missing


def _is_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
