"""A program's child: forked by the sandbox's zygote for one run (of one
program, or of one stdio test case), holding the judge's pipes, and killed
with everything it started when the run ends."""
import contextlib
import json
import os
import signal
import socket

from passgrid.verdicts import Outcome


class Child:
    """The judge's ends of a child's pipes; once the run has ended, `status`,
    its wait status, and `oom`, whether the kernel killed one of its
    processes for the memory they held together."""

    def __init__(self, to_child: int, from_child: int):
        self.to_child, self.from_child, self.status, self.oom = to_child, from_child, None, False


@contextlib.contextmanager
def run_child(zygote: socket.socket, limits: dict, extra_fds=(), stdio: bool = False, cpu_s: int = None):
    """Have the zygote fork a child (sandbox._fork_child) with a frame pipe
    each way, plus `extra_fds`, which are handed over (closed here). The CPU
    limit is the time limit's unless `cpu_s` says otherwise."""
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    fds = [to_child_r, from_child_w, *extra_fds]
    job = {"op": "run", "stdio": stdio, "cpu_s": cpu_s or int(limits["timeout_s"]) + 1,
           **{k: limits[k] for k in ("memory_mb", "file_size_mb", "open_files", "processes")}}
    socket.send_fds(zygote, [json.dumps(job).encode()], fds)
    for fd in fds:
        os.close(fd)
    child = Child(to_child_w, from_child_r)
    try:
        yield child
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        os.close(to_child_w)
        zygote.send(b'{"op": "finish"}')
        ended = json.loads(zygote.recv(4096))
        child.status, child.oom = int(ended["status"]), bool(ended.get("oom"))
        os.close(from_child_r)


def death(child: Child):
    """(verdict, detail) for a child that exited or died instead of answering."""
    status = child.status
    if child.oom:
        return Outcome.MEMORY, "out of memory (the program's processes together)"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return Outcome.TIMEOUT, "CPU-time limit"
        try:
            name = signal.Signals(sig).name
        except ValueError:  # a real-time signal has no name
            name = f"signal {sig}"
        return Outcome.ERROR, f"killed by {name}"
    return Outcome.ERROR, f"exited with status {os.WEXITSTATUS(status)} before the tests finished"
