"""Each problem's seed stream, derived from (base seed, task_id).

Sample i of a problem is drawn with seed `stream_start(base, task_id) + i`,
whatever n is asked, so a larger budget continues the stream and the first n
samples of a draw are an n-sample run. Streams are laid out so that, for one
problem, no two base seeds share a seed: the start is an offset hashed from
the task_id (below 2**31) plus `base * MAX_SAMPLES`, and a stream is at most
MAX_SAMPLES long. Different problems start at unrelated offsets, so they
almost never draw the same random numbers (and never the same samples: their
prompts differ). Every seed stays below 2**32, the width
llama.cpp's sampler takes; engines that take one seed per request and add
the child's index (vLLM, OpenAI's API) get the stream's value at the
request's first sample.
"""
import hashlib

MAX_SAMPLES = 2 ** 20  # samples per problem, at most
MAX_BASE_SEED = 2 ** 11 - 1  # 2**31 + 2**11 * 2**20 = 2**32: every seed fits 32 bits


def stream_start(base_seed: int, task_id: str) -> int:
    """The seed of a problem's first sample."""
    offset = int.from_bytes(hashlib.sha256(task_id.encode("utf-8")).digest()[:4], "big") >> 1
    return offset + base_seed * MAX_SAMPLES


def sample_seed(base_seed: int, task_id: str, index: int) -> int:
    """The seed of a problem's sample `index`."""
    return stream_start(base_seed, task_id) + index


def stream_key(task_id: str, writes: str = "programs") -> str:
    """What a problem's stream is hashed from: its task_id; for a draw of
    model-written tests (prompt.writes), the task_id and what it writes, so
    that its random numbers are not those of the problem's programs."""
    return task_id if writes == "programs" else f"{task_id}#{writes}"
