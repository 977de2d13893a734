"""The cluster path on a real SLURM: Debian's slurmctld, slurmd and munge,
started here as a one-node cluster with two (fake) GPUs, run a slice of the
grid through profiles/slurm, its draw in two shards, a GPU each; the results
must equal a local unsharded run's."""
import json
import os
import pathlib
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml

from passgrid.files import read_table
from passgrid.sampling.draw import TIMING_FIELDS
from tests.conftest import ROOT

pytestmark = pytest.mark.system  # a real SLURM cluster

SLICE = "dataset.limit=2 sampling.n=2 sampling.max_tokens=48 sampling.temperature=0.8"
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile")]

SLURM_CONF = """\
ClusterName=passgrid-test
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
AuthType=auth/munge
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
SlurmctldDebug=verbose
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
MailProg=/bin/true
DebugFlags=NO_CONF_HASH
SlurmctldParameters=enable_configless
MinJobAge=600
DefMemPerCPU=1000
EnforcePartLimits=ALL
ReturnToService=2
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=8000 Gres=gpu:2 State=UNKNOWN
PartitionName=main Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    for binary in ("slurmctld", "slurmd", "sbatch", "squeue", "munged"):
        assert shutil.which(binary), f"{binary} not found: `make test` installs Debian's slurm and munge"
    d = tmp_path_factory.mktemp("slurm")
    host = socket.gethostname().split(".")[0]
    (d / "state").mkdir()
    (d / "spool").mkdir()
    # character devices: SLURM hands them out as GPUs
    (d / "gpu0").symlink_to("/dev/null")
    (d / "gpu1").symlink_to("/dev/zero")
    (d / "slurm.conf").write_text(SLURM_CONF.format(host=host, d=d, cpus=os.cpu_count()))
    (d / "gres.conf").write_text(f"AutoDetect=off\nName=gpu File={d / 'gpu'}[0-1]\n")
    env = {**os.environ, "SLURM_CONF": str(d / "slurm.conf")}
    munge = pwd.getpwnam("munge")
    os.makedirs("/run/munge", exist_ok=True)
    os.chown("/run/munge", munge.pw_uid, munge.pw_gid)
    if subprocess.run(["pgrep", "-x", "munged"], capture_output=True).returncode != 0:
        subprocess.run(["runuser", "-u", "munge", "--", "munged"], check=True)
    daemons = [subprocess.Popen(["slurmctld", "-D", "-i"], env=env, stderr=subprocess.DEVNULL),
               # configless: slurmd fetches the config and caches it in /run/slurm/conf, where
               # commands inside jobs find it (Snakemake's job step drops SLURM_CONF)
               subprocess.Popen(["slurmd", "-D", "-N", host, "--conf-server", "127.0.0.1:16817"],
                                env={k: v for k, v in env.items() if k != "SLURM_CONF"}, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(120):
            state = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True, text=True).stdout
            if state.strip() == "idle":
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the test cluster did not come up: sinfo says {state!r}; see {d}/slurmctld.log")
        yield env, d
    finally:
        for daemon in daemons:
            daemon.terminate()
            daemon.wait(timeout=30)
        # slurmd leaves its config cache linked from /run/slurm/conf; left
        # there, every later `scontrol` (which Snakemake's SLURM plugin runs
        # at each start) waits 10 s for this stopped controller
        cache = pathlib.Path("/run/slurm/conf")
        if cache.is_symlink() and str(d) in os.readlink(cache):
            cache.unlink()


def slurm_profile(tmp_path):
    """profiles/slurm as a user of this one-node cluster would set it: its
    partition, no accounting, nodes of a few cores, and a GPU for sampling."""
    profile = yaml.safe_load((ROOT / "profiles" / "slurm" / "profile.yaml").read_text())
    profile["default-resources"]["slurm_partition"] = "main"
    del profile["default-resources"]["slurm_account"]
    profile["default-resources"]["mem_mb_per_cpu"] = 1000
    profile["slurm-no-account"] = True
    profile["set-threads"] = {rule: 1 for rule in profile["set-threads"]}
    profile["set-resources"]["sample"].update({"mem_mb_per_cpu": 1000, "gpu": 1})
    # no accounting database here: job states from squeue (MinJobAge 600 s > 3 x 2 s)
    profile["slurm-status-command"] = "squeue"
    profile["slurm-init-seconds-before-status-checks"] = 2
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "config.yaml").write_text(yaml.safe_dump(profile))
    return folder


def test_a_grid_slice_runs_under_slurm_and_matches_a_local_run(slurm, tmp_path):
    env, cluster = slurm
    local, remote = tmp_path / "local", tmp_path / "slurm"
    run = subprocess.run(SNAKEMAKE + ["--cores", "2", "--directory", str(local), "--config", "sweep=none",
                                      f"overrides={SLICE}"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    run = subprocess.run(SNAKEMAKE + ["--profile", str(slurm_profile(tmp_path)), "--directory", str(remote),
                                      "--config", "sweep=none", f"overrides={SLICE} sampling.shards=2"],
                         capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]

    # the jobs ran under SLURM: the controller allocated them, each sampling job (a shard) a GPU
    log = (cluster / "slurmctld.log").read_text()
    # a job is started by the main scheduler or by backfill, whichever comes first
    started = set(re.findall(r"(?:sched: Allocate|_start_job: Started) JobId=(\d+)", log))
    assert len(started) >= 5, log[-3000:]  # two shards, execute, probe, score (the join is local)
    jobs = subprocess.run(["scontrol", "show", "job", "-o"], env=env, capture_output=True, text=True).stdout
    sampling = [job for job in jobs.splitlines() if "/slurm_logs/rule_sample/" in job]  # the plugin's log path
    assert len(sampling) == 2, jobs[-3000:]
    assert all("JobState=COMPLETED" in job and "TresPerJob=gres:gpu:1" in job for job in sampling), sampling
    others = [job for job in jobs.splitlines() if "/slurm_logs/rule_sample/" not in job]
    assert others and not any("gpu" in job.split("TresPerJob=")[-1] for job in others if "TresPerJob=" in job)

    # and they produced what a local run produces
    def samples(root):
        [draw] = (root / "results" / "draws").iterdir()
        return [{k: v for k, v in json.loads(line).items() if k not in TIMING_FIELDS}
                for line in (draw / "samples.jsonl").read_text().splitlines()]

    assert samples(remote) == samples(local)
    # each shard saw the device SLURM gave it; two shards running side by side, two devices
    [draw] = (remote / "results" / "draws").iterdir()
    runs = json.loads((draw / "draw.json").read_text())["runs"]
    assert sorted(r["shard"] for r in runs) == ["1 of 2", "2 of 2"] and all(r["visible_gpus"] in ("0", "1") for r in runs)
    if runs[0]["started"] < runs[1]["finished"] and runs[1]["started"] < runs[0]["finished"]:
        assert runs[0]["visible_gpus"] != runs[1]["visible_gpus"], runs
    columns = ["cell", "k", "pass_at_k", "pass_at_k_lo", "pass_at_k_hi", "selected_at_k", "completion_tokens"]
    pd.testing.assert_frame_equal(read_table(remote / "results" / "summary.csv")[columns],
                                  read_table(local / "results" / "summary.csv")[columns])
