import subprocess
import sys
from dataclasses import asdict

import pytest

from passgrid import PassgridError
from passgrid.grid.compose import compose, flatten, split_overrides
from passgrid.grid.grid import Grid
from passgrid.grid.schema import SweepConfig
from tests.conftest import CONF


def cells_of(overrides=(), sweep: str = None, conf=CONF) -> list:
    """The cells of a sweep, in order."""
    return list(Grid.expand(conf, overrides, sweep).cells.values())


def test_the_schemas_missing_is_omegaconfs():
    """Spelled in the schema, so that it imports without OmegaConf."""
    import omegaconf

    from passgrid.grid import schema

    assert schema.MISSING == omegaconf.MISSING


def test_a_cells_config_is_the_schemas_dataclasses():
    """Composed, a config is the schema's dataclasses, filled: what the jobs
    carry and the steps and backends read by attribute."""
    from passgrid.grid.grid import Grid
    from passgrid.grid.schema import CellConfig, Config, ExecutionConfig, ModelConfig, PromptConfig, SamplingConfig

    cfg = compose(CONF, ["model=gpt-4o"])
    assert type(cfg) is Config and type(cfg.model) is ModelConfig and cfg.model.backend == "openai"
    grid = Grid.expand(CONF, ["model=gpt-4o"], "none")
    [cell] = grid.cells
    job, execute, record = grid.sample_job(grid.cells[cell].draw), grid.execute_job(cell), grid.record(cell)
    assert (type(job.model), type(job.prompt), type(job.sampling)) == (ModelConfig, PromptConfig, SamplingConfig)
    assert type(execute.execution) is ExecutionConfig and type(record.config) is CellConfig
    assert record.plain_config["model"]["name"] == cfg.model.name


def test_defaults_compose_into_a_valid_config():
    cfg = compose(CONF, [])
    assert cfg.model.backend == "llamacpp"
    assert cfg.prompt.style == "chat"
    assert set(asdict(cfg.sampling)) == {"n", "temperature", "top_p", "max_tokens", "seed", "shards"}
    assert cfg.tracking.uri == "sqlite:///mlflow.db"


@pytest.mark.system
def test_default_sweep_has_two_temperatures_three_measured_references_and_a_many_sample_model():
    cells = cells_of()
    sampled = [c for c in cells if c.config.model.backend == "llamacpp"]
    assert sorted(c.config.sampling.temperature for c in sampled) == [0.2, 0.8]
    assert all(c.config.sampling.n >= 8 and c.config.dataset.limit >= 12 for c in sampled)
    assert all(c.config.sweep == SweepConfig() for c in cells)  # the sweep is the grid's, not a cell's
    # the included cells: each its own n and temperature, on every problem (the grid's limit is the sampled cells')
    references = [c for c in cells if c.config.model.reference]
    assert [c.config.model.name for c in references] == ["GPT-4", "GPT-3.5-turbo", "CodeLlama-34B-Instruct"]
    assert all(c.config.sampling.n == 10 and c.config.sampling.temperature == 0.2 and c.config.dataset.limit is None
               for c in references)
    assert references[0].varying == {"model": "gpt-4-traces", "sampling.n": "10", "sampling.temperature": "0.2",
                                     "dataset.limit": "null"}
    [many] = [c for c in cells if c.config.sampling.n == 100]
    assert many.config.model.name == "CodeGen-16B-mono" and many.config.model.written_tests  # CodeT's ranking too
    assert many.config.dataset.limit is None


def test_an_included_cell_takes_one_value_per_key(tmp_path):
    import shutil

    from passgrid import PassgridError
    from passgrid.grid.compose import expand_sweep

    conf = shutil.copytree(CONF, tmp_path / "conf")
    (conf / "sweep" / "bad_include.yaml").write_text("params: {}\ninclude:\n  - {sampling.n: '1,2'}\n")
    with pytest.raises(PassgridError, match=r"sweep.include\[0\].sampling.n: one value per included cell"):
        expand_sweep(conf, [], "bad_include")


@pytest.mark.system
def test_sweep_grammar_expands_to_the_cartesian_product():
    cells = cells_of(["sampling.temperature=0.1,0.5,0.9", "sampling.n=range(2,6,2)", "dataset.limit=5"],
                        sweep="none")
    assert len(cells) == 6
    assert {(c.config.sampling.temperature, c.config.sampling.n) for c in cells} == {
        (t, n) for t in (0.1, 0.5, 0.9) for n in (2, 4)}
    assert all(c.config.dataset.limit == 5 for c in cells)
    assert set(cells[0].varying) == {"sampling.temperature", "sampling.n"}


