"""Tokens per second of the llama.cpp backend: n samples of a prompt decoded
together (passgrid's way) against a loop of single chat completions (the way
llama-cpp-python is usually driven), on the same problems, model and threads.

    .venv/bin/python bench/sampling_llamacpp.py [--problems 3] [--n 16] [--threads 2]
"""
import argparse
import os
import time

from passgrid.datasets.problems import load_problems
from passgrid.grid.compose import compose
from passgrid.sampling.backends import make_backend
from passgrid.sampling.draw import build_request

CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conf")


def loop_of_single_completions(model: dict, requests: list, threads: int) -> tuple:
    from llama_cpp import Llama

    from passgrid.sampling.backends.llamacpp import resolve_model_path

    llm = Llama(model_path=str(resolve_model_path(model.path)), n_ctx=model.n_ctx, n_threads=threads,
                verbose=False)
    tokens, start = 0, time.perf_counter()
    for request in requests:
        for i in range(request.n):
            out = llm.create_chat_completion(messages=request.messages, temperature=request.temperature,
                                             top_p=request.top_p, max_tokens=request.max_tokens,
                                             seed=request.seed + i, top_k=0, min_p=0.0, repeat_penalty=1.0)
            tokens += out["usage"]["completion_tokens"]
    return tokens, time.perf_counter() - start


def decoded_together(model: dict, requests: list, threads: int) -> tuple:
    backend = make_backend(model, threads=threads)
    tokens, start = 0, time.perf_counter()
    for _, generations in backend.generate_many(requests):  # as passgrid's sampling step calls it
        tokens += sum(g.completion_tokens for g in generations)
    elapsed = time.perf_counter() - start
    backend.close()
    return tokens, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=3)
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--max-tokens", type=int, default=256)
    args = parser.parse_args()
    # Whole replies on both sides (no stop at the answer), so that both do the same work.
    cfg = compose(CONF, [f"sampling.n={args.n}", f"sampling.max_tokens={args.max_tokens}", "prompt.stop_at_answer=false"])
    requests = [build_request(p, cfg.prompt, cfg.sampling) for p in load_problems("package", limit=args.problems)]
    print(f"SmolLM2-135M Q4_1, {args.problems} HumanEval problems x n={args.n}, {args.threads} threads, "
          f"temperature {cfg.sampling.temperature}, max_tokens {args.max_tokens}")
    results = {}
    for name, run in (("loop of single completions", loop_of_single_completions),
                      ("n sequences decoded together", decoded_together)):
        tokens, seconds = run(cfg.model, requests, args.threads)
        results[name] = tokens / seconds
        print(f"{name:32s} {tokens:6d} tokens in {seconds:6.1f} s = {tokens / seconds:6.1f} tokens/s")
    loop, together = results.values()
    print(f"speed-up: {together / loop:.2f}x")


if __name__ == "__main__":
    main()
