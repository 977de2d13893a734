"""No program can stop a run: each way a program could bring down its
sandbox, its judge or the decoder becomes that program's verdict (never
"passed"), and the programs around it are judged as if it were not there.

Each hostile program runs among right ones, in one stream through the real
pool; every right one must pass and the run must complete."""
import os
import time
from dataclasses import asdict, replace

import pytest

from passgrid.evaluation import Judging, judged
from passgrid.execution import judge, sandbox, wire, workers
from passgrid.execution.child import death, run_child
from passgrid.execution.pool import JudgePool, Limits, build_program
from passgrid.sample import Sample
from passgrid.verdicts import Outcome, Verdict
from tests.conftest import PROGRAM_ADD, STDIO_SUM

RIGHT = {"HumanEval/2": "    return number % 1.0\n", "sum": "a, b = map(int, input().split())\nprint(a + b)\n",
         "Mbpp/1": "def add(a, b):\n    return a + b\n"}
# A frame on the pipe to the judge, nested past its decoder's stack (a RecursionError once).
FORGED_FRAME = ("import os, struct\nbody = b'[' * 100000 + b']' * 100000\n"
                "os.write(4, struct.pack('>I', len(body)) + body)\nos._exit(0)\n")

HOSTILE = {  # name -> (task, completion)
    "a tree deeper than a recursive walk": ("HumanEval/2", "    import os\n    os.chdir('/tmp')\n"
                                            "    for _ in range(3000):\n        os.mkdir('d')\n        os.chdir('d')\n"
                                            "    return 7.0\n"),
    "the next work directory made in advance": ("HumanEval/2", "    import os\n    for n in range(1, 200):\n"
                                                "        for pid in range(1, 50):\n            try:\n"
                                                "                os.mkdir(f'/tmp/passgrid-run-{pid}-{n}', 0)\n"
                                                "            except OSError:\n                pass\n    return 7.0\n"),
    "a stdio frame nested past the decoder": ("sum", FORGED_FRAME),
    "a program's frame nested past the decoder": ("Mbpp/1", FORGED_FRAME),
    "a function's reply nested past the decoder": ("HumanEval/2", "    " + FORGED_FRAME.replace("\n", "\n    ")),
    "a program over the wire's frame": ("HumanEval/2", "    return 7.0\nx = '" + "ab" * (9 << 20) + "'\n"),
}


def samples_around(hostile: str, problems: dict) -> tuple:
    """Three right samples, one of each kind, the hostile one, three more right ones."""
    task, completion = HOSTILE[hostile]
    programs = [(t, RIGHT[t]) for t in ("HumanEval/2", "sum", "Mbpp/1")]
    programs = programs + [(task, completion)] + programs
    return [Sample(task_id=t, completion=c, sample_index=i) for i, (t, c) in enumerate(programs)], {"HumanEval/2": problems["HumanEval/2"],
                                                                      "sum": STDIO_SUM, "Mbpp/1": PROGRAM_ADD}


@pytest.mark.system
@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_program_stops_the_run(problems, hostile):
    samples, chosen = samples_around(hostile, problems)
    records = judged(samples, chosen, Judging(Limits(timeout_s=3.0, memory_mb=512), 1), progress=False)
    verdicts = [r.outcome for r in records]
    assert verdicts[:3] + verdicts[4:] == ["passed"] * 6, records
    assert verdicts[3] in ("failed", "error", Outcome.CRASH), records[3]
    if hostile == "a program over the wire's frame":
        assert verdicts[3] == "error" and "over the limit" in records[3].detail


# With resource limits only, a program shares the judge's user and PID namespace:
# it can reach its judge (the zygote's parent), which nothing stops there.
KILL_THE_JUDGE = ("    import os, signal\n    judge = int(open(f'/proc/{os.getppid()}/stat').read().rsplit(')', 1)[1].split()[1])\n"
                  "    os.kill(judge, signal.SIGNAL)\n    return 7.0\n")


@pytest.mark.system
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGSTOP"])
def test_a_program_that_brings_down_its_judge_is_judged_crash(problems, monkeypatch, signal_name):
    """The judge killed, or stopped (no answer: given up after its grace):
    the jobs it held run again, each alone, and the one that brings down its
    judge alone gets the verdict crash; the right ones around it pass."""
    monkeypatch.setenv("PASSGRID_NO_NAMESPACES", "1")
    monkeypatch.setattr(workers, "GRACE_S", 1.0)
    problem = problems["HumanEval/2"]
    limits = asdict(Limits(timeout_s=1.0, memory_mb=512))
    killer = build_program(problem, KILL_THE_JUDGE.replace("SIGNAL", signal_name))
    right = build_program(problem, RIGHT["HumanEval/2"])
    jobs = [(i, problem, right, limits) for i in range(3)] + [(3, problem, killer, limits)] + \
        [(i, problem, right, limits) for i in range(4, 7)]
    pool = JudgePool(workers=1)
    try:
        results = dict(pool.run(jobs))
        assert sorted(results) == list(range(7))
        assert results[3]["verdict"] == Outcome.CRASH, results[3]
        assert all(results[i]["verdict"] == "passed" for i in results if i != 3), results
        assert [(i, r["verdict"]) for i, r in pool.run(jobs[:1])] == [(0, "passed")]  # the pool goes on
    finally:
        pool.close()