def test_config_group_choices_sweep_too():
    cells = cells_of(["prompt=chat,completion"], sweep="none")
    assert sorted(c.config.prompt.style for c in cells) == ["chat", "completion"]


@pytest.mark.system
def test_command_line_wins_over_named_sweep():
    cells = cells_of(["sampling.temperature=0.5", "dataset.limit=3"], sweep="default")
    sampled = [c for c in cells if c.config.model.backend == "llamacpp"]
    assert [c.config.sampling.temperature for c in sampled] == [0.5]  # the included cells keep their own
    assert [c.config.dataset.limit for c in sampled] == [3]
    # the included cells keep theirs: the default grid's judge all 164 problems
    assert all(c.config.dataset.limit is None for c in cells if c not in sampled)


@pytest.mark.system
def test_cell_ids_are_readable_stable_and_distinct():
    a = cells_of(["sampling.temperature=0.2,0.8"], sweep="none")
    b = cells_of(["sampling.temperature=0.2,0.8"], sweep="none")
    assert [c.id for c in a] == [c.id for c in b]
    assert a[0].id.startswith("temperature=0.2-") and a[1].id.startswith("temperature=0.8-")
    c = cells_of(["sampling.temperature=0.2", "sampling.seed=1"], sweep="none")
    assert c[0].id not in {x.id for x in a}  # any config change is a new cell


@pytest.mark.parametrize("overrides,message", [
    (["sampling.temprature=0.3"], "unknown config key 'sampling.temprature' (override 'sampling.temprature=0.3')"),
    (["sampling.temperature=-1"], "sampling.temperature=-1.0: must be >= 0"),
    (["sampling.top_p=1.5"], "sampling.top_p=1.5: must be in (0, 1]"),
    (["sampling.n=many"], "sampling.n"),
    (["model=no-such-model"], "Could not find 'model/no-such-model'"),
    (["sampling.temperature=[0.2"], "bad override"),
    (["analysis.level=95"], "analysis.level=95.0: must be in (0, 1)"),
    (["model.path=/no/such/model.gguf"], "model.path='/no/such/model.gguf': no file at /no/such/model.gguf"),
    (["dataset=jsonl", "dataset.path=/no/such.jsonl"], "dataset.path='/no/such.jsonl': no such file"),
    (["dataset.strong_tests=/no/plus.jsonl"], "dataset.strong_tests='/no/plus.jsonl': no such file"),
    (["analysis.references.0.pass_at_1=90.2"], "analysis.references[0].pass_at_1=90.2: a fraction in (0, 1]"),
    (["prompt.style=completion"], "prompt.stop_at_answer=True: only with prompt.style=chat"),
])
@pytest.mark.system
def test_bad_overrides_give_one_line_errors_naming_them(overrides, message):
    with pytest.raises(PassgridError) as err:
        cells_of(overrides, sweep="none")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_key_in_a_config_file_is_named(conf_copy):
    (conf_copy / "sampling" / "default.yaml").write_text("n: 8\ntemperature: 0.8\ntop_p: 0.95\n"
                                                        "max_tokens: 64\nseed: 0\nbeam_width: 4\n")
    with pytest.raises(PassgridError, match="beam_width") as err:
        cells_of(conf=conf_copy)
    assert "\n" not in str(err.value)


