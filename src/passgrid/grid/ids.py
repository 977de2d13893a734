"""The grid's ids, derived in one place from what each config field declares
it changes (passgrid.changes):

- a dataset's id: its SAMPLES fields (the source; not its limit, a budget);
- a draw's id: every SAMPLES field of the cell (dataset, model, prompt,
  sampling); the budget (n, limit) is not part of it, so cells that differ
  only in budget share one draw, which grows to the largest;
- a cell's id: its SAMPLES, BUDGET and VERDICTS fields, behind a readable
  label of what varies in the grid.

DERIVED fields are in no id: a price, a thread count or the analysis never
renames, re-samples or re-executes anything. The hashes are longer than
those of passgrid's first layout, so no results directory of that layout is
ever taken for one of these.
"""
import hashlib
import json
from dataclasses import asdict

from passgrid.changes import BUDGET, DERIVED, SAMPLES, VERDICTS, changes_of_key, keep
from passgrid.grid.schema import PLUGIN_FIELDS, Config, DatasetConfig, chosen_fields


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _kept(config: Config, classes) -> dict:
    """The fields of `classes`, as plain values, each plugin section holding
    only the chosen plugin's fields (so a field added to another backend
    renames nothing)."""
    plain = {k: chosen_fields(k, v) if k in PLUGIN_FIELDS else v for k, v in asdict(config).items()}
    return keep(Config, plain, classes)


def dataset_identity(dataset: DatasetConfig) -> dict:
    """What a dataset's problems depend on: its SAMPLES fields (its source and
    the chosen source's settings), not its limit or stronger tests."""
    return keep(DatasetConfig, chosen_fields("dataset", asdict(dataset)), {SAMPLES})


def dataset_id(dataset: DatasetConfig) -> str:
    """Where a dataset's normalized problems file lives: its name and a hash
    of its identity."""
    return f"{dataset.name}-{digest(dataset_identity(dataset))[:10]}"


def draw_identity(config: Config) -> dict:
    """What a draw's samples depend on: the cell's SAMPLES fields."""
    return _kept(config, {SAMPLES})


def draw_id(config: Config) -> str:
    return "draw-" + digest(draw_identity(config))[:12]


def cell_id(config: Config, varying: dict) -> str:
    """Readable and stable: the varying keys' last parts and values (but for
    DERIVED keys, which name no result), then a short hash of what the cell's
    results depend on, e.g. `temperature=0.2-3f2a9c1e07`."""
    label = "_".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in varying.items()
                     if changes_of_key(Config, k) != DERIVED)
    label = "".join(ch if ch.isalnum() or ch in "=.-_+" else "-" for ch in label)
    short = digest(_kept(config, {SAMPLES, BUDGET, VERDICTS}))[:10]
    return f"{label}-{short}" if label else short


def strong_id(strong_tests: str) -> str:
    return hashlib.sha256(strong_tests.encode()).hexdigest()[:8]
