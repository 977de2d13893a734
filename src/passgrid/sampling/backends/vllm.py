"""vLLM's offline engine on the GPUs of this machine (or its CPU build).

Every problem of a draw goes to the engine at once, so that vLLM's scheduler
batches across problems; a problem's n samples go as requests of at most
`model.max_n_per_request`, each with `SamplingParams.n`, so a prompt is
computed once and its KV cache shared (and prefix-cached across requests).
The engine is stepped until it has nothing left, and a problem is handed
over as soon as its last request finishes, so a killed job loses only the
problems in flight. Every sampling parameter is explicit (vLLM's max_tokens
defaults to 16).

Seeds: vLLM takes one seed per request and seeds its i-th child `seed + i`
(vllm/v1/engine/parallel_sampling.py). A request's seed is the problem's
stream at the request's first sample (passgrid.sampling.seeds), so child i
is drawn with exactly the stream's seed for its sample, which each record
keeps, however n is split. vLLM is imported only here.
"""
import json
import os
import time
from dataclasses import dataclass
from typing import Optional

from passgrid import PassgridError
from passgrid.changes import DERIVED, SAMPLES, setting
from passgrid.sampling.backends.base import Backend, Generation, Request


@dataclass
class VLLMSettings:
    hf_id: Optional[str] = setting(None, SAMPLES)  # a hub id or local directory
    # Engine options that change tokens: the arithmetic (dtype, quantization,
    # tensor parallelism, CUDA graphs), where a sequence must end, and what is
    # batched and cached together (vLLM's own issues #17524, #5543).
    dtype: str = setting("auto", SAMPLES)
    quantization: Optional[str] = setting(None, SAMPLES)
    tensor_parallel_size: int = setting(1, SAMPLES)
    enforce_eager: bool = setting(False, SAMPLES)
    max_model_len: Optional[int] = setting(None, SAMPLES)  # vLLM ends a sequence there, cutting completions short
    enable_prefix_caching: bool = setting(True, SAMPLES)
    max_num_seqs: Optional[int] = setting(None, SAMPLES)
    gpu_memory_utilization: float = setting(0.9, DERIVED)
    est_tokens_per_s: Optional[float] = setting(None, DERIVED)  # decode throughput of one replica, for GPU-hour estimates


# The model-config fields that are vLLM engine options, passed through as they are (None: vLLM's default).
ENGINE_OPTIONS = ("dtype", "quantization", "tensor_parallel_size", "enforce_eager", "max_model_len",
                  "enable_prefix_caching", "max_num_seqs", "gpu_memory_utilization")


class VLLMBackend(Backend):
    name = "vllm"
    Settings = VLLMSettings

    @classmethod
    def check(cls, model: dict) -> list:
        return [] if model.get("hf_id") else ["model.hf_id: the vllm backend needs a model id or directory"]

    @classmethod
    def gpus(cls, model: dict) -> int:
        return model["tensor_parallel_size"]

    @classmethod
    def tokens_per_s(cls, model: dict):
        return model.get("est_tokens_per_s")

    @staticmethod
    def engine_options(model: dict) -> dict:
        """LLM(...)'s arguments: the model, the options the config sets, and
        the engine's own seed (every request brings its own)."""
        options = {k: model[k] for k in ENGINE_OPTIONS if model.get(k) is not None}
        return {"model": model["hf_id"], **options, "seed": 0}

    def __init__(self, model: dict, threads: int = 1):
        super().__init__(model, threads)
        if os.path.isdir(model["hf_id"]):  # a local model needs no hub: offline unless told otherwise
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from vllm import LLM

        self.llm = LLM(**self.engine_options(model))

    def sampling_params(self, request: Request, first: int, n: int):
        """A request for samples first .. first + n - 1: seeded where the stream stands."""
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        return SamplingParams(n=n, temperature=request.temperature, top_p=request.top_p,
                              max_tokens=request.max_tokens, seed=request.seed + first,
                              stop=list(request.stop) or None, output_kind=RequestOutputKind.FINAL_ONLY)

    def prompt(self, request: Request):
        """The engine's input: a chat prompt through the model's own chat
        template, as token ids (so that no second BOS is added); a
        completion prompt as its text."""
        if request.messages is None:
            return request.prompt
        tokenizer = self.llm.get_tokenizer()
        text = tokenizer.apply_chat_template(request.messages, tokenize=False, add_generation_prompt=True)
        return {"prompt_token_ids": tokenizer.encode(text, add_special_tokens=False)}

    def generate(self, request: Request) -> list:
        return dict(self.generate_many([request]))[0]

    def generate_many(self, requests: list):
        """Queue every request's samples in the engine, step it, and yield
        (index, generations) as each request's last part finishes."""
        engine, size = self.llm.llm_engine, self.model["max_n_per_request"]
        parts, start = {}, time.perf_counter()
        for j, request in enumerate(requests):
            prompt = self.prompt(request)
            for first in range(0, request.n, size):
                part = f"{j}:{first}"
                engine.add_request(part, prompt, self.sampling_params(request, first, min(size, request.n - first)))
                parts[part] = (j, first)
        results = [[None] * r.n for r in requests]
        left = [r.n for r in requests]
        while engine.has_unfinished_requests():
            for out in engine.step():
                if not out.finished:
                    continue
                j, first = parts.pop(out.request_id)
                latency = time.perf_counter() - start
                # what the engine computed of the prompt for this part: none of it where prefix-cached
                computed = len(out.prompt_token_ids or []) - (getattr(out, "num_cached_tokens", None) or 0)
                for o in out.outputs:
                    results[j][first + o.index] = Generation(
                        text=o.text, prompt_tokens=computed if o.index == 0 else 0,
                        completion_tokens=len(o.token_ids), finish_reason=o.finish_reason or "unknown",
                        latency_s=latency)
                left[j] -= len(out.outputs)
                if left[j] == 0:
                    yield j, results[j]
        if parts:
            raise PassgridError(f"vLLM finished without {len(parts)} request(s), e.g. {next(iter(parts))}")

    def provenance(self) -> dict:
        import vllm

        found = {"backend": self.name, "engine": "vLLM", "version": vllm.__version__,
                 "options": self.engine_options(self.model)}
        mark = os.path.join(self.model["hf_id"], "passgrid-gguf.json")  # a directory passgrid converted
        if os.path.isfile(mark):
            with open(mark, encoding="utf-8") as f:
                found["converted_from"] = json.load(f)
        return found

    def close(self) -> None:
        del self.llm
