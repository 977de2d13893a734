"""A backend run by another Python interpreter (`model.python`): an engine
whose pins cannot share passgrid's virtualenv (vLLM's CPU build wants its own
torch, numpy and transformers) runs in its own, with passgrid installed there
too (`pip install --no-deps -e .`).

The sampling job starts `PYTHON -m passgrid.sampling.backends.remote`, sends
it the model config (pickled: the schema's dataclass, passgrid's own on
both sides) and the requests as JSON lines, and reads back each
request's generations as the worker's backend yields them: the job still
writes a problem's shard as soon as it is drawn. The worker's own prints go
to stderr; the replies go on a copy of its stdout.
"""
import base64
import json
import os
import pickle
import subprocess
import sys
from dataclasses import asdict, replace

from passgrid import PassgridError
from passgrid.sampling.backends.base import Backend, Generation, Request


class RemoteBackend(Backend):
    """Proxies `model.backend` in the interpreter `model.python`."""

    def __init__(self, model, threads: int = 1):
        super().__init__(model, threads)
        self.name = model.backend
        python = model.python
        if not os.access(python, os.X_OK):
            raise PassgridError(f"model.python: no interpreter at {python}")
        self.proc = subprocess.Popen([python, "-m", "passgrid.sampling.backends.remote"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        here = replace(model, python=None)  # the worker runs the backend itself
        self._send({"model": base64.b64encode(pickle.dumps(here)).decode(), "threads": threads})
        ready = self._receive()
        self._provenance = {**ready["provenance"], "python": os.path.abspath(python)}

    def _receive(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise PassgridError(f"model.python: the {self.name} worker in {self.model.python} exited "
                                f"with status {self.proc.wait()} (its messages are above)")
        reply = json.loads(line)
        if "error" in reply:
            raise PassgridError(reply["error"])
        return reply

    def provenance(self) -> dict:
        return self._provenance

    def _send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def generate(self, request: Request) -> list:
        return dict(self.generate_many([request]))[0]

    def generate_many(self, requests: list):
        self._send({"requests": [asdict(r) for r in requests]})
        for _ in requests:
            reply = self._receive()
            yield reply["index"], [Generation(**g) for g in reply["generations"]]

    def close(self) -> None:
        """Let the worker end on its own; kill it where it does not (it may be
        blocked writing replies nobody reads, after an error here)."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def main() -> None:
    """The worker: one model config, then batches of requests, until stdin ends."""
    from passgrid.sampling.backends import make_backend

    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the engine's own prints must not mix with the replies
    setup = json.loads(sys.stdin.readline())
    model = pickle.loads(base64.b64decode(setup["model"]))  # from the sampling job that started this worker
    try:
        backend = make_backend(model, threads=setup["threads"])
    except PassgridError as e:
        replies.write(json.dumps({"error": str(e)}) + "\n")
        return
    replies.write(json.dumps({"provenance": backend.provenance()}) + "\n")
    try:
        for line in sys.stdin:
            requests = [Request(**{**r, "stop": tuple(r["stop"])}) for r in json.loads(line)["requests"]]
            for index, generations in backend.generate_many(requests):
                replies.write(json.dumps({"index": index, "generations": [asdict(g) for g in generations]}) + "\n")
    except Exception as e:  # the job says it in one line; the traceback goes to the log
        import traceback

        traceback.print_exc()
        replies.write(json.dumps({"error": f"{model.backend} worker: {' '.join(str(e).split())}"}) + "\n")
    finally:
        backend.close()


if __name__ == "__main__":
    main()
