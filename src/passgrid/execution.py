"""Run every sample against its problem's tests, each in its own process.

Each program runs in a fresh `python -I` child with its own process group,
throwaway working directory, a scrubbed environment (no API keys), stdout and
stderr discarded, and resource limits on memory, CPU time, file size, open
files and processes. The wall-clock timeout kills the whole group, so no
sample can hang the run. Identical programs for the same problem run once.
"""
import hashlib
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

VERDICTS = ("passed", "failed", "timeout", "error", "memory", "sandbox_fault")
ISOLATION_LEVEL = "process+rlimits"
HARNESS = Path(__file__).with_name("sandbox_harness.py")


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 3.0
    memory_mb: int = 2048
    file_size_mb: int = 16
    open_files: int = 64
    processes: int = 64


def build_program(problem: dict, completion: str) -> str:
    """The program a sample stands for: the prompt with the completion appended."""
    return problem["prompt"] + completion


def program_key(task_id: str, program: str) -> str:
    """Content address of a program for a problem: identical ones run once."""
    return hashlib.sha256(f"{task_id}\0{program}".encode("utf-8")).hexdigest()


def run_program(program: str, problem: dict, limits: Limits) -> dict:
    """Run one program against one problem's tests; return {verdict, detail, duration_s}."""
    import time

    nonce = secrets.token_hex(16)
    read_fd, write_fd = os.pipe()
    job = {"program": program, "test": problem["test"], "entry_point": problem["entry_point"],
           "result_fd": write_fd, "nonce": nonce}
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="passgrid-sandbox-") as workdir:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", str(HARNESS)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd=workdir, env=_scrubbed_env(workdir), pass_fds=(write_fd,),
                start_new_session=True, preexec_fn=lambda: _apply_limits(limits),
            )
        except OSError as e:
            os.close(read_fd)
            os.close(write_fd)
            return {"verdict": "sandbox_fault", "detail": f"could not start sandbox: {e}", "duration_s": 0.0}
        os.close(write_fd)
        timed_out = False
        try:
            proc.communicate(json.dumps(job).encode("utf-8"), timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(proc.pid)
            proc.wait()
        with os.fdopen(read_fd, "rb") as pipe:
            raw = pipe.read(1 << 16)
    duration = time.monotonic() - start
    verdict, detail = _judge(raw, nonce, proc.returncode, timed_out)
    return {"verdict": verdict, "detail": detail, "duration_s": round(duration, 4)}


def _judge(raw: bytes, nonce: str, returncode: int, timed_out: bool):
    if timed_out:
        return "timeout", "wall-clock limit"
    try:
        report = json.loads(raw) if raw else None
    except ValueError:
        report = None
    if isinstance(report, dict) and report.get("nonce") == nonce and report.get("verdict") in VERDICTS:
        return report["verdict"], str(report.get("detail", ""))
    if returncode == -signal.SIGXCPU or returncode == -signal.SIGKILL:
        return "timeout", "CPU-time limit"
    if returncode is not None and returncode < 0:
        return "error", f"killed by signal {signal.Signals(-returncode).name}"
    return "error", f"exited with status {returncode} before the tests finished"


def _scrubbed_env(workdir: str) -> dict:
    # Nothing of the parent's environment (API keys, tokens) reaches the child.
    return {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def _apply_limits(limits: Limits) -> None:
    mb = 1 << 20
    cpu = int(limits.timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb, limits.file_size_mb * mb))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def execute_samples(samples: list, problems: dict, limits: Limits, workers: int, progress: bool = True) -> list:
    """Verdicts for samples, in order; each distinct (task, program) runs once.

    A sandbox fault is retried once, and never reported as a model failure:
    scoring refuses to score a run that still has one.
    """
    unique = {}
    for s in samples:
        program = build_program(problems[s["task_id"]], s["completion"])
        unique.setdefault(program_key(s["task_id"], program), (program, problems[s["task_id"]]))

    def run(item):
        key, (program, problem) = item
        result = run_program(program, problem, limits)
        if result["verdict"] == "sandbox_fault":
            result = run_program(program, problem, limits)
        return key, result

    results = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for key, result in _progress(pool.map(run, unique.items()), len(unique), progress, "execute"):
            results[key] = result
    out = []
    for s in samples:
        key = program_key(s["task_id"], build_program(problems[s["task_id"]], s["completion"]))
        out.append({"task_id": s["task_id"], "sample_index": s.get("sample_index"), "program_sha256": key,
                    **results[key]})
    return out


def _progress(iterable, total, enabled, desc):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="prog", mininterval=2.0, file=sys.stderr)
