"""The view of a sweep that passgrid saves in MLflow's UI: the sweep's cells
(its latest run's), and one chart of every cell's pass@k and search
strategies against k (log axis), compared.

MLflow's UI (3.17) keeps a named saved view as an experiment tag,
`mlflow.sharedViewState.<id>`, whose value is the envelope its "Views"
menu reads, {name, createdAt, state}, the state being the runs page's
serialized UI state ("deflate;" and base64 of its zlib-compressed JSON, as
the UI writes it). The view is listed in the experiment's "Views" menu and
opened by a link (`view_link`); the UI opens no saved view by itself.
"""
import base64
import hashlib
import json
import time
import zlib

from passgrid.analysis.columns import SELECTING

VIEW_TAG_PREFIX = "mlflow.sharedViewState."
SWEEP_RUN_TAG = "passgrid.sweep_run"  # on each cell's run: the run of the sweep it belongs to
# every strategy's curve beside the oracle's, one metric each (step = k)
CHART_METRICS = ("pass_at_k", *(f"{name}_at_k" for name in SELECTING))


def view_state(sweep_run_id: str, metrics: list) -> dict:
    """The runs page's UI state: the sweep's cells (the runs tagged with its
    run), the chart view's first section one line chart of `metrics` over k."""
    section = "passgrid"
    # runsCountToCompare: how many runs the chart draws (fewer would leave a large grid's later cells off it)
    chart = {"uuid": "passgrid-pass-at-k", "type": "LINE", "runsCountToCompare": 1000, "metricSectionId": section,
             "deleted": False, "isGenerated": False, "displayName": "pass@k and the search strategies, against k",
             "metricKey": metrics[0], "selectedMetricKeys": list(metrics), "lineSmoothness": 0,
             "xAxisScaleType": "log", "scaleType": "linear", "range": {}, "xAxisKey": "step",
             "selectedXAxisMetricKey": "", "yAxisKey": "metric", "yAxisExpressions": [], "ignoreOutliers": False,
             "useGlobalXaxisKey": False, "useGlobalLineSmoothing": False}
    return {"searchFilter": f"tags.`{SWEEP_RUN_TAG}` = '{sweep_run_id}'", "orderByKey": "attributes.start_time",
            "orderByAsc": True, "startTime": "ALL", "lifecycleFilter": "Active", "modelVersionFilter": "All Runs",
            "datasetsFilter": [], "runsHiddenMode": "SHOW_ALL",
            "compareRunCharts": [chart],
            "compareRunSections": [{"uuid": section, "name": "passgrid", "display": True, "isReordered": False,
                                    "deleted": False, "isGenerated": False}],
            "isAccordionReordered": True, "hideEmptyCharts": False, "viewMaximized": False, "runListHidden": False}


def envelope(name: str, state: dict, created_ms: int) -> str:
    """The tag value MLflow's "Views" menu reads."""
    packed = "deflate;" + base64.b64encode(zlib.compress(json.dumps(state).encode("utf-8"))).decode("ascii")
    return json.dumps({"name": name, "createdAt": created_ms, "state": packed})


def read_envelope(value: str) -> dict:
    """A saved view's (name, createdAt, state) back from its tag value."""
    found = json.loads(value)
    state = found["state"]
    found["state"] = json.loads(zlib.decompress(base64.b64decode(state.removeprefix("deflate;"))).decode("utf-8"))
    return found


def save_view(client, experiment_id: str, sweep_run_id: str, sweep: str, metrics: list) -> str:
    """Save the sweep's view in its experiment (one per sweep name, its
    latest run's cells); its id."""
    view_id = "passgrid-" + hashlib.sha256(sweep.encode("utf-8")).hexdigest()[:12]
    chosen = [m for m in CHART_METRICS if m in metrics]
    client.set_experiment_tag(experiment_id, VIEW_TAG_PREFIX + view_id,
                              envelope(f"passgrid {sweep}: pass@k and the strategies", view_state(sweep_run_id, chosen),
                                       int(time.time() * 1000)))
    return view_id


def view_link(experiment_id: str, view_id: str) -> str:
    """The UI's path (after the server's address) that opens the view, on its charts."""
    return f"#/experiments/{experiment_id}/runs?viewStateShareKey={view_id}&compareRunsMode=CHART"
