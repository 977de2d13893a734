"""The OpenAI backend against a real OpenAI-compatible server on loopback:
llama-cpp-python's own server with SmolLM2, started by the test."""
import sys
from dataclasses import replace

import pytest

from passgrid import PassgridError
from passgrid.grid.compose import compose
from passgrid.grid.schema import ModelConfig
from passgrid.sampling.backends import Request, make_backend
from passgrid.sampling.backends.llamacpp import resolve_model_path
from tests.conftest import CONF, free_port, serve

API_KEY = "test-key-not-secret"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    gguf = resolve_model_path(compose(CONF, []).model.path)
    proc, url, log = serve([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
                            "--port", "{port}", "--n_ctx", "2048", "--api_key", API_KEY, "--model_alias", "smollm2"],
                           "/docs", tmp_path_factory.mktemp("server") / "server.log", seconds=60)
    yield url + "/v1"
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def model_config(url, **extra):
    return compose(CONF, ["model=openai_compatible", f"model.base_url={url}", "model.name=smollm2",
                          "model.max_retries=0"] + [f"model.{k}={v}" for k, v in extra.items()]).model


def chat_request(n):
    return Request(n=n, temperature=0.8, top_p=0.95, max_tokens=24, seed=7,
                   messages=[{"role": "user", "content": "Write a Python function that adds two numbers."}])


@pytest.mark.system  # llama.cpp's server with the real model
def test_tops_up_when_the_server_returns_fewer_choices(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    backend = make_backend(model_config(server))
    generations = backend.generate(chat_request(3))  # llama.cpp's server ignores n: three requests
    assert len(generations) == 3
    assert all(g.text for g in generations)
    assert all(g.prompt_tokens > 0 for g in generations)  # one response per sample: each pays for its prompt
    assert sum(g.completion_tokens for g in generations) > 0
    assert all(g.finish_reason in ("stop", "length") for g in generations)
    # llama-cpp-python's server refuses log-probabilities (its model keeps only the last logits):
    # asked once, then drawn without them
    assert all(g.mean_logprob is None for g in generations)


@pytest.mark.system  # llama.cpp's server with the real model
def test_sampling_through_the_server_writes_every_problem(server, monkeypatch, tmp_path, problems):
    from passgrid.files import read_jsonl
    from tests.conftest import sample_problems

    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    cfg = compose(CONF, [])
    chosen = [problems[f"HumanEval/{i}"] for i in range(3)]
    sampling = replace(cfg.sampling, n=2, max_tokens=32)
    counts = sample_problems(chosen, model_config(server, max_concurrency=3), cfg.prompt, sampling,
                             tmp_path / "shards", tmp_path / "samples.jsonl", progress=False)
    provenance = counts.pop("provenance")
    assert counts == {"sampled": 3, "resumed": 0, "drawn": 6, "samples": 6}
    assert provenance["engine"] == server and provenance["model"] == "smollm2"
    rows = list(read_jsonl(tmp_path / "samples.jsonl"))
    assert [(r["task_id"], r["sample_index"]) for r in rows] == [(f"HumanEval/{i}", j) for i in range(3) for j in (0, 1)]


@pytest.mark.system  # llama.cpp's server with the real model
def test_wrong_key_is_a_one_line_error_naming_the_variable(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "wrong")
    backend = make_backend(model_config(server))
    with pytest.raises(PassgridError, match=r"model.api_key_env: the server refused the key in \$OPENAI_API_KEY"):
        backend.generate(chat_request(1))


@pytest.mark.system
def test_unreachable_server_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    backend = make_backend(model_config(f"http://127.0.0.1:{free_port()}/v1"))
    with pytest.raises(PassgridError, match="model.base_url: cannot reach"):
        backend.generate(chat_request(1))


def test_openai_without_a_key_says_which_variable(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(PassgridError, match=r"set \$OPENAI_API_KEY"):
        make_backend(compose(CONF, ["model=gpt-4o"]).model)


def test_large_n_goes_in_requests_of_at_most_max_n_per_request_seeded_along_the_stream(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    backend = make_backend(compose(CONF, ["model=gpt-4o", "model.max_n_per_request=4"]).model)
    asked = []

    def create(**kwargs):
        asked.append((kwargs["n"], kwargs["seed"]))
        assert kwargs["logprobs"] is True  # the sampled tokens' own, for the logprob strategy
        tokens = [SimpleNamespace(logprob=-0.25), SimpleNamespace(logprob=-0.75)]
        choices = [SimpleNamespace(message=SimpleNamespace(content=f"{kwargs['seed']}+{i}"), finish_reason="stop",
                                   logprobs=SimpleNamespace(content=tokens)) for i in range(kwargs["n"])]
        return SimpleNamespace(choices=choices, usage=SimpleNamespace(prompt_tokens=5, completion_tokens=kwargs["n"]))

    backend.client = SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(create=create)))
    generations = backend.generate(chat_request(10))
    assert asked == [(4, 7), (4, 11), (2, 15)]  # the request's seed is 7: the stream continues at 11 and 15
    assert [g.text for g in generations] == ["7+0", "7+1", "7+2", "7+3", "11+0", "11+1", "11+2", "11+3", "15+0", "15+1"]
    assert [g.prompt_tokens for g in generations].count(5) == 3  # each response pays for its prompt once
    assert all(g.mean_logprob == -0.5 for g in generations)


def test_a_completions_mean_logprob_and_a_server_that_sends_none():
    from types import SimpleNamespace

    from passgrid.sampling.backends.openai import mean_logprob

    assert mean_logprob(SimpleNamespace(logprobs=SimpleNamespace(content=None, token_logprobs=[-1.0, -2.0, None]))) \
        == -1.5  # a completion's list (None where a server echoes the prompt's first token)
    assert mean_logprob(SimpleNamespace(logprobs=None)) is None and mean_logprob(SimpleNamespace()) is None


def test_a_responses_usage_is_shared_out_over_its_choices():
    """Usage comes per response; each sample gets its share of the completion
    tokens (by length), the prompt goes once per request: a cell taking the
    first 2 of 5 choices carries 2 choices' tokens, not 5."""
    from types import SimpleNamespace

    from passgrid.sampling.backends.openai import OpenAIBackend, share_out

    assert share_out(100, [10, 30, 60]) == [10, 30, 60] and sum(share_out(7, [1, 1, 1])) == 7
    assert share_out(5, [0, 0]) == [3, 2] or share_out(5, [0, 0]) == [2, 3]
    texts = ["a" * 10, "b" * 10, "c" * 20, "d" * 40, "e" * 20]
    response = SimpleNamespace(usage=SimpleNamespace(prompt_tokens=50, completion_tokens=200),
                               choices=[SimpleNamespace(message=SimpleNamespace(content=t), finish_reason="stop")
                                        for t in texts])
    backend = OpenAIBackend.__new__(OpenAIBackend)
    backend.model = ModelConfig(name="gpt-4o", backend="openai", max_n_per_request=5)
    backend._create = lambda request, n, seed: response
    samples = backend.generate(chat_request(5))
    assert [s.completion_tokens for s in samples] == [20, 20, 40, 80, 40]
    assert [s.prompt_tokens for s in samples] == [50, 0, 0, 0, 0]
    assert sum(s.completion_tokens for s in samples[:2]) == 40  # not 200
    unsent = SimpleNamespace(usage=None, choices=response.choices)  # a server that sends no usage: unknown, not 0
    backend._create = lambda request, n, seed: unsent
    assert {(s.prompt_tokens, s.completion_tokens) for s in backend.generate(chat_request(5))} == {(None, None)}
