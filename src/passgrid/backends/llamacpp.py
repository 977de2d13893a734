"""llama.cpp on the CPU through llama-cpp-python: the offline default."""
import time
from pathlib import Path

from passgrid import PassgridError
from passgrid.backends.base import Backend, Generation, Request
from passgrid.files import package_file

PACKAGE_PREFIX = "pkg://"


def resolve_model_path(path: str) -> Path:
    """A GGUF path, or pkg://PACKAGE/FILE for a file shipped inside a Python package."""
    if path.startswith(PACKAGE_PREFIX):
        package, _, name = path[len(PACKAGE_PREFIX):].partition("/")
        resolved = package_file(package, name)
    else:
        resolved = Path(path)
    if not resolved.is_file():
        raise PassgridError(f"model.path: no model file at {resolved}")
    return resolved


class LlamaCppBackend(Backend):
    name = "llamacpp"

    def __init__(self, model: dict, threads: int = 1):
        super().__init__(model, threads)
        from llama_cpp import Llama

        self.llm = Llama(
            model_path=str(resolve_model_path(model["path"])),
            n_ctx=model["n_ctx"],  # llama-cpp-python's default of 512 truncates long prompts
            n_threads=model.get("n_threads") or threads,
            seed=0,
            verbose=False,
        )

    def generate(self, request: Request) -> list:
        # One completion per seed. The prompt's KV cache is kept between calls
        # (llama-cpp-python reuses the longest common token prefix), so the
        # prompt is evaluated once per problem, not once per sample.
        return [self._one(request, request.seed + i) for i in range(request.n)]

    def _one(self, request: Request, seed: int) -> Generation:
        # llama.cpp's own defaults (top_k=40, min_p=0.05) would silently narrow
        # the distribution compared with vLLM and OpenAI; make them neutral.
        common = dict(temperature=request.temperature, top_p=request.top_p, max_tokens=request.max_tokens,
                      seed=seed, stop=list(request.stop) or None, top_k=0, min_p=0.0, repeat_penalty=1.0)
        start = time.perf_counter()
        if request.messages is not None:
            out = self.llm.create_chat_completion(messages=request.messages, **common)
            text = out["choices"][0]["message"]["content"] or ""
        else:
            out = self.llm.create_completion(prompt=request.prompt, **common)
            text = out["choices"][0]["text"]
        latency = time.perf_counter() - start
        usage = out["usage"]
        return Generation(text=text, prompt_tokens=usage["prompt_tokens"],
                          completion_tokens=usage["completion_tokens"],
                          finish_reason=out["choices"][0]["finish_reason"] or "unknown", latency_s=latency)

    def close(self) -> None:
        self.llm.close()
