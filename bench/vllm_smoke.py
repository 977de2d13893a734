"""The real vLLM engine through passgrid's backend, on a GPU machine: a small
instruct model, 3 HumanEval problems x n=8, then the samples are executed.

    pip install -e '.[gpu]' && python bench/vllm_smoke.py [--model Qwen/Qwen2.5-Coder-1.5B-Instruct]

Prints tokens/s and pass@1 / pass@8; needs the model in the local Hugging Face
cache or network access to the hub.
"""
import argparse
import os
import time

from passgrid.analysis.scoring import count_correct, pass_at_k_at
from passgrid.datasets.problems import load_problems
from passgrid.evaluation import Judging, judged
from passgrid.execution.pool import Limits
from passgrid.grid.compose import compose
from passgrid.sample import Sample
from passgrid.sampling.backends import make_backend
from passgrid.sampling.draw import build_request, to_completion

CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conf")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="Qwen/Qwen2.5-Coder-1.5B-Instruct")
    args = parser.parse_args()
    cfg = compose(CONF, ["model=qwen2.5-coder-1.5b-instruct", f"model.hf_id={args.model}", "sampling.n=8"])
    problems = load_problems("package", limit=3)
    backend = make_backend(cfg.model)
    samples, tokens, start = [], 0, time.perf_counter()
    for p in problems:
        generations = backend.generate(build_request(p, cfg.prompt, cfg.sampling))
        tokens += sum(g.completion_tokens for g in generations)
        samples += [Sample(p.task_id, to_completion(g.text, p, cfg.prompt), sample_index=i)
                    for i, g in enumerate(generations)]
    seconds = time.perf_counter() - start
    records = judged(samples, {p.task_id: p for p in problems}, Judging(Limits(), workers=4), progress=False)
    scores = pass_at_k_at(count_correct(records, [p.task_id for p in problems]), [1, 8])
    print(f"{args.model}: {tokens} tokens in {seconds:.1f} s = {tokens / seconds:.0f} tokens/s; {scores}")


if __name__ == "__main__":
    main()
