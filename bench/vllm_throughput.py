"""vLLM throughput three ways, on the same samples (same problems, n,
max_tokens, seeds) and one engine: passgrid's backend (every problem queued
at once, stepped, handed over per problem), one `LLM.generate` call over all
prompts (the engine's own best), and one problem at a time (passgrid's
backend before it batched across problems). Prints tokens/s and the ratios.

    .venv-vllm/bin/python bench/vllm_throughput.py [--problems 16 --n 8 --max-tokens 128] [--ways backend]
    (the engine as conf/model/smollm2-135m-vllm.yaml sets it: SmolLM2 as `make vllm` converts it, its
    memory and prefill settings; on a GPU pass --model and --dtype)

On a CPU the figures are ratios, not a promise for a GPU.
"""
import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAYS = {"backend": "passgrid backend", "one-call": "one LLM.generate call", "one-at-a-time": "one problem at a time"}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(ROOT / "models" / "smollm2-135m-instruct-f32"))
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--problems", type=int, default=16)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--ways", nargs="+", choices=list(WAYS), default=list(WAYS))
    args = parser.parse_args()

    from dataclasses import fields, make_dataclass
    from types import SimpleNamespace

    import yaml
    from vllm import SamplingParams

    from passgrid.datasets.problems import load_problems
    from passgrid.sampling.backends import make_backend
    from passgrid.sampling.backends.vllm import VLLMSettings
    from passgrid.sampling.draw import build_request
    from passgrid.sampling.prompts import WRITES

    # The config files as they are (this virtualenv has neither Hydra nor the
    # schema's dependencies): the vLLM model config over the backend's
    # declared defaults, the chat prompt over its schema's defaults.
    settings = {**{f.name: f.default for f in fields(VLLMSettings)},
                **yaml.safe_load((ROOT / "conf" / "model" / "smollm2-135m-vllm.yaml").read_text()),
                "hf_id": args.model, "dtype": args.dtype, "python": None}
    model = make_dataclass("Model", list(settings), frozen=True)(**settings)
    prompt = SimpleNamespace(**{"system": None, "stop": [], "stop_at_answer": False, "writes": WRITES[0],
                                **yaml.safe_load((ROOT / "conf" / "prompt" / "chat.yaml").read_text())})
    sampling = SimpleNamespace(n=args.n, temperature=0.8, top_p=0.95, max_tokens=args.max_tokens, seed=0)
    problems = load_problems("package", limit=args.problems)
    requests = [build_request(p, prompt, sampling) for p in problems]
    backend = make_backend(model)
    backend.generate(requests[0])  # warm up: the first step compiles and allocates

    def timed(run):
        backend.llm.reset_prefix_cache()  # no way finds the prompts cached by the one before
        start = time.perf_counter()
        tokens = run()
        seconds = time.perf_counter() - start
        return tokens / seconds, tokens, seconds

    def passgrid_backend():
        return sum(g.completion_tokens for _, gens in backend.generate_many(requests) for g in gens)

    def one_call():
        prompts = [backend.prompt(r) for r in requests]
        params = [SamplingParams(n=r.n, temperature=r.temperature, top_p=r.top_p, max_tokens=r.max_tokens,
                                 seed=r.seed) for r in requests]
        return sum(len(o.token_ids) for out in backend.llm.generate(prompts, params, use_tqdm=False)
                   for o in out.outputs)

    def one_problem_at_a_time():
        return sum(g.completion_tokens for r in requests for g in backend.generate(r))

    runs = {"backend": passgrid_backend, "one-call": one_call, "one-at-a-time": one_problem_at_a_time}
    results = {way: timed(runs[way]) for way in args.ways}
    print(f"{args.problems} problems x n={args.n}, max_tokens={args.max_tokens}, {args.model} ({args.dtype}), "
          f"KV cache {backend.model.kv_cache_gib} GiB")
    best = results.get("one-call", (None,))[0]
    for way, (rate, tokens, seconds) in results.items():
        against = f"  {rate / best:.2f}x the one call" if best else ""
        print(f"{WAYS[way]:24s} {tokens:7d} tokens {seconds:7.1f} s {rate:8.1f} tokens/s{against}")


if __name__ == "__main__":
    main()
