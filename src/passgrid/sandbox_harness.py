"""Runs inside the sandboxed child process; never imported by passgrid itself.

Reads one job (JSON on stdin), runs the untrusted program, then the problem's
tests against it, and reports one verdict on the result pipe. The report
carries a nonce the parent chose, so that a program which exits early or writes
to the usual streams cannot pass for a finished run. (A determined program can
still forge this report; the isolated judge of a later issue closes that.)
"""
import json
import os
import sys


def main():
    job = json.loads(sys.stdin.buffer.read())
    result_fd, nonce = job["result_fd"], job["nonce"]

    def report(verdict, detail=""):
        os.write(result_fd, json.dumps({"nonce": nonce, "verdict": verdict, "detail": detail}).encode())
        os.close(result_fd)
        os._exit(0)

    namespace = {"__name__": "__passgrid_candidate__"}
    stage = "program"
    try:
        exec(compile(job["program"], "<program>", "exec"), namespace)
        stage = "test"
        exec(compile(job["test"], "<test>", "exec"), namespace)
        stage = "check"
        namespace["check"](namespace[job["entry_point"]])
    except AssertionError as e:
        report("failed" if stage == "check" else "error", f"{stage}: AssertionError: {e}"[:500])
    except MemoryError:
        report("memory", f"{stage}: MemoryError")
    except BaseException as e:  # SystemExit too: exiting early is not passing
        report("error", f"{stage}: {type(e).__name__}: {e}"[:500])
    report("passed")


if __name__ == "__main__":
    main()
