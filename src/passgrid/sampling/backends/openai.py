"""OpenAI's API, or any OpenAI-compatible server (vLLM serve, llama.cpp server, ...).

Asks for n choices per request, at most `model.max_n_per_request` at a time,
and tops up with further requests when a server returns fewer (many
compatible servers ignore `n`); up to `model.max_concurrency`
problems are in flight at once. The openai client retries
rate limits, server errors and timeouts with backoff (`model.max_retries`);
authentication and unknown-model errors stop the run with one line. The API
key is read from the variable named by `model.api_key_env` and never stored.

Seeds: the API takes one `seed` per request, however many choices it asks
for. A request's seed is the problem's stream at its first sample
(passgrid.sampling.seeds), and a top-up request for the rest continues the
stream where the earlier ones stopped. Choice i is recorded with the
stream's seed for its sample (seed + i); how a server derives its choices
from one seed is its own (OpenAI's seed is best-effort).
"""
import os
import sys
import time
from dataclasses import dataclass
from typing import Optional

from passgrid import PassgridError
from passgrid.changes import DERIVED, SAMPLES, setting
from passgrid.sampling.backends.base import Backend, Generation, Request


@dataclass
class OpenAISettings:
    base_url: Optional[str] = setting(None, SAMPLES)  # any OpenAI-compatible server; None: OpenAI
    # How the key is found and how requests are paced change no sample.
    api_key_env: str = setting("OPENAI_API_KEY", DERIVED)  # the variable holding the key; the key is never stored
    max_retries: int = setting(5, DERIVED)  # retries with backoff on rate limits, server errors, timeouts
    max_concurrency: int = setting(8, DERIVED)  # problems in flight at once
    request_timeout_s: float = setting(600.0, DERIVED)
    # A problem's n samples go in requests of at most this many, each seeded
    # where the stream stands (servers have hung and repeated samples at n in
    # the hundreds; the published run asked for 250 at most). The seeds are
    # the same however the samples are split.
    max_n_per_request: int = setting(250, DERIVED)
    # Ask for the sampled tokens' log-probabilities (what the logprob strategy
    # ranks by); false for a server or model that refuses them. Changes no sample.
    logprobs: bool = setting(True, DERIVED)


def share_out(total: int, weights: list) -> list:
    """`total` in whole parts proportional to `weights` (evenly where they are
    all 0), the largest remainders rounded up, so that the parts add up to it."""
    weights = weights if sum(weights) else [1] * len(weights)
    exact = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: parts[i] - exact[i])[:total - sum(parts)]:
        parts[i] += 1
    return parts


def mean_logprob(choice):
    """The mean log-probability of a choice's tokens (a chat reply's
    `logprobs.content`, a completion's `logprobs.token_logprobs`); None where
    the server sent none."""
    found = getattr(choice, "logprobs", None)
    if found is None:
        return None
    content = getattr(found, "content", None)
    values = [t.logprob for t in content] if content is not None else getattr(found, "token_logprobs", None)
    values = [v for v in values or () if v is not None]
    return sum(values) / len(values) if values else None


class OpenAIBackend(Backend):
    name = "openai"
    Settings = OpenAISettings

    @classmethod
    def check(cls, model) -> list:
        return [f"model.{key}={getattr(model, key)!r}: must be >= 1" for key in ("max_n_per_request", "max_concurrency")
                if getattr(model, key) < 1]

    def __init__(self, model, threads: int = 1):
        super().__init__(model, threads)
        import openai

        key = os.environ.get(model.api_key_env)
        if not key and not model.base_url:
            raise PassgridError(f"model.api_key_env: set ${model.api_key_env} to your OpenAI API key")
        # A local compatible server usually takes any key; the client insists on one.
        self.client = openai.OpenAI(base_url=model.base_url, api_key=key or "unused",
                                    max_retries=model.max_retries, timeout=model.request_timeout_s)
        self.errors = openai
        self.logprobs = model.logprobs  # until the server refuses them

    def generate(self, request: Request) -> list:
        out, start = [], time.perf_counter()
        while len(out) < request.n:
            ask = min(request.n - len(out), self.model.max_n_per_request)
            response = self._create(request, n=ask, seed=request.seed + len(out))
            if not response.choices:
                raise PassgridError(f"model.base_url: {self.model.base_url or 'OpenAI'} returned no choices")
            usage, choices = response.usage, response.choices[:ask]
            texts = [(c.message.content if request.messages is not None else c.text) or "" for c in choices]
            # Usage comes per response: its completion tokens are shared out
            # over its choices by their length, its prompt goes on its first
            # sample (billed once per request). So a cell that takes the first
            # n of a larger draw counts n samples' tokens and its requests' prompts.
            # A server that sends no usage leaves them unknown (None), not 0.
            shares = share_out(usage.completion_tokens, [len(t) for t in texts]) if usage else [None] * len(texts)
            for j, (choice, text) in enumerate(zip(choices, texts)):
                out.append(Generation(
                    text=text, prompt_tokens=(usage.prompt_tokens if j == 0 else 0) if usage else None,
                    completion_tokens=shares[j], finish_reason=choice.finish_reason or "unknown",
                    latency_s=time.perf_counter() - start, mean_logprob=mean_logprob(choice)))
        return out

    def provenance(self) -> dict:
        import openai

        return {"backend": self.name, "engine": self.model.base_url or "OpenAI",
                "model": self.model.name, "client_version": openai.__version__}

    def generate_many(self, requests: list):
        """Up to model.max_concurrency problems in flight at once."""
        from concurrent.futures import ThreadPoolExecutor, as_completed

        pool = ThreadPoolExecutor(max_workers=self.model.max_concurrency)
        try:
            futures = {pool.submit(self.generate, request): index for index, request in enumerate(requests)}
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _send(self, request: Request, common: dict):
        """One request, asking for log-probabilities while the server takes
        them; a server that refuses them (llama-cpp-python's, unless its model
        keeps every logit) is asked without them from then on, and its samples
        have none (the logprob strategy falls back on them)."""
        asked = self.logprobs  # as this request asked: another in flight may turn them off meanwhile
        try:
            return self._post(request, common, asked)
        except self.errors.APIStatusError as e:
            refused = asked and "logprob" in str(e).lower()
            if not refused or isinstance(e, (self.errors.AuthenticationError, self.errors.NotFoundError)):
                raise
            print(f"passgrid: {self.model.base_url or 'OpenAI'} refuses log-probabilities ({str(e)[:200]}); "
                  "drawing without them", file=sys.stderr)
            self.logprobs = False
            return self._post(request, common, False)

    def _post(self, request: Request, common: dict, logprobs: bool):
        if request.messages is not None:
            return self.client.chat.completions.create(messages=request.messages, **common,
                                                       **({"logprobs": True} if logprobs else {}))
        return self.client.completions.create(prompt=request.prompt, **common, **({"logprobs": 0} if logprobs else {}))

    def _create(self, request: Request, n: int, seed: int):
        common = dict(model=self.model.name, n=n, temperature=request.temperature, top_p=request.top_p,
                      max_tokens=request.max_tokens, seed=seed, stop=list(request.stop) or None)
        try:
            return self._send(request, common)
        except self.errors.AuthenticationError:
            raise PassgridError(f"model.api_key_env: the server refused the key in ${self.model.api_key_env}") from None
        except self.errors.NotFoundError:
            raise PassgridError(f"model.name: {self.model.name!r} is not served at "
                                f"{self.model.base_url or 'OpenAI'}") from None
        except self.errors.APIConnectionError as e:
            raise PassgridError(f"model.base_url: cannot reach {self.model.base_url or 'OpenAI'}: {e}") from None
