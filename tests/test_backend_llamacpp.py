"""The llama.cpp backend's continuous batching, on the real SmolLM2: fewer
slots than samples, so slots are refilled mid-run and the prompt holder moves
from one problem to the next while other samples are still decoding."""
import dataclasses

import pytest

from passgrid.datasets.problems import load_problems
from passgrid.grid.compose import compose
from passgrid.sampling.backends import Request, make_backend
from passgrid.sampling.draw import build_request, to_completion
from tests.conftest import CONF

pytestmark = pytest.mark.system  # the real model


@pytest.fixture(scope="module")
def backend_and_requests():
    # Long enough samples: batch-dependent arithmetic (as with flash attention
    # on) shows only after about a hundred tokens.
    cfg = compose(CONF, ["sampling.n=4", "sampling.max_tokens=200", "sampling.temperature=0.8",
                         "prompt.stop_at_answer=false", "model.n_parallel=3"])
    requests = [build_request(p, cfg.prompt, cfg.sampling) for p in load_problems("package", limit=2)]
    backend = make_backend(cfg.model, threads=2)
    yield backend, requests
    backend.close()


def test_each_sample_equals_the_sample_drawn_alone(backend_and_requests):
    """What makes a resumed run equal an uninterrupted one: a sample does not
    depend on the slot it got nor on the samples decoded beside it."""
    backend, requests = backend_and_requests
    together = dict(backend.generate_many(requests))
    assert sorted(together) == [0, 1]
    for j, request in enumerate(requests):
        alone = [backend.generate(dataclasses.replace(request, n=1, seed=request.seed + i))[0]
                 for i in range(request.n)]
        assert [g.text for g in together[j]] == [g.text for g in alone]
        assert [g.completion_tokens for g in together[j]] == [g.completion_tokens for g in alone]
    texts = [g.text for gens in together.values() for g in gens]
    assert len(set(texts)) > 1  # sampling at T=0.8, not one text copied around


def test_tokens_are_counted_once_per_prompt(backend_and_requests):
    backend, requests = backend_and_requests
    generations = backend.generate(requests[0])
    prompt_tokens = [g.prompt_tokens for g in generations]
    assert prompt_tokens[0] > 50 and prompt_tokens[1:] == [0, 0, 0]
    for g in generations:
        assert 1 <= g.completion_tokens <= 200
        assert g.finish_reason in ("stop", "length")
        assert (g.finish_reason == "length") <= (g.completion_tokens == 200)


def test_greedy_sample_equals_llama_cpp_pythons_own_completion(backend_and_requests):
    """An anchor outside passgrid's decoding loop: at temperature 0 the sample
    is llama-cpp-python's own chat completion of the same messages, so the
    prompt each slot decodes from (copied from the holder) is the whole prompt."""
    backend, requests = backend_and_requests
    greedy = [dataclasses.replace(r, n=2, temperature=0.0) for r in requests]
    ours = dict(backend.generate_many(greedy))
    for j, request in enumerate(greedy):
        reference = backend.llm.create_chat_completion(messages=request.messages, temperature=0.0,
                                                       max_tokens=request.max_tokens)
        assert [g.text for g in ours[j]] == [reference["choices"][0]["message"]["content"]] * 2


def test_a_samples_mean_logprob_is_llama_cpp_pythons_own(backend_and_requests):
    """An anchor outside passgrid's decoding loop: the greedy tokens'
    log-probabilities as llama-cpp-python reports them (every position's
    logits kept), averaged; and every sample, sampled or not, gets one."""
    from llama_cpp import Llama

    backend, requests = backend_and_requests
    request = Request(n=2, temperature=0.0, top_p=1.0, max_tokens=12, seed=3, prompt="def fibonacci(n):\n")
    ours = backend.generate(request)
    own = Llama(model_path=str(backend.llm.model_path), logits_all=True, n_ctx=512, n_threads=2, verbose=False)
    try:
        reply = own.create_completion(request.prompt, max_tokens=12, temperature=0.0, logprobs=1)["choices"][0]
    finally:
        own.close()
    assert ours[0].finish_reason == "length" and ours[0].text == reply["text"]
    expected = sum(reply["logprobs"]["token_logprobs"]) / 12
    assert ours[0].mean_logprob == ours[1].mean_logprob == pytest.approx(expected, abs=2e-3)
    sampled = backend.generate(requests[0])
    assert all(g.mean_logprob < 0 for g in sampled) and len({g.mean_logprob for g in sampled}) > 1


def test_stopping_at_the_answer_keeps_every_program_and_saves_tokens(problems):
    cfg = compose(CONF, ["sampling.n=6", "sampling.max_tokens=160", "sampling.temperature=0.8"])
    problem = problems["HumanEval/4"]
    stopping = build_request(problem, cfg.prompt, cfg.sampling)
    assert stopping.stop_at_answer == "mean_absolute_deviation"  # the chat default
    whole = dataclasses.replace(stopping, stop_at_answer=None)
    backend = make_backend(cfg.model, threads=2)
    try:
        short, full = backend.generate(stopping), backend.generate(whole)
    finally:
        backend.close()
    assert [to_completion(g.text, problem, cfg.prompt) for g in short] == \
        [to_completion(g.text, problem, cfg.prompt) for g in full]
    assert all(f.text.startswith(s.text) for s, f in zip(short, full))
    assert any(g.finish_reason == "answer" for g in short)
    for s, f in zip(short, full):
        if s.finish_reason == "answer":
            assert s.text.rstrip().endswith("```") and s.completion_tokens < f.completion_tokens
    assert sum(g.completion_tokens for g in short) < sum(g.completion_tokens for g in full)
