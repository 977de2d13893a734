"""Identity is declared: every config field says what a change to it
changes, and an edit plans exactly the jobs it can change (`snakemake -n`
after a real run of a small slice, with llama.cpp and SmolLM2)."""
import json
import re
import subprocess
import sys
from dataclasses import fields, is_dataclass

import pytest

from passgrid import PassgridError
from passgrid.changes import CLASSES, changes_of
from passgrid.grid.schema import Config
from tests.conftest import ROOT

SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", "2"]
SLICE = "dataset.limit=2 sampling.n=2 sampling.max_tokens=32 sampling.temperature=0.8"


def leaf_fields(schema, prefix=""):
    for f in fields(schema):
        if is_dataclass(f.default_factory if callable(f.default_factory) else None):
            yield from leaf_fields(f.default_factory, f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", changes_of(f)


def test_every_cell_field_declares_what_it_changes():
    declared = dict(leaf_fields(Config))
    undeclared = [k for k, c in declared.items() if c not in CLASSES and not k.startswith("sweep.")]
    assert not undeclared
    # the plugins' own fields are in the schema, with their declarations
    assert declared["model.n_parallel"] == "derived" and declared["model.hf_id"] == "samples"
    assert declared["dataset.hub_id"] == "samples" and declared["dataset.limit"] == "budget"


@pytest.mark.system
def test_ids_follow_the_declarations():
    from passgrid.grid.ids import dataset_id, draw_id
    from tests.test_config import cells_of

    [base] = cells_of([], sweep="none", conf=ROOT / "conf")

    def one(*overrides):
        [cell] = cells_of(list(overrides), sweep="none", conf=ROOT / "conf")
        return cell

    for derived in ("model.price_per_gpu_hour=2.0", "model.params_b=1.0", "model.n_parallel=4", "model.n_ctx=4096",
                    "execution.workers=1", "execution.cache=null", "analysis.level=0.9", "tracking.experiment=x"):
        assert one(derived).id == base.id, derived
    # each backend's own DERIVED settings, on a model of that backend
    for model, derived in (("model=gpt-4o", "model.max_concurrency=2"), ("model=gpt-4o", "model.max_retries=1"),
                           ("model=llama-3.1-8b-instruct", "model.est_tokens_per_s=10"),
                           ("model=llama-3.1-8b-instruct", "model.gpu_memory_utilization=0.5")):
        assert one(model, derived).id == one(model).id, derived
    assert one("model=llama-3.1-8b-instruct", "model.tensor_parallel_size=2").draw != one("model=llama-3.1-8b-instruct").draw
    # another backend's settings are refused, not silently left out of this one's draw
    with pytest.raises(PassgridError, match="model.hf_id='some/model': a setting of backend vllm, not of llamacpp"):
        one("model.hf_id=some/model")
    for verdicts in ("execution.timeout_s=5", "execution.memory_mb=1024", "execution.probe_timeout_s=0.25",
                     "written.n=3", "written.temperature=0.2"):
        cell = one(verdicts)
        assert cell.id != base.id and draw_id(cell.config) == draw_id(base.config), verdicts
    for budget in ("sampling.n=16", "dataset.limit=64", "dataset.limit=10"):
        cell = one(budget)
        assert cell.id != base.id and draw_id(cell.config) == draw_id(base.config), budget
        assert dataset_id(cell.config.dataset) == dataset_id(base.config.dataset)
    for samples in ("sampling.temperature=0.3", "sampling.seed=1", "sampling.max_tokens=64", "prompt=completion"):
        cell = one(samples)
        assert draw_id(cell.config) != draw_id(base.config), samples


def planned(workdir, overrides) -> dict:
    dry = subprocess.run(SNAKEMAKE + ["--directory", str(workdir), "-n", "--config", "sweep=none",
                                      f"overrides={SLICE} {overrides}"], capture_output=True, text=True, check=True)
    return {rule: int(count) for rule, count in re.findall(r"^(\w+)\s+(\d+)$", dry.stdout, re.M)}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    from passgrid.datasets.problems import load_problems

    work = tmp_path_factory.mktemp("identity")
    # a "stronger" test set for the verdicts case: the same tests, another file
    (work / "stronger.jsonl").write_text("".join(json.dumps(p.to_json()) + "\n" for p in load_problems("package")))
    subprocess.run(SNAKEMAKE + ["--directory", str(work), "--config", "sweep=none", f"overrides={SLICE}"],
                   capture_output=True, text=True, check=True)
    return work


@pytest.mark.system
@pytest.mark.parametrize("override,expected", [
    ("", {}),
    # derived: summaries and reports only
    ("model.price_per_gpu_hour=2.0", {"summarize": 1, "report": 1, "track": 1, "cell_config": 1}),
    ("model.n_parallel=4", {"summarize": 1, "report": 1, "track": 1, "cell_config": 1}),
    ("execution.workers=1", {"summarize": 1, "report": 1, "track": 1, "cell_config": 1}),
    ("analysis.level=0.9", {"summarize": 1, "report": 1, "track": 1}),  # grid-level: no cell's config
    ("tracking.experiment=other", {"track": 1}),
    # budget: more problems; the dataset is not prepared again
    ("dataset.limit=3", {"sample": 1, "join_samples": 1, "execute": 1, "probe": 1, "score": 1, "cell_config": 1, "summarize": 1,
                         "report": 1, "track": 1}),
    # verdicts: a new cell, judged again from the same draw
    ("execution.timeout_s=4", {"execute": 1, "probe": 1, "score": 1, "cell_config": 1, "summarize": 1,
                               "report": 1, "track": 1}),
    ("dataset.strong_tests={work}/stronger.jsonl", {
        "prepare_strong_tests": 1, "execute": 1, "probe": 1, "score": 1, "execute_strong": 1, "score_strong": 1,
        "cell_config": 1, "summarize": 1, "report": 1, "track": 1}),
    # budget: the draw grows (the job draws only what is missing), the cell is new
    ("sampling.n=3", {"sample": 1, "join_samples": 1, "execute": 1, "probe": 1, "score": 1, "cell_config": 1, "summarize": 1,
                      "report": 1, "track": 1}),
    # derived, but the draw's jobs: two shards (drawing nothing, every
    # problem's file is complete) joined again, so the cell is judged again
    ("sampling.shards=2", {"sample": 2, "join_samples": 1, "execute": 1, "probe": 1, "score": 1, "cell_config": 1,
                           "summarize": 1, "report": 1, "track": 1}),
    # samples: a new draw
    ("sampling.top_p=0.9", {"sample": 1, "join_samples": 1, "execute": 1, "probe": 1, "score": 1, "cell_config": 1, "summarize": 1,
                            "report": 1, "track": 1}),
    # model-written tests: a draw of their own, the cell's programs judged on them; no program drawn again
    # (and its shown tests, in the same run per sample)
    ("written.n=2", {"sample": 1, "join_samples": 1, "execute": 1, "probe": 1, "score": 1, "cell_config": 1,
                     "summarize": 1, "report": 1, "track": 1}),
])
def test_an_edit_plans_exactly_the_jobs_it_can_change(ran, override, expected):
    counts = planned(ran, override.format(work=ran))
    counts.pop("all", None), counts.pop("total", None)
    assert counts == expected


@pytest.mark.system
def test_a_sweep_over_a_derived_field_alone_is_refused():
    from passgrid.grid.grid import Grid

    with pytest.raises(PassgridError, match="cells differ only in model.price_per_gpu_hour, which changes no sample"):
        Grid.expand(ROOT / "conf", ["model.price_per_gpu_hour=1,2"], sweep="none")
    # beside a field that does change results, it is no part of the cells' names
    cells = Grid.expand(ROOT / "conf", ["sampling.temperature=0.2,0.8", "model.params_b=0.135"], sweep="none").cells
    assert all(c.startswith("temperature=") for c in cells)


def samples_of(workdir) -> list:
    from passgrid.sampling.draw import TIMING_FIELDS

    [draw] = (workdir / "results" / "draws").iterdir()
    return [{k: v for k, v in json.loads(line).items() if k not in TIMING_FIELDS}
            for line in (draw / "samples.jsonl").read_text().splitlines()]


@pytest.mark.system
def test_a_sharded_draw_equals_the_unsharded_one_and_resharding_draws_nothing(ran, tmp_path):
    import shutil

    # from nothing: two shards, each its own llama.cpp, draw what one job drew
    sharded = tmp_path / "sharded"
    subprocess.run(SNAKEMAKE + ["--directory", str(sharded), "--config", "sweep=none",
                                f"overrides={SLICE} sampling.shards=2"], capture_output=True, text=True, check=True)
    assert samples_of(sharded) == samples_of(ran)
    [draw] = (sharded / "results" / "draws").iterdir()
    runs = json.loads((draw / "draw.json").read_text())["runs"]
    assert sorted(r["shard"] for r in runs) == ["1 of 2", "2 of 2"] and [r["drawn"] for r in runs] == [2, 2]
    # each shard drew its own problem, every other one of the draw's
    assert [json.loads((draw / "shards" / f"{i}-of-2.json").read_text())["task_ids"] for i in (1, 2)] == [
        ["HumanEval/0"], ["HumanEval/1"]]
    # a run drawn unsharded, resharded: the jobs run, and draw nothing
    resharded = tmp_path / "resharded"
    shutil.copytree(ran, resharded)
    subprocess.run(SNAKEMAKE + ["--directory", str(resharded), "--config", "sweep=none",
                                f"overrides={SLICE} sampling.shards=2"], capture_output=True, text=True, check=True)
    [draw] = (resharded / "results" / "draws").iterdir()
    assert len(json.loads((draw / "draw.json").read_text())["runs"]) == 1  # the first run's, no other
    assert samples_of(resharded) == samples_of(ran)


def test_a_setting_added_later_renames_no_draw_at_its_default():
    """vLLM's scheduling settings (enable_chunked_prefill,
    max_num_batched_tokens) came after draws existed: at their default the
    published model's draw keeps the id it had (pinned from the version
    before them), and set, they make a draw of their own."""
    from tests.test_config import cells_of

    [cell] = cells_of(["model=llama-3.1-8b-instruct"], sweep="none", conf=ROOT / "conf")
    assert (cell.draw, cell.id) == ("draw-f080bcb15124", "1539bc31e7")
    [split] = cells_of(["model=llama-3.1-8b-instruct", "model.enable_chunked_prefill=false"], sweep="none",
                       conf=ROOT / "conf")
    assert split.draw != cell.draw


def test_a_cells_written_tests_are_a_draw_of_their_own():
    """written.n asks the cell's model for tests: a draw whose id is its
    own (prompt.writes=tests, the written section's temperature and
    budget), leaving the programs' draw as it was; the cell's probe reads
    that draw's first written.n generations per problem."""
    from passgrid.grid.grid import Grid

    grid = Grid.expand(ROOT / "conf", ["dataset.limit=2", "written.n=3", "written.temperature=0.5"], "none")
    [cell] = grid.cells.values()
    plain = Grid.expand(ROOT / "conf", ["dataset.limit=2"], "none")
    assert cell.draw == next(iter(plain.cells.values())).draw and cell.tests_draw != cell.draw
    tests = grid.draws[cell.tests_draw].config
    assert (tests.prompt.writes, tests.sampling.n, tests.sampling.temperature) == ("tests", 3, 0.5)
    assert tests.prompt.instruction.startswith("Write five assert statements") and not tests.prompt.stop_at_answer
    assert grid.written_tests_of_cell(cell.id) == f"results/draws/{cell.tests_draw}/samples.jsonl"
    job = grid.execute_job(cell.id, probe=True)
    assert (job.written, job.written_n) == (grid.written_tests_of_cell(cell.id), 3)
    assert grid.execute_job(cell.id).written is None
    with pytest.raises(PassgridError, match="written.n=2: a samples file draws nothing"):
        Grid.expand(ROOT / "conf", ["model=codegen-16b-mono", "written.n=2"], "none")
