"""How often passgrid's pass@k intervals cover the truth, by simulation.

Problems' true success rates are drawn from a distribution (mid-range, near
0, near 1, a fifth never solvable), n samples of each are drawn, and the
interval the report prints (passgrid.analysis.uncertainty) is checked
against two truths: the population's pass@k (the mean over the
distribution, what the interval claims to cover) and these problems'
pass@k (the mean over the problems drawn, shown for comparison). An
interval covers a truth that lies within it as the report prints it (to
0.1 point: a tolerance of 0.0005), so a truth of 1 - 1e-6 against an
interval ending at 1 - 1e-5 is not counted a miss. Printed: the share of
simulated runs whose interval covers each, per setting and k, then every
setting where the population's coverage leaves [0.93, 0.97] (the target
band, fixed: at few runs a method that holds its level leaves it by Monte
Carlo error alone, +-0.03 at 200 runs; raise --runs to tell the two apart).

    .venv/bin/python bench/interval_coverage.py [--runs 200] [--problems 24 164] [--n 8 100 1000]
"""
import argparse

import numpy as np
import pandas as pd

from passgrid.analysis.uncertainty import METHOD, pass_at_k_with_interval

PRINTED = 0.0005  # half the report's last digit (0.1 point)
BAND = (0.93, 0.97)

RATES = {
    "mid-range, Beta(2, 2)": lambda rng, size: rng.beta(2, 2, size),
    "near 0, Beta(0.3, 8)": lambda rng, size: rng.beta(0.3, 8, size),
    "near 1, Beta(8, 0.3)": lambda rng, size: rng.beta(8, 0.3, size),
    "a fifth never solved": lambda rng, size: np.where(rng.random(size) < 0.2, 0.0, rng.beta(1, 3, size)),
}


def ks_of(n: int) -> list:
    return [k for k in sorted({1, 2, 5, 10, max(1, n // 10), max(1, n // 2), n}) if k <= n]


def coverage(problems: int, n: int, rates, runs: int, level: float, replicates: int, rng) -> pd.DataFrame:
    ks = ks_of(n)
    population = rates(rng, 1_000_000)
    truth_population = np.array([np.mean(1 - (1 - population) ** k) for k in ks])
    covered = {"population": np.zeros(len(ks)), "these problems": np.zeros(len(ks))}
    for run in range(runs):
        p = rates(rng, problems)
        counts = pd.DataFrame({"task_id": range(problems), "n": n, "c": rng.binomial(n, p)})
        table, _ = pass_at_k_with_interval(counts, level, replicates, seed=run)
        lo, hi = table["pass_at_k_lo"].to_numpy()[np.array(ks) - 1], table["pass_at_k_hi"].to_numpy()[np.array(ks) - 1]
        truth_these = np.array([np.mean(1 - (1 - p) ** k) for k in ks])
        for name, truth in (("population", truth_population), ("these problems", truth_these)):
            covered[name] += (lo - PRINTED <= truth) & (truth <= hi + PRINTED)
    return pd.DataFrame({"k": ks, "truth": truth_population, **{name: hits / runs for name, hits in covered.items()}})


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--problems", type=int, nargs="+", default=[24, 164])
    parser.add_argument("--n", type=int, nargs="+", default=[8, 100, 1000])
    parser.add_argument("--level", type=float, default=0.95)
    parser.add_argument("--replicates", type=int, default=1000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"coverage of {100 * args.level:g}% intervals ({METHOD}), {args.runs} simulated runs each "
          f"(Monte Carlo error about {np.sqrt(args.level * (1 - args.level) / args.runs):.3f})")
    outside = []
    for problems in args.problems:
        for n in args.n:
            for name, rates in RATES.items():
                found = coverage(problems, n, rates, args.runs, args.level, args.replicates, rng)
                cells = "  ".join(f"k={k}: {a:.2f}/{b:.2f}" for k, a, b in
                                  zip(found["k"], found["population"], found["these problems"]))
                print(f"{problems:4d} problems, n={n:5d}, {name:24s} population/these: {cells}", flush=True)
                outside += [f"{problems} problems, n={n}, {name}, k={k} (pass@k {100 * t:.2f}%): {a:.3f}"
                            for k, t, a in zip(found["k"], found["truth"], found["population"])
                            if not BAND[0] <= a <= BAND[1]]
    print(f"population coverage outside [{BAND[0]}, {BAND[1]}] ({len(outside)} of the settings):")
    print("\n".join(f"  {line}" for line in outside) or "  none")


if __name__ == "__main__":
    main()
