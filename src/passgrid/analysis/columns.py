"""The summary's columns (results/summary.csv: one row per cell and k), in
one place: the analysis writes them, tracking logs them, the report and the
tests read them. Besides these, a row holds its cell's config, flattened
(keys with a dot: model.name, sampling.temperature, ...).
"""
from passgrid.analysis.costs import COST_UNITS
from passgrid.analysis.failures import KINDS, PASSED
from passgrid.analysis.strategies import strategy

FIRST = ("cell", "k", "pass_at_k", "pass_at_k_lo", "pass_at_k_hi", "n_problems")
# The strategies scored from a cell's probes (passgrid.analysis.strategies;
# the oracle's is pass@k itself), and their columns: each one's value with
# its interval, its Monte Carlo error where it is not exact, its expected
# samples drawn where it draws fewer than k.
SELECTING = ("filter", "first_pass", "selected", "codet", "logprob")
STRATEGY_CURVES = tuple(column for name in SELECTING for column in (
    f"{name}_at_k", f"{name}_at_k_lo", f"{name}_at_k_hi", *(() if strategy(name).exact else (f"{name}_at_k_mc_error",)),
    *((f"{name}_drawn",) if strategy(name).saves_samples else ())))
# Each strategy's pick judged by a stronger test set, where the cell has one
STRONG_STRATEGY_CURVES = tuple(f"strong_{name}_at_k{end}" for name in SELECTING for end in ("", "_lo", "_hi"))
# Curves over k, each a metric with step = k in MLflow
CURVES = ("pass_at_k", "pass_at_k_lo", "pass_at_k_hi", *STRATEGY_CURVES, *STRONG_STRATEGY_CURVES,
          "strong_pass_at_k", "strong_pass_at_k_lo", "strong_pass_at_k_hi",
          "until_weak_pass_accuracy", "false_pass_at_k", *COST_UNITS, "distinct_programs",
          *(f"unsolved_{kind}" for kind in KINDS))
# The same on every row of a cell
USAGE = ("prompt_tokens", "completion_tokens", "sampling_seconds")  # what its samples used
OUTCOMES = tuple(f"samples_{kind}" for kind in (PASSED, *KINDS))  # its samples, by kind of outcome
# its problems that lack what a strategy needs, where it falls back (passgrid.analysis.strategies)
FALLBACKS = tuple(f"{name}_fallback_problems" for name in SELECTING)
BASES = tuple(f"{unit}_basis" for unit in COST_UNITS)  # what each cost counts, in words
INTERVAL = "interval"  # how the intervals were made, in words
SUMMARY = tuple(dict.fromkeys((*FIRST, *CURVES, *USAGE, *OUTCOMES, *FALLBACKS, *BASES, INTERVAL)))


def is_config(column: str) -> bool:
    """A flattened config key (model.name, ...), not one of SUMMARY."""
    return "." in column
