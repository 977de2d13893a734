"""Sampling backends behind one small interface, imported only when chosen,
so that a CPU machine never needs vLLM and an API run never needs llama.cpp."""
import importlib

from passgrid import PassgridError
from passgrid.backends.base import Backend, Generation, Request

_BACKENDS = {
    "llamacpp": "passgrid.backends.llamacpp:LlamaCppBackend",
    "vllm": "passgrid.backends.vllm:VLLMBackend",
    "openai": "passgrid.backends.openai:OpenAIBackend",
}
BACKEND_NAMES = tuple(_BACKENDS)


def make_backend(model: dict, threads: int = 1) -> Backend:
    """The backend named by model['backend'], constructed from the model config."""
    name = model.get("backend")
    if name not in _BACKENDS:
        raise PassgridError(f"model.backend: unknown backend {name!r} (one of {', '.join(_BACKENDS)})")
    module_name, class_name = _BACKENDS[name].split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(model, threads=threads)


__all__ = ["Backend", "Generation", "Request", "make_backend", "BACKEND_NAMES"]