@pytest.mark.system
def test_cli_grid_prints_one_cell_per_line_and_errors_in_one_line():
    run = [sys.executable, "-m", "passgrid.cli", "grid", "--conf", str(CONF)]
    out = subprocess.run(run + ["--sweep", "smoke", "sampling.n=2,3"], capture_output=True, text=True, check=True)
    assert len(out.stdout.strip().splitlines()) == 5  # 2 temperatures x 2 budgets, and the included reference
    bad = subprocess.run(run + ["sampling.nn=3"], capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == ["passgrid: unknown config key 'sampling.nn' (override 'sampling.nn=3')"]


def test_split_and_flatten():
    assert split_overrides("a=1,2  b='x y'") == ["a=1,2", "b='x y'"]
    assert flatten({"a": {"b": 1, "c": [1, 2]}, "d": None}) == {"a.b": 1, "a.c": "[1, 2]", "d": None}


@pytest.mark.system
def test_named_sweep_of_the_published_setup():
    cells = cells_of(sweep="llama31_vs_gpt4o")
    assert len(cells) == 6
    assert {c.config.model.name for c in cells} == {"Llama-3.1-8B-Instruct", "Llama-3.1-70B-Instruct"}
    assert {c.config.sampling.n for c in cells} == {1000}
    assert all(c.config.sampling.top_p == 0.9 and c.config.sampling.max_tokens == 1024 for c in cells)
    assert all(c.config.dataset.limit is None and c.config.model.backend == "vllm" for c in cells)


def test_plan_counts_shared_draws_once():
    from passgrid.grid.preview import plan

    rows = plan(Grid.expand(CONF, ["model=llama-3.1-8b-instruct", "sampling.n=10,100", "sampling.max_tokens=100"],
                            sweep="none"))
    [row] = rows
    assert row["samples"] == 164 * 100 and row["executions"] == 164 * 110
    assert row["gpu_hours"] == pytest.approx(164 * 100 * 100 / 4000 / 3600)


@pytest.mark.system
def test_analysis_and_stronger_tests_rerun_no_sampling(tmp_path):
    """The analysis is grid-level (no cell changes with it); a stronger test
    set changes the cells (they judge more) but not their draws."""
    from passgrid.grid.ids import draw_id

    [base] = cells_of([], sweep="none")
    [other_level] = cells_of(["analysis.level=0.9"], sweep="none")
    assert other_level.id == base.id
    (tmp_path / "plus.jsonl").write_text("")
    [strong] = cells_of([f"dataset.strong_tests={tmp_path / 'plus.jsonl'}"], sweep="none")
    assert strong.id != base.id and draw_id(strong.config) == draw_id(base.config)


def test_a_stronger_test_set_must_cover_every_problem(tmp_path):
    import json

    from passgrid.datasets.problems import load_problems, write_problems
    from passgrid.steps import prepare_strong_tests

    problems = load_problems("package", limit=3)
    write_problems(problems, tmp_path / "p.jsonl", tmp_path / "m.json", "package")
    (tmp_path / "plus.jsonl").write_text("".join(json.dumps(p.to_json()) + "\n" for p in problems[:2]))
    with pytest.raises(PassgridError, match=r"plus.jsonl has no tests for 1 of the 3 problem\(s\), e.g. HumanEval/2"):
        prepare_strong_tests(str(tmp_path / "plus.jsonl"), tmp_path / "p.jsonl", tmp_path / "s.jsonl",
                             tmp_path / "sm.json")


@pytest.mark.system
def test_an_included_cell_follows_the_grid_but_for_what_it_replaces():
    # swept keys it does not set sweep it too: the references are judged under each time limit the grid has
    cells = cells_of(["execution.timeout_s=3,4"], sweep="default")
    references = [c for c in cells if c.config.model.reference]
    assert sorted(c.config.execution.timeout_s for c in references) == [3, 3, 3, 4, 4, 4]
    assert {c.varying["execution.timeout_s"] for c in references} == {"3", "4"}
    # a model.* key of the grid is the grid's model's, not the included cell's own model
    cells = cells_of(["model.name=MINE"], sweep="default")
    assert sorted({c.config.model.name for c in cells}) == ["CodeGen-16B-mono", "CodeLlama-34B-Instruct",
                                                           "GPT-3.5-turbo", "GPT-4", "MINE"]


def test_a_datasets_sandbox_paths_join_the_executions_and_rerun_no_sampling(tmp_path):
    """What a dataset declares its programs read is bound into the sandbox
    beside execution.sandbox_paths: its cells re-judge, its draws stay."""
    from passgrid.grid.grid import Grid
    from passgrid.grid.ids import draw_id

    base = Grid.expand(CONF, [], "none")
    grid = Grid.expand(CONF, [f"dataset.sandbox_paths=[{tmp_path / 'data'}]",
                              f"execution.sandbox_paths=[{tmp_path / 'more'}]"], "none")
    [(cell_id, cell)], [(base_id, base_cell)] = grid.cells.items(), base.cells.items()
    assert grid.execute_job(cell_id).execution.sandbox_paths == [str(tmp_path / "more"), str(tmp_path / "data")]
    assert grid.execute_job(cell_id).reruns_on != base.execute_job(base_id).reruns_on
    assert draw_id(cell.config) == draw_id(base_cell.config)


def test_a_key_of_another_backend_is_an_error_naming_both():
    """model.n_parallel is llama.cpp's: an OpenAI model would ignore it."""
    with pytest.raises(PassgridError, match=r"model.n_parallel=4: a setting of backend llamacpp, not of openai"):
        compose(CONF, ["model=gpt-4o", "model.n_parallel=4"])
    with pytest.raises(PassgridError, match=r"model.max_n_per_request=3: a setting of backend openai, not of llamacpp"):
        compose(CONF, ["model.max_n_per_request=3"])
    assert compose(CONF, ["model=gpt-4o", "model.max_n_per_request=3"]).model.max_n_per_request == 3
