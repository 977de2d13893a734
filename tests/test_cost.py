import pytest

from passgrid.config import compose
from passgrid.costs import cost_at_k
from tests.conftest import CONF

USAGE = {"prompt_tokens": 2_000_000, "completion_tokens": 500_000, "sampling_seconds": 7200.0}


def test_api_cost_from_list_prices():
    cost = cost_at_k(USAGE, compose(CONF, ["model=gpt-4o"])["model"], n=10, k=10)
    assert cost["cost_usd"] == pytest.approx(2 * 2.5 + 0.5 * 10.0)
    assert cost["gpu_hours"] is None and cost["flops"] is None  # OpenAI publishes no parameter count


def test_self_hosted_cost_from_gpu_time():
    model = compose(CONF, ["model=llama-3.1-70b-instruct", "model.price_per_gpu_hour=2.0"])["model"]
    cost = cost_at_k(USAGE, model, n=10, k=10)
    assert cost["gpu_hours"] == 2.0 * 4  # tensor parallel over 4 GPUs
    assert cost["cost_usd"] == pytest.approx(8 * 2.0)
    assert cost["flops"] == pytest.approx(2 * 70e9 * 2_500_000)


def test_k_samples_cost_the_prompts_once_and_k_over_n_of_the_completions():
    model = compose(CONF, ["model=gpt-4o"])["model"]
    cost = cost_at_k(USAGE, model, n=10, k=1)
    assert cost["cost_usd"] == pytest.approx(2 * 2.5 + 0.05 * 10.0)
    flops = cost_at_k(USAGE, compose(CONF, [])["model"], n=10, k=5)["flops"]
    assert flops == pytest.approx(2 * 0.135e9 * (2_000_000 + 250_000))


def test_unknown_prices_stay_unknown():
    cost = cost_at_k(USAGE, compose(CONF, [])["model"], n=10, k=10)
    assert cost["cost_usd"] is None and cost["gpu_hours"] is None
    assert cost["flops"] == pytest.approx(2 * 0.135e9 * 2_500_000)
