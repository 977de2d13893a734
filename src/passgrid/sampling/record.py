"""A draw's record: draw.json, its identity and every run that drew its
samples (engine, version, options, model hash; passgrid.sampling.backends).

Each run first writes a file of its own in the draw's runs/ folder, before it
draws (so a killed run is on record too): a draw's shards run at once, on a
cluster on different nodes, and one file per run means no job overwrites
another's. Joining the shards gathers those files into draw.json.
"""
import json
import os
import socket
import time
from pathlib import Path

from passgrid import PassgridError
from passgrid.files import write_json


def claim_draw(draw_meta, draw: str, identity: dict, files: dict = None) -> None:
    """Write the draw's identity and the hashes of the files its samples come
    from (config key -> sha256), or check them: a draw directory holding
    another identity, or drawn from another file under the same name, is
    refused, never topped up."""
    path = Path(draw_meta)
    try:
        record = read_record(path)
        before = json.dumps(record, sort_keys=True)
    except FileNotFoundError:
        record, before = {"draw": draw, "identity": identity, "runs": []}, None
    if record.get("identity") != identity:
        raise PassgridError(f"{path}: this draw directory holds samples of another config; "
                            f"move {path.parent} away to sample afresh")
    for key, sha256 in (files or {}).items():
        known = record.setdefault("files", {}).get(key)
        if known not in (None, sha256):
            raise PassgridError(f"{path}: the file of {key} changed since this draw began (sha256 {known[:12]}..., "
                                f"now {sha256[:12]}...): its samples came from the other one; restore it, or "
                                f"move {path.parent} away to sample afresh")
        record["files"][key] = sha256
    if json.dumps(record, sort_keys=True) != before:  # new, or its files' hashes recorded now
        write_json(path, record)  # the draw's shards write the same bytes


def read_record(path) -> dict:
    """A draw.json or a run's file; a damaged one is an error naming it."""
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as e:
        raise PassgridError(f"{path}: not valid JSON ({e.msg}); the draw's samples are in by_problem/, "
                            "its record can be rebuilt by moving this file away") from None


def run_name(shard: str) -> str:
    """A sampling run's name, unique across the nodes that draw a draw's shards:
    when, which shard, where (host and process); its samples record it."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return f"{stamp}-shard{shard.replace(' of ', 'of')}-{socket.gethostname()}-{os.getpid()}"


def start_run(runs_dir, name: str, provenance: dict, budget: dict, shard: str) -> Path:
    """Record a run before it draws; returns its file, for finish_run."""
    path = Path(runs_dir) / f"{name}.json"
    write_json(path, {"run": name, "started": time.time(), "shard": shard, "provenance": provenance, "budget": budget,
                      "drawn": None, "host": socket.gethostname(),
                      # the devices a scheduler gave the job (SLURM sets it for a GPU allocation)
                      "visible_gpus": os.environ.get("CUDA_VISIBLE_DEVICES")})
    return path


def finish_run(path, drawn: int) -> None:
    write_json(path, {**read_record(path), "drawn": drawn, "finished": time.time()})


def gather_runs(draw_meta, runs_dir) -> dict:
    """draw.json with every run of runs/, oldest first; returns the record."""
    path = Path(draw_meta)
    record = read_record(path)
    record["runs"] = sorted((read_record(p) for p in Path(runs_dir).glob("*.json")), key=lambda r: r["started"])
    write_json(path, record)
    return record


def draw_provenance(draw_meta) -> dict:
    """What drew a draw's latest samples (its draw.json holds every run), how
    many runs it took (a run per shard, and per resume or growth), and under
    `differs` the provenance keys on which its runs disagree (a draw grown
    under a newer engine); {} where it records none."""
    runs = read_record(draw_meta).get("runs", []) if Path(draw_meta).is_file() else []
    if not runs:
        return {}
    seen = [r["provenance"] for r in runs if "provenance" in r]
    differs = sorted({k for p in seen for k in p if any(json.dumps(q.get(k), sort_keys=True)
                                                         != json.dumps(p.get(k), sort_keys=True) for q in seen)})
    return {**seen[-1], "runs": len(runs), "differs": differs}
