import pytest

from passgrid.config import compose
from passgrid.steps import _cost
from tests.conftest import CONF

USAGE = {"prompt_tokens": 2_000_000, "completion_tokens": 500_000, "sampling_seconds": 7200.0}


def test_api_cost_from_list_prices():
    cost = _cost(USAGE, compose(CONF, ["model=gpt-4o"])["model"])
    assert cost["cost_usd"] == pytest.approx(2 * 2.5 + 0.5 * 10.0)
    assert cost["gpu_seconds"] is None and cost["flops"] is None  # OpenAI publishes no parameter count


def test_self_hosted_cost_from_gpu_time():
    model = compose(CONF, ["model=llama-3.1-70b-instruct", "model.price_per_gpu_hour=2.0"])["model"]
    cost = _cost(USAGE, model)
    assert cost["gpu_seconds"] == 7200.0 * 4  # tensor parallel over 4 GPUs
    assert cost["cost_usd"] == pytest.approx(8 * 2.0)
    assert cost["flops"] == pytest.approx(2 * 70e9 * 2_500_000)


def test_unknown_prices_stay_unknown():
    cost = _cost(USAGE, compose(CONF, [])["model"])
    assert cost["cost_usd"] is None and cost["gpu_seconds"] is None
    assert cost["flops"] == pytest.approx(2 * 0.135e9 * 2_500_000)
