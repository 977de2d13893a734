import shutil
from pathlib import Path

import pytest

from passgrid.dataset import load_problems

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"
TRACES = ROOT.parent / "shared" / "data" / "humaneval-results-traces.jsonl"


@pytest.fixture(scope="session")
def problems():
    """All 164 HumanEval problems, by task_id."""
    return {p["task_id"]: p for p in load_problems("package")}


@pytest.fixture
def conf_copy(tmp_path):
    """A writable copy of conf/, for tests that break a config file."""
    return Path(shutil.copytree(CONF, tmp_path / "conf"))
