"""Plugins named in a config (sampling backends, dataset sources), imported
only when named: a CPU machine never imports vLLM, an offline run never the hub."""
import importlib

from passgrid import PassgridError


def plugin_class(registry: dict, key: str, name: str) -> type:
    """The class registered as `name` in `registry` (name -> "module:Class");
    `key` is the config key that names it, for the error."""
    if name not in registry:
        raise PassgridError(f"{key}: unknown {key.rsplit('.', 1)[-1]} {name!r} (one of {', '.join(registry)})")
    module_name, class_name = registry[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)
