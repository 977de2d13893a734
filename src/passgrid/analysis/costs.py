"""What a cell's samples cost, and what k samples per problem would cost.

Tokens are counted as the backends report them: a problem's prompt as often
as it was computed or billed (once on llama.cpp; on vLLM what each sample
missed in the prefix cache; once per response on an API), every sample's
completion. So k samples per problem cost the prompts plus k/n of the
completions, and the same for FLOPs (2 x parameters x tokens),
GPU time (sampling time x GPUs, scaled by k/n) and dollars (API list prices
per token, or GPU time at the model's price per GPU-hour).
"""
from dataclasses import dataclass
from typing import Optional

from passgrid.sample import read_sample_file

# Summary columns and their units, in the order the report shows them.
COST_UNITS = {"cost_usd": "US$", "flops": "FLOPs", "gpu_hours": "GPU-hours"}


def usage(samples_path, n: int, task_ids=None) -> dict:
    """Tokens of a cell's n samples per problem, as the backend counted them,
    and sampling time: per sampling job (a sample's `run`: a shard, a resume),
    the wall time during which any of its problems was being drawn (each
    problem spans its request's start to its slowest of the n samples),
    summed over the jobs. Problems drawn side by side in one job (llama.cpp's
    continuous batching, concurrent API requests) count once; shards drawn
    side by side on their own GPUs each count, as each holds its GPUs; the
    time between a crash and the rerun that resumed it does not count.
    Samples files written before passgrid recorded `started_at` give the sum
    of the problems' spans. With `task_ids`, only those problems count (a
    draw may hold more). Where any sample lacks its token counts (a published
    file, a server that sent no usage), the tokens are unknown (None), never
    the sum of those that have them."""
    prompt_tokens = completion_tokens = 0
    uncounted, spans = False, {}  # run -> (task_id, its request's start) -> [start or None, longest latency]
    for s in read_sample_file(samples_path, keep_raw=False):
        if s.sample_index >= n or (task_ids is not None and s.task_id not in task_ids):
            continue
        uncounted = uncounted or s.prompt_tokens is None or s.completion_tokens is None
        prompt_tokens += s.prompt_tokens or 0
        completion_tokens += s.completion_tokens or 0
        # a grown draw holds several requests per problem, each its own span
        span = spans.setdefault(s.run, {}).setdefault((s.task_id, s.started_at), [s.started_at, 0.0])
        span[1] = max(span[1], s.latency_s or 0.0)
    seconds = sum(covered_seconds(run.values()) for run in spans.values())
    return {"prompt_tokens": None if uncounted else prompt_tokens,
            "completion_tokens": None if uncounted else completion_tokens, "sampling_seconds": round(seconds, 2)}


def covered_seconds(spans) -> float:
    """Seconds covered by the union of (start, duration) spans; with any start
    unknown, the sum of the durations (an upper bound)."""
    spans = list(spans)
    if any(start is None for start, _ in spans):
        return sum(duration for _, duration in spans)
    total, reach = 0.0, float("-inf")
    for start, duration in sorted(spans):
        end = start + duration
        total += max(0.0, end - max(start, reach))
        reach = max(reach, end)
    return total


@dataclass(frozen=True)
class Pricing:
    """What a cell's costs are computed from: the GPUs a sampling job of its
    model takes (0 on a CPU or behind an API), and its model config's figures."""
    gpus: int = 0
    params_b: Optional[float] = None  # billions of parameters
    price_input_per_mtok: Optional[float] = None  # US$ per million tokens
    price_output_per_mtok: Optional[float] = None
    price_per_gpu_hour: Optional[float] = None

    @classmethod
    def of(cls, model, gpus: int) -> "Pricing":
        """From a model config section (the schema's ModelConfig)."""
        return cls(gpus, model.params_b, model.price_input_per_mtok, model.price_output_per_mtok,
                   model.price_per_gpu_hour)

    @property
    def listed(self) -> bool:
        """Whether it has list prices per token (an API)."""
        return self.price_input_per_mtok is not None and self.price_output_per_mtok is not None


def cost_at_k(used: dict, pricing: Pricing, n: int, k) -> dict:
    """FLOPs, GPU-hours and dollars of k samples per problem, from the usage
    of n; None where the pricing has no figure for it, or the usage none to
    apply it to (a published samples file counts no tokens and no time: its
    samples are not free, their cost is unknown; so are tokens any sample
    lacks). k may be an array."""
    share = k / n
    counted = used["prompt_tokens"] is not None and used["prompt_tokens"] + used["completion_tokens"] > 0
    flops = 2 * pricing.params_b * 1e9 * (used["prompt_tokens"] + used["completion_tokens"] * share) \
        if pricing.params_b and counted else None
    gpu_hours = used["sampling_seconds"] * share * pricing.gpus / 3600 \
        if pricing.gpus and used["sampling_seconds"] > 0 else None
    dollars = None
    if pricing.listed and counted:
        dollars = (used["prompt_tokens"] * pricing.price_input_per_mtok
                   + used["completion_tokens"] * share * pricing.price_output_per_mtok) / 1e6
    elif gpu_hours is not None and pricing.price_per_gpu_hour is not None:
        dollars = gpu_hours * pricing.price_per_gpu_hour
    return {"flops": flops, "gpu_hours": gpu_hours, "cost_usd": dollars}


def basis(pricing: Pricing) -> dict:
    """unit -> how cost_at_k computes it, in words (None where it has no
    figure): what a reader needs to compare costs like with like."""
    gpu_hours = f"sampling time x {pricing.gpus} GPU(s), k/n of it" if pricing.gpus else None
    if pricing.listed:
        dollars = (f"list price: US${pricing.price_input_per_mtok:g} per million prompt tokens, "
                   f"US${pricing.price_output_per_mtok:g} per million completion tokens")
    elif gpu_hours and pricing.price_per_gpu_hour is not None:
        dollars = f"US${pricing.price_per_gpu_hour:g} per GPU-hour x GPU-hours"
    else:
        dollars = None
    flops = (f"2 x {pricing.params_b:g} B parameters x tokens (each prompt once per request, k/n of the "
             "completions)" if pricing.params_b else None)
    return {"flops": flops, "gpu_hours": gpu_hours, "cost_usd": dollars}
