"""Sampling backends behind one small interface, one file each, imported only
when named, so that a CPU machine never needs vLLM and an API run never
needs llama.cpp (each module imports its engine inside the class)."""
from passgrid.plugins import plugin_class
from passgrid.sampling.backends.base import Backend, Generation, Request

_BACKENDS = {
    "llamacpp": "passgrid.sampling.backends.llamacpp:LlamaCppBackend",
    "vllm": "passgrid.sampling.backends.vllm:VLLMBackend",
    "openai": "passgrid.sampling.backends.openai:OpenAIBackend",
    "samples_file": "passgrid.sampling.backends.samples_file:SamplesFileBackend",
}
BACKEND_NAMES = tuple(_BACKENDS)


def backend_class(name: str) -> type:
    """The class of the backend called `name`, its module imported now."""
    return plugin_class(_BACKENDS, "model.backend", name)


def make_backend(model, threads: int = 1) -> Backend:
    """The backend named by model.backend, constructed from the model
    config; in another interpreter where model.python names one."""
    if model.python:
        from passgrid.sampling.backends.remote import RemoteBackend

        return RemoteBackend(model, threads=threads)
    return backend_class(model.backend)(model, threads=threads)


__all__ = ["Backend", "Generation", "Request", "backend_class", "make_backend", "BACKEND_NAMES"]
