"""What a config field changes: the vocabulary every field is declared in.

Samples cost a GPU-day at scale, so every field of the schema (and every
field a backend or dataset source declares) says which results a change to
it invalidates. The grid derives its ids from these declarations alone
(`passgrid.grid.ids`), so that an edit re-runs exactly what it can change:

- SAMPLES: the draw itself (dataset source, model weights and the engine
  settings that change tokens, prompt, temperature, top_p, max_tokens, seed);
  a change makes a new draw.
- BUDGET: how many problems and samples per problem (dataset.limit,
  sampling.n). Part of a cell, not of a draw: a draw grows to the largest
  budget asked of it, drawing only what is missing, and a cell takes each
  problem's first n samples of its first `limit` problems.
- VERDICTS: how samples are judged (tests, limits); a change re-executes,
  never re-samples.
- DERIVED: only what is computed from verdicts (prices, parameter counts,
  analysis, tracking) or how fast work runs (threads, workers, slots,
  concurrency, retries, caches); a change recomputes summaries and reports.
"""
from dataclasses import MISSING, field, fields, is_dataclass

SAMPLES, BUDGET, VERDICTS, DERIVED = "samples", "budget", "verdicts", "derived"
CLASSES = (SAMPLES, BUDGET, VERDICTS, DERIVED)


def setting(default=MISSING, changes: str = None, default_factory=MISSING, added: bool = False):
    """A dataclass field that declares what a change to it changes. `added`:
    a field added after results exist, left out of every id while it holds
    its default, so that the draws and cells made before it keep their names
    (and their samples: a draw is never made again for a field it never had)."""
    if changes not in CLASSES:
        raise ValueError(f"changes must be one of {CLASSES}, not {changes!r}")
    return field(default=default, default_factory=default_factory,
                 metadata={"changes": changes, "added": added})


def changes_of(f) -> str:
    """The class a dataclass field declares; a nested section declares none itself."""
    return f.metadata.get("changes")


def keep(schema, values: dict, classes) -> dict:
    """The part of `values` (a config section as a dict, shaped by the dataclass
    `schema`) whose fields are of `classes`; nested sections recursively, left
    out where nothing of them is kept."""
    kept = {}
    for f in fields(schema):
        if f.name not in values:
            continue
        if is_dataclass(f.default_factory if f.default_factory is not MISSING else None):
            inner = keep(f.default_factory, values[f.name], classes)
            if inner:
                kept[f.name] = inner
        elif changes_of(f) in classes and not (f.metadata.get("added") and values[f.name] == f.default):
            kept[f.name] = values[f.name]
    return kept


def changes_of_key(schema, dotted: str):
    """What the field at a dotted key of `schema` changes; None where the key
    is no field (a config group, such as `model`)."""
    head, _, rest = dotted.partition(".")
    for f in fields(schema):
        if f.name == head:
            if rest and is_dataclass(f.default_factory if f.default_factory is not MISSING else None):
                return changes_of_key(f.default_factory, rest)
            return None if rest else changes_of(f)
    return None
