"""Plain data across a process boundary, and nothing else.

Values of exactly the builtin types (None, bool, int, float, complex, str,
bytes, list, tuple, dict, set, frozenset), nested to a bounded depth, are
encoded as tagged JSON; anything else is refused. Decoding builds fresh
builtin objects, so no class of the sender's survives the crossing: an object
that lies about equality, arithmetic, truthiness or its type cannot reach the
process that judges. Messages are length-prefixed frames on a file descriptor.
"""
import json
import math
import os
import select
import struct
import time

MAX_DEPTH = 64
MAX_FRAME = 16 << 20  # bytes
_HEADER = struct.Struct(">I")


class WireError(Exception):
    """A value that is not plain data, or a malformed or oversized frame."""


def encode(value, depth: int = 0):
    """A JSON-ready tree for a plain value; WireError for anything else."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    t = type(value)  # exact types only: a subclass could carry lying methods
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return ["i", str(value)] if abs(value) > 2**53 else value
    if t is float:
        return ["f", repr(value)] if not math.isfinite(value) else value
    if t is complex:
        return ["c", repr(value.real), repr(value.imag)]
    if t is bytes:
        return ["b", value.hex()]
    if t is list:
        return ["l", [encode(v, depth + 1) for v in value]]
    if t is tuple:
        return ["t", [encode(v, depth + 1) for v in value]]
    if t is set or t is frozenset:
        return ["s" if t is set else "z", [encode(v, depth + 1) for v in value]]
    if t is dict:
        return ["d", [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]]
    raise WireError(f"not plain data: {t.__module__}.{t.__qualname__}")


def decode(tree, depth: int = 0):
    """Fresh builtin objects from an encoded tree (never any other type)."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    t = type(tree)
    if tree is None or t in (bool, str, int, float):
        return tree
    if t is not list or not tree or type(tree[0]) is not str:
        raise WireError("malformed value")
    tag, rest = tree[0], tree[1:]
    try:
        if tag == "i":
            return int(rest[0])
        if tag == "f":
            return float(rest[0])
        if tag == "c":
            return complex(float(rest[0]), float(rest[1]))
        if tag == "b":
            return bytes.fromhex(rest[0])
        items = rest[0]
        if type(items) is not list:
            raise WireError("malformed container")
        if tag == "l":
            return [decode(v, depth + 1) for v in items]
        if tag == "t":
            return tuple(decode(v, depth + 1) for v in items)
        if tag == "s":
            return {decode(v, depth + 1) for v in items}
        if tag == "z":
            return frozenset(decode(v, depth + 1) for v in items)
        if tag == "d":
            return {decode(k, depth + 1): decode(v, depth + 1) for k, v in items}
    except WireError:
        raise
    except (ValueError, TypeError, IndexError, OverflowError) as e:
        raise WireError(f"malformed value: {e}") from None
    raise WireError(f"unknown tag {tag!r}")


def send(fd: int, message: dict) -> None:
    """Write one frame (a JSON object of already-encoded values)."""
    write(fd, pack(message))


def pack(message: dict) -> bytes:
    """One frame, ready to write; WireError, before anything is written, where it is over MAX_FRAME."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise WireError(f"a frame of {len(body)} bytes, over the limit of {MAX_FRAME}")
    return _HEADER.pack(len(body)) + body


def write(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data):]


def receive(fd: int, deadline: float = None) -> dict:
    """Read one frame; TimeoutError past the deadline (time.monotonic()),
    EOFError if the writer is gone, WireError if the frame is not a JSON object."""
    size = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))[0]
    if size > MAX_FRAME:
        raise WireError(f"frame of {size} bytes is over the limit")
    body = _read_exactly(fd, size, deadline)
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested past the decoder's stack
        raise WireError("frame is not JSON, or nested too deeply") from None
    if type(message) is not dict:
        raise WireError("frame is not an object")
    return message


def _read_exactly(fd: int, n: int, deadline) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
