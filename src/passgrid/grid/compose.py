"""Compose cell configs with Hydra, validate them once, and expand sweeps.

A sweep is written in Hydra's own override grammar (`sampling.temperature=0.2,0.8`,
`dataset.limit=range(10,30,10)`, `model=a,b`) and expanded with Hydra's own
override parser into the cartesian product of its values, as Hydra's basic
sweeper does. Each point of the product is composed into one cell config.
"""
import itertools
import json
import os
import re
from dataclasses import replace
from pathlib import Path

from omegaconf import OmegaConf

from passgrid import PassgridError
from passgrid.grid.schema import PLUGIN_FIELDS, Config, SweepConfig, check_values, foreign_keys

CONFIG_NAME = "config"
SCHEMA_NAME = "passgrid_schema"
SWEEP_GROUP = "sweep"


def find_conf_dir(conf_dir=None) -> Path:
    """conf/ from the argument, $PASSGRID_CONF_DIR, or ./conf."""
    path = Path(conf_dir or os.environ.get("PASSGRID_CONF_DIR") or "conf").resolve()
    if not (path / f"{CONFIG_NAME}.yaml").is_file():
        raise PassgridError(f"{path}: no {CONFIG_NAME}.yaml here; run from the passgrid checkout or set PASSGRID_CONF_DIR")
    return path


def split_overrides(text: str) -> list:
    """Overrides as typed on a command line: whitespace-separated, quotes kept for Hydra."""
    return re.findall(r"""(?:[^\s'"]+|'[^']*'|"[^"]*")+""", text or "")


def register_schema() -> None:
    """Make the schema the first entry of conf/config.yaml's defaults list
    (`passgrid_schema`), so that Hydra composes over typed defaults: every
    schema key can be overridden, and a key no schema has is refused."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=SCHEMA_NAME, node=Config)


def compose(conf_dir: Path, overrides: list) -> Config:
    """One composed, validated config (the `sweep` group included)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    register_schema()
    try:
        with initialize_config_dir(config_dir=str(Path(conf_dir).resolve()), version_base=None):
            cfg = hydra_compose(config_name=CONFIG_NAME, overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as e:
        unknown = re.match(r"Could not override '([^']+)'", str(e))
        if unknown:  # Hydra suggests `+key=`, but the schema would refuse the key anyway
            key = unknown.group(1)
            culprit = next((o for o in overrides if o.lstrip("+~").startswith(key + "=")), key)
            raise PassgridError(f"unknown config key {key!r} (override {culprit!r})") from None
        raise PassgridError(f"bad override or config in {conf_dir}: {_one_line(e)}") from None
    return validate(OmegaConf.to_container(cfg, resolve=True), source=str(conf_dir))


def validate(config: dict, source: str = "config") -> Config:
    """Merge over the schema (unknown keys, another plugin's keys and wrong
    types fail), then check values: the schema's dataclasses, filled."""
    from omegaconf.errors import OmegaConfBaseException

    foreign = [p for section in PLUGIN_FIELDS for p in foreign_keys(section, config.get(section) or {})]
    if foreign:
        raise PassgridError(f"{source}: {foreign[0]}" + (f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""))

    try:
        typed = OmegaConf.merge(OmegaConf.structured(Config), config)
        filled = OmegaConf.to_object(typed)
    except OmegaConfBaseException as e:
        raise PassgridError(f"{source}: {_one_line(e)}") from None
    problems = check_values(typed)
    if problems:
        raise PassgridError(f"{source}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return filled


def expand_sweep(conf_dir, overrides=(), sweep: str = None) -> list:
    """The points of a sweep as (config, varying) pairs: a named sweep's params
    (conf/sweep/NAME.yaml), then the command-line overrides, which win over
    the sweep's for the same key; then the sweep's included cells: each its
    own keys over the grid's others (swept ones too, as a product), less
    those of a config group it replaces (varying: its own and swept keys)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    conf_dir = find_conf_dir(conf_dir)
    group = [f"{SWEEP_GROUP}={sweep}"] if sweep else []
    base = compose(conf_dir, group)
    sweep_overrides = [f"{key}={value}" for key, value in base.sweep.params.items()]

    parser = OverridesParser.create()
    choices = _choices(parser, sweep_overrides, list(overrides))
    points = []
    for combo in itertools.product(*choices.values()):
        config = replace(compose(conf_dir, group + list(combo)), sweep=SweepConfig())  # the grid's, not the cell's
        points.append((config, {k: v.split("=", 1)[1] for k, v in zip(choices, combo) if len(choices[k]) > 1}))
    for i, extra in enumerate(base.sweep.include):
        own = _included(i, extra, parser)
        # the grid's other keys, but for those the cell sets or whose config group it replaces
        # (a cell of its own model takes none of the grid's model.* keys)
        others = {key: values for key, values in choices.items() if key not in own
                  and not any("." not in mine and key.startswith(mine + ".") for mine in own)}
        for combo in itertools.product(*others.values()):
            try:
                config = compose(conf_dir, group + list(combo) + [f"{k}={v}" for k, v in own.items()])
            except PassgridError as e:
                raise PassgridError(f"sweep.include[{i}]: {e}") from None
            config = replace(config, sweep=SweepConfig())
            swept = {k: v.split("=", 1)[1] for k, v in zip(others, combo) if len(others[k]) > 1}
            points.append((config, {**own, **swept}))
    return points


def _choices(parser, sweep_overrides: list, overrides: list) -> dict:
    """key -> its values as "key=value" strings, from the sweep's overrides
    then the command line's (which win for the same key)."""
    from hydra.errors import HydraException

    try:
        parsed = parser.parse_overrides(sweep_overrides) + parser.parse_overrides(overrides)
    except HydraException as e:
        raise PassgridError(f"bad override: {_one_line(e)}") from None
    choices = {}
    for override in parsed:
        key = override.get_key_element()
        if key == SWEEP_GROUP:
            raise PassgridError("choose a named sweep with --sweep NAME (or --config sweep=NAME), not as an override")
        if override.is_sweep_override():
            if not override.is_discrete_sweep():
                raise PassgridError(f"override {key}: only discrete sweeps (lists, range, choice) make a grid")
            choices[key] = [f"{key}={v}" for v in override.sweep_string_iterator()]
        else:
            choices[key] = [f"{key}={override.get_value_element_as_str()}"]
    return choices


def _included(i: int, extra: dict, parser) -> dict:
    """An included cell's keys and values, as override strings (null for None)."""
    from hydra.errors import HydraException

    own = {}
    for key, value in extra.items():
        text = "null" if value is None else str(value)
        try:
            [parsed] = parser.parse_overrides([f"{key}={text}"])
        except HydraException as e:
            raise PassgridError(f"sweep.include[{i}].{key}: {_one_line(e)}") from None
        if parsed.is_sweep_override():
            raise PassgridError(f"sweep.include[{i}].{key}: one value per included cell, not a sweep")
        own[key] = parsed.get_value_element_as_str()
    return own


def flatten(config: dict, prefix: str = "") -> dict:
    """{'sampling': {'n': 8}} -> {'sampling.n': 8}; lists become JSON strings."""
    flat = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = json.dumps(value) if isinstance(value, list) else value
    return flat


def _one_line(e: Exception) -> str:
    """An exception and its cause (Hydra wraps OmegaConf's errors) on one line."""
    parts = [str(e)] + ([str(e.__cause__)] if e.__cause__ and str(e.__cause__) not in str(e) else [])
    text = " ".join(" ".join(parts).split())
    return text or type(e).__name__