def test_a_crash_is_never_scored_as_a_pass():
    from passgrid.analysis.scoring import count_correct

    executions = [Verdict("t", 0, Outcome.CRASH), Verdict("t", 1, Outcome.PASSED)]
    assert count_correct(executions, ["t"]).to_dict("records") == [{"task_id": "t", "n": 2, "c": 1}]


def test_a_program_cannot_unmount_or_remount_its_file_system(problems):
    """Even from a user namespace of its own (refused by the filter besides)."""
    problem = problems["HumanEval/2"]
    attempt = ("    import ctypes, os\n    libc = ctypes.CDLL(None, use_errno=True)\n"
               "    libc.unshare(0x10000000 | 0x00020000)\n"
               "    for target in (b'/', b'/usr', b'/tmp'):\n"
               "        if libc.umount2(target, 2) == 0 or libc.mount(None, target, None, 32 | 4096, None) == 0:\n"
               "            return number % 1.0\n"
               "    try:\n        open('/usr/pg-planted', 'w')\n        return number % 1.0\n    except OSError:\n"
               "        return 7.0\n")
    pool = JudgePool(workers=1)
    try:
        [(_, result)] = list(pool.run([(0, problem, build_program(problem, attempt),
                                        asdict(Limits(timeout_s=3.0, memory_mb=512)))]))
        assert result["verdict"] == "failed", result
        assert not os.path.exists("/usr/pg-planted")
    finally:
        pool.close()


@pytest.mark.system
def test_large_frames_both_ways_never_stall_the_run(problems):
    """Jobs of 20,000 inputs each (a reference's outputs, as EvalPlus's are
    computed): frames of about 200 KB each way, two jobs in flight on one
    judge. A large frame goes to an idle judge only, so passgrid never blocks
    writing the next job while the judge blocks writing its answer."""
    import threading

    from passgrid.execution import wire

    problem = problems["HumanEval/2"]
    inputs = [wire.encode([3.5 + i]) for i in range(20_000)]
    limits = asdict(Limits(timeout_s=5.0, memory_mb=512))
    jobs = [(i, problem, build_program(problem, RIGHT["HumanEval/2"]), limits, None, inputs) for i in range(4)]
    results = {}
    pool = JudgePool(workers=1)
    runner = threading.Thread(target=lambda: results.update(pool.run(jobs)), daemon=True)
    runner.start()
    runner.join(timeout=300)
    assert not runner.is_alive(), "the run stalled"
    pool.close()
    assert sorted(results) == list(range(4)) and all(len(r["outputs"]) == 20_000 for r in results.values())
    assert results[3]["outputs"][7] == {"value": wire.encode(0.5)}


def test_a_problem_too_large_to_send_is_an_error_naming_it(problems):
    from passgrid import PassgridError

    problem = replace(problems["HumanEval/2"], task_id="huge", test="x = '" + "z" * (17 << 20) + "'\n")
    pool = JudgePool(workers=1)
    try:
        with pytest.raises(PassgridError, match="huge: the problem is too large to judge"):
            list(pool.run([(0, problem, build_program(problem, RIGHT["HumanEval/2"]),
                            asdict(Limits(timeout_s=3.0, memory_mb=512)))]))
    finally:
        pool.close()


@pytest.mark.system
def test_a_program_that_uses_up_its_cpu_time_first_is_a_timeout(problems):
    """Where a program's CPU time runs out before the wall clock (its threads in
    native code, with no control group to hold them to one CPU), the kernel's
    signal reads as a timeout, which a longer limit judges again, not as an
    error, which would stand. A CPU limit of 1 s under a wall limit of a minute
    makes it land first however loaded the machine."""
    zygote_process, zygote, _ = sandbox.start_zygote()
    limits = asdict(Limits(timeout_s=60.0))
    try:
        with run_child(zygote, limits, cpu_s=1) as child:
            wire.send(child.to_child, judge._program_message(problems["HumanEval/2"], "while True:\n    pass\n", None))
            with pytest.raises(EOFError):
                wire.receive(child.from_child, time.monotonic() + limits["timeout_s"])
        assert death(child) == (Outcome.TIMEOUT, "CPU-time limit")
    finally:
        zygote.close()
        zygote_process.kill()
        zygote_process.wait()
