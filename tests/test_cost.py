import json

import pytest

from passgrid.analysis.costs import Pricing, cost_at_k, usage
from passgrid.grid.compose import compose
from passgrid.sampling.backends import backend_class
from tests.conftest import CONF

USAGE = {"prompt_tokens": 2_000_000, "completion_tokens": 500_000, "sampling_seconds": 7200.0}


def model_of(*overrides) -> Pricing:
    """A composed model section's pricing, with the GPUs its backend declares a job takes, as the summary makes it."""
    model = compose(CONF, list(overrides)).model
    return Pricing.of(model, backend_class(model.backend).gpus(model))


def test_api_cost_from_list_prices():
    cost = cost_at_k(USAGE, model_of("model=gpt-4o"), n=10, k=10)
    assert cost["cost_usd"] == pytest.approx(2 * 2.5 + 0.5 * 10.0)
    assert cost["gpu_hours"] is None and cost["flops"] is None  # OpenAI publishes no parameter count


def test_self_hosted_cost_from_gpu_time():
    model = model_of("model=llama-3.1-70b-instruct", "model.price_per_gpu_hour=2.0")
    cost = cost_at_k(USAGE, model, n=10, k=10)
    assert cost["gpu_hours"] == 2.0 * 4  # tensor parallel over 4 GPUs
    assert cost["cost_usd"] == pytest.approx(8 * 2.0)
    assert cost["flops"] == pytest.approx(2 * 70e9 * 2_500_000)


def test_k_samples_cost_the_prompts_once_and_k_over_n_of_the_completions():
    model = model_of("model=gpt-4o")
    cost = cost_at_k(USAGE, model, n=10, k=1)
    assert cost["cost_usd"] == pytest.approx(2 * 2.5 + 0.05 * 10.0)
    flops = cost_at_k(USAGE, model_of(), n=10, k=5)["flops"]
    assert flops == pytest.approx(2 * 0.135e9 * (2_000_000 + 250_000))


def test_unknown_prices_stay_unknown():
    cost = cost_at_k(USAGE, model_of(), n=10, k=10)
    assert cost["cost_usd"] is None and cost["gpu_hours"] is None
    assert cost["flops"] == pytest.approx(2 * 0.135e9 * 2_500_000)


def _samples(tmp_path, rows):
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps({"sample_index": 0, "completion": "", "prompt_tokens": 0, "completion_tokens": 0, **r}) + "\n"
                            for r in rows))
    return path


def test_sampling_time_is_the_union_of_the_problems_spans(tmp_path):
    path = _samples(tmp_path, [
        {"task_id": "a", "started_at": 100.0, "latency_s": 10.0},
        {"task_id": "a", "sample_index": 1, "started_at": 100.0, "latency_s": 4.0},
        {"task_id": "b", "started_at": 102.0, "latency_s": 5.0},  # inside a's span
        {"task_id": "c", "started_at": 108.0, "latency_s": 4.0},  # overlaps a's end
        {"task_id": "d", "started_at": 500.0, "latency_s": 3.0},  # after a crash: the gap does not count
        {"task_id": "d", "sample_index": 2, "started_at": 500.0, "latency_s": 9.0},  # beyond the budget n=2
    ])
    assert usage(path, n=2)["sampling_seconds"] == pytest.approx(12.0 + 3.0)


def test_samples_without_start_times_give_the_sum_of_spans(tmp_path):
    path = _samples(tmp_path, [{"task_id": "a", "latency_s": 10.0}, {"task_id": "b", "latency_s": 5.0}])
    assert usage(path, n=1)["sampling_seconds"] == pytest.approx(15.0)


def test_a_grown_draw_counts_each_of_its_requests(tmp_path):
    """A problem drawn at n = 2, then grown to 4 a day later: two requests,
    two spans; neither the gap between them nor the other's start counts."""
    path = _samples(tmp_path, [
        {"task_id": "a", "sample_index": 0, "started_at": 100.0, "latency_s": 1.0},
        {"task_id": "a", "sample_index": 1, "started_at": 100.0, "latency_s": 1.0},
        {"task_id": "a", "sample_index": 2, "started_at": 86500.0, "latency_s": 2.0},
        {"task_id": "a", "sample_index": 3, "started_at": 86500.0, "latency_s": 2.0},
    ])
    assert usage(path, 4)["sampling_seconds"] == 3.0
    assert usage(path, 2)["sampling_seconds"] == 1.0
    assert usage(path, 4, task_ids={"b"})["sampling_seconds"] == 0.0  # another cell's problems only


def test_shards_drawn_side_by_side_each_count_their_time(tmp_path):
    """Two shards on GPUs of their own over the same 10 seconds hold two GPUs
    for 10 s each: their time adds up; within one shard, overlapping problems
    count once."""
    path = _samples(tmp_path, [
        {"task_id": "a", "started_at": 100.0, "latency_s": 10.0, "run": "shard1"},
        {"task_id": "c", "started_at": 101.0, "latency_s": 5.0, "run": "shard1"},  # inside a's span
        {"task_id": "b", "started_at": 100.0, "latency_s": 10.0, "run": "shard2"},
    ])
    assert usage(path, n=1)["sampling_seconds"] == pytest.approx(20.0)
    gpu_hours = cost_at_k(usage(path, n=1), Pricing(gpus=1), n=1, k=1)["gpu_hours"]
    assert gpu_hours == pytest.approx(20.0 / 3600)


def test_tokens_some_samples_lack_are_unknown_not_an_undercount(tmp_path):
    """A draw grown from samples that carry no token counts: the cell's
    tokens, its FLOPs and its list-price cost are unknown, not the sum of the
    samples that have them; its time still counts."""
    path = _samples(tmp_path, [{"task_id": "a", "latency_s": 2.0, "prompt_tokens": 50, "completion_tokens": 9},
                               {"task_id": "b", "latency_s": 1.0, "prompt_tokens": None, "completion_tokens": None}])
    used = usage(path, n=1)
    assert (used["prompt_tokens"], used["completion_tokens"], used["sampling_seconds"]) == (None, None, 3.0)
    assert usage(path, n=1, task_ids={"a"})["prompt_tokens"] == 50
    assert cost_at_k(used, model_of("model=gpt-4o"), n=1, k=1)["cost_usd"] is None
    assert cost_at_k(used, model_of(), n=1, k=1)["flops"] is None


def test_a_published_files_samples_have_an_unknown_cost_not_a_zero_one():
    """CodeGen-16B's programs come from a file that counts no tokens and no
    time: with 16.1 B parameters and a GPU price, their cost is unknown."""
    nothing = {"prompt_tokens": 0, "completion_tokens": 0, "sampling_seconds": 0.0}
    model = model_of("model=codegen-16b-mono", "model.price_per_gpu_hour=2.0")
    assert model.params_b == 16.1
    assert cost_at_k(nothing, model, n=100, k=10) == {"flops": None, "gpu_hours": None, "cost_usd": None}
    assert cost_at_k(nothing, model_of("model=gpt-4o"), n=10, k=1)["cost_usd"] is None
