"""A GGUF model file as a Hugging Face model directory, for engines that do
not read GGUF (vLLM 0.32 no longer loads it in core).

transformers dequantizes the GGUF's tensors on load; the quantization config
it records is dropped and the model rebuilt from its plain config, so that
the directory holds ordinary float32 weights. The result is cached: a
directory already holding the conversion of the same file is kept.
Needs `transformers`, `gguf` and `accelerate` (the vLLM environment has them).
"""
import json
import shutil
from pathlib import Path

from passgrid import PassgridError
from passgrid.files import file_sha256

MARK = "passgrid-gguf.json"  # written last: a directory without it is unfinished


def convert(gguf_path, out_dir, dtype: str = "float32") -> Path:
    """Convert `gguf_path` into `out_dir` (unless done already); returns out_dir."""
    gguf_path, out_dir = Path(gguf_path), Path(out_dir)
    if not gguf_path.is_file():
        raise PassgridError(f"{gguf_path}: no such GGUF file")
    sha = file_sha256(gguf_path)
    mark = out_dir / MARK
    if mark.is_file() and json.loads(mark.read_text()) == {"gguf": gguf_path.name, "sha256": sha, "dtype": dtype}:
        return out_dir
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        raise PassgridError(f"converting {gguf_path.name} needs transformers, gguf and accelerate: {e}") from None
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name,
                                                  dtype=getattr(torch, dtype))
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype))
    plain.load_state_dict(loaded.state_dict())
    plain.save_pretrained(str(tmp))
    AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name).save_pretrained(str(tmp))
    (tmp / MARK).write_text(json.dumps({"gguf": gguf_path.name, "sha256": sha, "dtype": dtype}) + "\n")
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return out_dir
