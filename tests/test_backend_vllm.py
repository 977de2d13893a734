"""The vLLM backend against a stand-in that honours the part of vLLM's API it
uses (LLM(...), LLM.chat/generate, SamplingParams, RequestOutput); the real
engine needs a GPU: bench/vllm_smoke.py runs it there."""
import sys
import types
from dataclasses import dataclass, field

import pytest

from passgrid.grid.compose import compose
from passgrid.sampling.backends import Request, make_backend
from tests.conftest import CONF


@dataclass
class SamplingParams:
    n: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 16  # vLLM's own default: the backend must never rely on it
    seed: int = None
    stop: list = None


@dataclass
class CompletionOutput:
    index: int
    text: str
    token_ids: list
    finish_reason: str


@dataclass
class RequestOutput:
    prompt_token_ids: list
    outputs: list = field(default_factory=list)


class LLM:
    made = []

    def __init__(self, **kwargs):
        self.kwargs, self.calls = kwargs, []
        LLM.made.append(self)

    def _answer(self, prompts, params):
        self.calls.append((prompts, params))
        # outputs come back in any order; index says which sample each is
        return [RequestOutput(prompt_token_ids=[1] * 7, outputs=[
            CompletionOutput(index=i, text=f"sample {i} seed {params.seed}", token_ids=[0] * (i + 1),
                             finish_reason="stop") for i in reversed(range(params.n))]) for _ in prompts]

    def chat(self, conversations, params, use_tqdm=True):
        return self._answer(conversations, params)

    def generate(self, prompts, params, use_tqdm=True):
        return self._answer(prompts, params)


@pytest.fixture
def fake_vllm(monkeypatch):
    module = types.ModuleType("vllm")
    module.LLM, module.SamplingParams = LLM, SamplingParams
    monkeypatch.setitem(sys.modules, "vllm", module)
    LLM.made.clear()
    return module


def test_engine_gets_the_model_config(fake_vllm):
    model = compose(CONF, ["model=llama-3.1-70b-instruct"])["model"]
    make_backend(model)
    [engine] = LLM.made
    assert engine.kwargs == {"model": "meta-llama/Llama-3.1-70B-Instruct", "tensor_parallel_size": 4,
                             "gpu_memory_utilization": 0.9, "max_model_len": 4096, "enable_prefix_caching": True,
                             "seed": 0}


def test_one_request_asks_for_all_n_samples_with_explicit_parameters(fake_vllm):
    backend = make_backend(compose(CONF, ["model=llama-3.1-8b-instruct"])["model"])
    request = Request(n=5, temperature=0.7, top_p=0.9, max_tokens=1024, seed=11,
                      messages=[{"role": "user", "content": "hi"}])
    generations = backend.generate(request)
    [(prompts, params)] = LLM.made[0].calls
    assert prompts == [request.messages]  # the prompt once, not n times
    assert (params.n, params.temperature, params.top_p, params.max_tokens, params.seed) == (5, 0.7, 0.9, 1024, 11)
    assert [g.text for g in generations] == [f"sample {i} seed 11" for i in range(5)]  # in seed order
    assert [g.completion_tokens for g in generations] == [1, 2, 3, 4, 5]
    assert [g.prompt_tokens for g in generations] == [7, 0, 0, 0, 0]  # the prompt is computed once
    assert all(g.finish_reason == "stop" for g in generations)


def test_completion_style_uses_generate(fake_vllm):
    backend = make_backend(compose(CONF, ["model=llama-3.1-8b-instruct"])["model"])
    backend.generate(Request(n=2, temperature=0.2, top_p=1.0, max_tokens=64, seed=0, prompt="def f():\n",
                             stop=("\ndef ",)))
    [(prompts, params)] = LLM.made[0].calls
    assert prompts == ["def f():\n"] and params.stop == ["\ndef "]


def test_vllm_is_imported_only_when_chosen():
    import subprocess

    guard = ("import sys\nclass NoVllm:\n    def find_spec(self, name, path=None, target=None):\n"
             "        if name.split('.')[0] == 'vllm': raise ImportError('vllm imported')\n"
             "sys.meta_path.insert(0, NoVllm())\n"
             "import passgrid.sampling.backends, passgrid.steps, passgrid.cli, passgrid.execution.judge\n"
             "from passgrid.sampling.backends import make_backend\nfrom passgrid.grid.compose import compose\n"
             f"make_backend(compose({str(CONF)!r}, [])['model']).close()\n")
    subprocess.run([sys.executable, "-c", guard], check=True)
