"""vLLM's offline engine on the GPUs of this machine.

One request per problem asks for all n samples (`SamplingParams.n`), so the
prompt is computed once and its KV cache shared; prefix caching is on, every
sampling parameter is explicit (vLLM's max_tokens defaults to 16), and with a
seed vLLM draws sample i with seed + i. vLLM is imported only here.
"""
import time

from passgrid.backends.base import Backend, Generation, Request


class VLLMBackend(Backend):
    name = "vllm"

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
