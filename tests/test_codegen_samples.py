"""CodeGen-Mono 16B's 100 programs per HumanEval problem, as CodeT released
them, shipped in the package by tools/convert_codet.py."""
import gzip
import importlib.util
import json

from passgrid.grid.compose import compose
from tests.conftest import CONF, ROOT

TRACES = ROOT / "src" / "passgrid" / "sampling" / "traces"
CODET_EXCERPT = ROOT / "tests" / "data" / "codet"  # CodeT's files cut to two problems


def converter():
    spec = importlib.util.spec_from_file_location("convert_codet", ROOT / "tools" / "convert_codet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(name: str) -> list:
    with gzip.open(TRACES / name, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_a_program_is_cut_where_codet_cuts_it():
    cut = converter().cut
    body = "    return sorted(x)\n"
    assert cut(body + "\n\ndef helper():\n    pass\n") == body + "\n"
    assert cut(body + "\nif __name__ == '__main__':\n    print(1)\n") == body
    assert cut(body + "\n# a test\nprint(f(1))\n") == body
    assert cut("    x = 1\n    # a comment inside the body stays\n    return x\n").count("\n") == 3


def test_the_shipped_programs_are_the_converters_100_per_problem():
    programs, cut = rows("codegen16b-humaneval.jsonl.gz"), converter().cut
    assert len(programs) == 16400
    assert [(r["task_id"], r["run"]) for r in programs] == [(f"HumanEval/{i}", j) for i in range(164) for j in range(100)]
    assert all(r["completion"] == cut(r["raw"]) and r["model"] == "codegen-16b-mono" for r in programs)
    tests = rows("codegen16b-humaneval-tests.jsonl.gz")
    assert [t["task_id"] for t in tests] == [f"HumanEval/{i}" for i in range(164)]
    assert all(len(t["samples"]) == 100 for t in tests)
    model = compose(CONF, ["model=codegen-16b-mono", "sampling.n=100", "sampling.temperature=0.8"]).model
    assert model.backend == "samples_file" and model.samples_model == "codegen-16b-mono"


def test_the_converter_gives_the_shipped_rows_from_codets_release():
    """On an excerpt of CodeT's own files (two problems, tests/data/codet),
    the converter writes exactly the shipped rows of those problems."""
    programs, tests = converter().convert(CODET_EXCERPT)
    shipped = {name: [r for r in rows(name) if r["task_id"] in ("HumanEval/0", "HumanEval/38")]
               for name in ("codegen16b-humaneval.jsonl.gz", "codegen16b-humaneval-tests.jsonl.gz")}
    assert len(programs) == 200 and programs == shipped["codegen16b-humaneval.jsonl.gz"]
    assert len(tests) == 2 and tests == shipped["codegen16b-humaneval-tests.jsonl.gz"]
