"""vLLM's offline engine on the GPUs of this machine (or its CPU build).

Every sample of every problem of a draw goes to the engine at once, so that
vLLM's scheduler batches across problems; the engine is stepped until it
has nothing left, and a problem is handed over as soon as its last sample
finishes, so a killed job loses only the problems in flight. Every sampling
parameter is explicit (vLLM's max_tokens defaults to 16).

Each sample is its own request (n = 1): vLLM fans a request for n samples
out into n child requests anyway (vllm/v1/engine/llm_engine.py), seeding
child i `seed + i` (parallel_sampling.py), and reports only one child's
prefix-cache hits for the lot. Sent as its own request seeded with the
problem's stream at its index (passgrid.sampling.seeds), a sample is drawn
exactly as that child would be, the prompt is shared through the prefix
cache, and what each sample computed of the prompt is counted exactly.

Memory: `model.kv_cache_gib` is the KV cache's, passed to the engine (it
wins over vLLM's VLLM_CPU_KVCACHE_SPACE). Left unset on vLLM's CPU build,
passgrid takes CPU_KV_CACHE_GIB or a quarter of the memory available,
whichever is less: the engine's own default there claims most of the
machine (20.3 of 23.5 GiB on a 24 GiB one, and the kernel killed the
worker). One the machine cannot hold is an error before the engine starts.
On the CPU, seeded requests need every prompt prefilled in one step
(enable_chunked_prefill false, max_num_batched_tokens >= max_model_len, as
conf/model/smollm2-135m-vllm.yaml sets; else an error before the engine
starts): a sampled token discarded after a partial prefill makes vLLM
rewind the request's generator, which a CPU generator cannot ("CPU
Generator does not use offset", and the engine dies).
vLLM is imported only here.
"""
import json
import os
import time
from dataclasses import dataclass, replace
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
    max_num_batched_tokens: Optional[int] = setting(None, SAMPLES, added=True)  # tokens per engine step
    enable_chunked_prefill: Optional[bool] = setting(None, SAMPLES, added=True)  # false: a prompt is prefilled in one step
    gpu_memory_utilization: float = setting(0.9, DERIVED)
    kv_cache_gib: Optional[float] = setting(None, DERIVED)  # the KV cache's memory (None: see the module's docstring)
    est_tokens_per_s: Optional[float] = setting(None, DERIVED)  # decode throughput of one replica, for GPU-hour estimates


# The model-config fields that are vLLM engine options, passed through as they are (None: vLLM's default).
ENGINE_OPTIONS = ("dtype", "quantization", "tensor_parallel_size", "enforce_eager", "max_model_len",
                  "enable_prefix_caching", "max_num_seqs", "max_num_batched_tokens", "enable_chunked_prefill",
                  "gpu_memory_utilization")
CPU_KV_CACHE_GIB = 4.0


def kv_cache_gib(model, on_cpu: bool, available_bytes: int):
    """The KV cache's GiB for this machine: the config's, else (on the CPU)
    CPU_KV_CACHE_GIB or a quarter of what is available, whichever is less;
    None: the engine's own choice (a GPU's, by gpu_memory_utilization)."""
    available = available_bytes / 2 ** 30
    gib = model.kv_cache_gib
    if gib is None:
        return min(CPU_KV_CACHE_GIB, round(available / 4, 1)) if on_cpu else None
    if gib <= 0 or on_cpu and gib > available:
        raise PassgridError(f"model.kv_cache_gib={gib}: more than the {available:.1f} GiB this machine has "
                            "available" if gib > 0 else f"model.kv_cache_gib={gib}: must be > 0")
    return gib


