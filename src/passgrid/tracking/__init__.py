"""Log a finished grid to MLflow: one run per sweep (its summary, report and
settings), one per cell (its curves), the cell's tagged with the sweep's run.

Only the workflow's single `track` job calls this, so one process writes to
the store (several writers can lock an SQLite store).
"""
import json
import time
from pathlib import Path

import pandas as pd

from passgrid.analysis.columns import CURVES, FALLBACKS, OUTCOMES, USAGE
from passgrid.analysis.costs import COST_UNITS
from passgrid.tracking.view import SWEEP_RUN_TAG, save_view, view_link

# What MLflow's UI (3.x) opens an experiment as: without it, an experiment of
# runs and no traces opens as a GenAI one, on its traces tab.
EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}
# MLflow caps a param value at 6000 characters; longer ones (prompt texts) are
# logged as artifacts only, in the cell's config.json.
MAX_PARAM_CHARS = 6000


def log_grid(summary: pd.DataFrame, cells: list, uri: str, experiment: str, sweep: str, artifacts=(),
             figures_dir=None, settings=None, provenance=None) -> dict:
    """cells: records with id, config, flat_config, varying and the paths
    per_problem, config_json and figure (passgrid.grid.jobs.CellRecord).
    `provenance`: cell id -> what drew its samples
    (passgrid.sampling.record.draw_provenance), as tags.
    `settings`: the grid-level sections (analysis, tracking), flattened, as
    the sweep run's params.
    The sweep's run gets the summary, `artifacts` (report, fits, references, crossings) and
    the report's figures; each cell's run its curves, usage and files.
    The sweep's view of them (passgrid.tracking.view) is saved in the experiment.
    Returns {"experiment_id", "parent_run_id": the sweep's run (the name
    tracking.json has always had), "cells": {cell_id: run_id}, "view": its
    id, "view_link": the UI's path to it}."""
    import mlflow

    mlflow.set_tracking_uri(uri)
    experiment_id = mlflow.set_experiment(experiment).experiment_id
    for key, value in EXPERIMENT_KIND.items():
        mlflow.MlflowClient().set_experiment_tag(experiment_id, key, value)
    run_ids = {}
    with mlflow.start_run(run_name=f"sweep:{sweep}") as parent:
        mlflow.set_tags({"passgrid.sweep": sweep, "passgrid.cells": str(len(cells))})
        if settings:
            mlflow.log_params(_params(settings))
        mlflow.log_text(summary.to_csv(index=False), "summary.csv")
        for path in artifacts:
            mlflow.log_artifact(str(path), "report")
        for png in sorted(Path(figures_dir).glob("*.png")) if figures_dir else ():
            mlflow.log_artifact(str(png), "report/figures")
    # Each cell a run of its own beside the sweep's, not nested under it: MLflow's
    # charts draw the runs its list shows, and a parent's children start folded.
    for cell in cells:
        with mlflow.start_run(run_name=cell.id, tags={SWEEP_RUN_TAG: parent.info.run_id, "passgrid.sweep": sweep}) as run:
            _log_cell(mlflow, summary[summary["cell"] == cell.id], cell, (provenance or {}).get(cell.id, {}))
            run_ids[cell.id] = run.info.run_id
    view = save_view(mlflow.MlflowClient(), experiment_id, parent.info.run_id, sweep,
                     [c for c in summary.columns if summary[c].notna().any()])
    return {"experiment_id": experiment_id, "parent_run_id": parent.info.run_id, "cells": run_ids,
            "view": view, "view_link": view_link(experiment_id, view)}


def _params(flat: dict) -> dict:
    return {k: ("" if v is None else v) for k, v in flat.items() if len(str(v)) <= MAX_PARAM_CHARS}


def _log_cell(mlflow, rows: pd.DataFrame, cell, engine: dict) -> None:
    mlflow.log_params(_params(cell.flat_config))
    mlflow.set_tags({"passgrid.cell": cell.id, **{f"passgrid.varying.{k}": v for k, v in cell.varying.items()}})
    from mlflow.entities import Metric

    now = int(time.time() * 1000)
    points = [Metric(metric, float(value), now, int(k)) for metric in CURVES if metric in rows  # step = k: a curve
              for k, value in zip(rows["k"], rows[metric]) if pd.notna(value)]
    run_id, client = mlflow.active_run().info.run_id, mlflow.MlflowClient()
    for i in range(0, len(points), 1000):  # one request per 1000 points: n = 1000 makes tens of thousands
        client.log_batch(run_id, metrics=points[i:i + 1000])
    last = rows.iloc[-1]  # k = n: the whole cell's usage and cost
    mlflow.log_metrics({"pass_at_1": float(rows.iloc[0]["pass_at_k"]),
                        f"pass_at_{int(rows['k'].max())}": float(last["pass_at_k"]),
                        **{column: float(last[column]) for column in USAGE if pd.notna(last[column])},
                        # the cell's whole cost under keys of its own: `flops` etc. are curves over k
                        **{f"total_{k}": float(last[k]) for k in COST_UNITS if pd.notna(last[k])},
                        # its samples by outcome (passgrid.analysis.failures)
                        **{c: float(last[c]) for c in OUTCOMES if c in rows},
                        # the problems where a strategy fell back (passgrid.analysis.strategies)
                        **{c: float(last[c]) for c in FALLBACKS if c in rows and pd.notna(last[c])}})
    mlflow.log_text(json.dumps(cell.plain_config, indent=2, sort_keys=True), "config.json")
    for path in (cell.per_problem, cell.config_json, cell.figure):  # the figure as the report drew it
        mlflow.log_artifact(str(path))
    if Path(cell.draw_meta).is_file():  # written by the sample job beside its samples
        mlflow.log_artifact(cell.draw_meta)
        mlflow.set_tags({f"passgrid.{k}": str(engine[k]) for k in ("engine", "version", "runs") if k in engine})
        if engine.get("differs"):  # a draw whose runs disagree (a newer engine for its growth) says so
            mlflow.set_tag("passgrid.runs_differ_in", ", ".join(engine["differs"]))
