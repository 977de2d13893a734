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


def claim_draw(draw_meta, draw: str, identity: dict) -> None:
    """Write the draw's identity, or check it: a draw directory holding
    another identity is refused, never topped up."""
    path = Path(draw_meta)
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        write_json(path, {"draw": draw, "identity": identity, "runs": []})  # shards write the same bytes
        return
    if record.get("identity") != identity:
        raise PassgridError(f"{path}: this draw directory holds samples of another config; "
                            f"move {path.parent} away to sample afresh")


def start_run(runs_dir, provenance: dict, budget: dict, shard: str) -> Path:
    """Record a run before it draws; returns its file, for finish_run."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = Path(runs_dir) / f"{stamp}-shard{shard.replace(' of ', 'of')}-{os.getpid()}.json"
    write_json(path, {"started": time.time(), "shard": shard, "provenance": provenance, "budget": budget,
                      "drawn": None, "host": socket.gethostname(),
                      # the devices a scheduler gave the job (SLURM sets it for a GPU allocation)
                      "visible_gpus": os.environ.get("CUDA_VISIBLE_DEVICES")})
    return path


def finish_run(path, drawn: int) -> None:
    write_json(path, {**json.loads(Path(path).read_text()), "drawn": drawn, "finished": time.time()})


def gather_runs(draw_meta, runs_dir) -> dict:
    """draw.json with every run of runs/, oldest first; returns the record."""
    path = Path(draw_meta)
    record = json.loads(path.read_text())
    # runs recorded in draw.json itself, by passgrid before runs/ existed
    earlier = [r for r in record.get("runs", []) if "started" not in r]
    runs = sorted((json.loads(p.read_text()) for p in Path(runs_dir).glob("*.json")), key=lambda r: r["started"])
    record["runs"] = earlier + runs
    write_json(path, record)
    return record
