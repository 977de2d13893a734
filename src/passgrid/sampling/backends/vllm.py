"""vLLM's offline engine on the GPUs of this machine.

One request per problem asks for all n samples (`SamplingParams.n`), so the
prompt is computed once and its KV cache shared; prefix caching is on, every
sampling parameter is explicit (vLLM's max_tokens defaults to 16).

Seeds: vLLM takes one seed per request and seeds its i-th child `seed + i`
(vllm/v1/engine/parallel_sampling.py). A request's seed is the problem's
stream at the request's first sample (passgrid.sampling.seeds), so child i
is drawn with exactly the stream's seed for its sample, which each record
keeps. vLLM is imported only here.
"""
import time
from dataclasses import dataclass
from typing import Optional

from passgrid.changes import DERIVED, SAMPLES, setting
from passgrid.sampling.backends.base import Backend, Generation, Request


@dataclass
class VLLMSettings:
    hf_id: Optional[str] = setting(None, SAMPLES)  # a hub id or local directory
    # Tensor parallelism changes the order of the reductions, and so tokens.
    tensor_parallel_size: int = setting(1, SAMPLES)
    gpu_memory_utilization: float = setting(0.9, DERIVED)
    # vLLM ends a sequence at max_model_len, cutting completions short
    max_model_len: Optional[int] = setting(None, SAMPLES)
    est_tokens_per_s: Optional[float] = setting(None, DERIVED)  # decode throughput of one replica, for GPU-hour estimates


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

    def __init__(self, model: dict, threads: int = 1):
        super().__init__(model, threads)
        from vllm import LLM

        self.llm = LLM(model=model["hf_id"], tensor_parallel_size=model["tensor_parallel_size"],
                       gpu_memory_utilization=model["gpu_memory_utilization"],
                       max_model_len=model.get("max_model_len"), enable_prefix_caching=True, seed=0)

    def sampling_params(self, request: Request):
        from vllm import SamplingParams

        return SamplingParams(n=request.n, temperature=request.temperature, top_p=request.top_p,
                              max_tokens=request.max_tokens, seed=request.seed, stop=list(request.stop) or None)

    def generate(self, request: Request) -> list:
        start = time.perf_counter()
        params = self.sampling_params(request)
        if request.messages is not None:  # the model's own chat template
            [result] = self.llm.chat([request.messages], params, use_tqdm=False)
        else:
            [result] = self.llm.generate([request.prompt], params, use_tqdm=False)
        latency = time.perf_counter() - start
        prompt_tokens = len(result.prompt_token_ids or [])
        outputs = sorted(result.outputs, key=lambda o: o.index)
        return [Generation(text=o.text, prompt_tokens=prompt_tokens if i == 0 else 0,  # computed once, shared
                           completion_tokens=len(o.token_ids), finish_reason=o.finish_reason or "unknown",
                           latency_s=latency)
                for i, o in enumerate(outputs)]

    def close(self) -> None:
        del self.llm