class VLLMBackend(Backend):
    name = "vllm"
    Settings = VLLMSettings
    conda_env = "sampling-gpu.yaml"  # CUDA's vLLM; the CPU build has its own virtualenv (model.python)

    @classmethod
    def check(cls, model) -> list:
        hf_id = model.hf_id
        if not hf_id:
            return ["model.hf_id: the vllm backend needs a model id or directory"]
        if hf_id.startswith(("/", "./", "../")) and not os.path.isdir(hf_id):  # a path, not a hub id
            return [f"model.hf_id={hf_id!r}: no model directory there (`make vllm` makes SmolLM2's; "
                    "relative paths are from the working directory)"]
        return []

    @classmethod
    def gpus(cls, model) -> int:
        return model.tensor_parallel_size

    @classmethod
    def tokens_per_s(cls, model):
        return model.est_tokens_per_s

    @staticmethod
    def engine_options(model) -> dict:
        """LLM(...)'s arguments: the model, the options the config sets, and
        the engine's own seed (every request brings its own)."""
        options = {k: getattr(model, k) for k in ENGINE_OPTIONS if getattr(model, k) is not None}
        if model.kv_cache_gib is not None:
            options["kv_cache_memory_bytes"] = int(model.kv_cache_gib * 2 ** 30)
        return {"model": model.hf_id, **options, "seed": 0}

    def __init__(self, model, threads: int = 1):
        if os.path.isdir(model.hf_id):  # a local model needs no hub: offline unless told otherwise
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import psutil
        from vllm.platforms import current_platform

        on_cpu = current_platform.is_cpu()
        if on_cpu and model.enable_chunked_prefill is not False:
            raise PassgridError("model.enable_chunked_prefill: must be false on vLLM's CPU build, with "
                                "max_num_batched_tokens >= max_model_len (a seeded request prefilled in parts kills "
                                "the engine: 'CPU Generator does not use offset')")
        model = replace(model, kv_cache_gib=kv_cache_gib(model, on_cpu, psutil.virtual_memory().available))
        super().__init__(model, threads)
        if model.kv_cache_gib is not None:
            os.environ.pop("VLLM_CPU_KVCACHE_SPACE", None)  # else it would win over the config
        from vllm import LLM

        self.llm = LLM(**self.engine_options(model))

    def sampling_params(self, request: Request, index: int):
        """The request for sample `index` of a problem: seeded where the stream stands."""
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        return SamplingParams(n=1, temperature=request.temperature, top_p=request.top_p,
                              max_tokens=request.max_tokens, seed=request.seed + index,
                              stop=list(request.stop) or None, output_kind=RequestOutputKind.FINAL_ONLY,
                              logprobs=0)  # the sampled tokens' own (raw, before temperature): mean_logprob

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
        """Queue every sample of every request in the engine, step it, and
        yield (index, generations) as each request's last sample finishes."""
        engine = self.llm.llm_engine
        pending, start = {}, time.perf_counter()
        for j, request in enumerate(requests):
            prompt = self.prompt(request)
            for i in range(request.n):
                engine.add_request(f"{j}:{i}", prompt, self.sampling_params(request, i))
                pending[f"{j}:{i}"] = (j, i)
        results = [[None] * r.n for r in requests]
        left = [r.n for r in requests]
        try:
            while engine.has_unfinished_requests():
                for out in engine.step():
                    if not out.finished:
                        continue
                    j, i = pending.pop(out.request_id)
                    [o] = out.outputs
                    # what this sample computed of its prompt: none of it where prefix-cached
                    computed = len(out.prompt_token_ids or []) - (out.num_cached_tokens or 0)
                    results[j][i] = Generation(text=o.text, prompt_tokens=computed,
                                               completion_tokens=len(o.token_ids),
                                               finish_reason=o.finish_reason or "unknown",
                                               latency_s=time.perf_counter() - start,
                                               mean_logprob=_mean(o.cumulative_logprob, len(o.token_ids)))
                    left[j] -= 1
                    if left[j] == 0:
                        yield j, results[j]
        finally:  # a generator closed early leaves nothing queued for the next call
            if pending:
                engine.abort_request(list(pending))

    def provenance(self) -> dict:
        import vllm

        found = {"backend": self.name, "engine": "vLLM", "version": vllm.__version__,
                 "options": self.engine_options(self.model)}
        mark = os.path.join(self.model.hf_id, "passgrid-gguf.json")  # a directory passgrid converted
        if os.path.isfile(mark):
            with open(mark, encoding="utf-8") as f:
                found["converted_from"] = json.load(f)
        return found

    def close(self) -> None:
        del self.llm


def _mean(total, tokens: int):
    """A sample's mean token log-probability; None where the engine gave none."""
    return None if total is None or not tokens else float(total) / tokens
