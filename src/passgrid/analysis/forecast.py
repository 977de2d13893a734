"""A second forecaster of pass@k: the distribution of per-problem success
probabilities, after Schaeffer et al. (2025), "How Do Large Language Monkeys
Get Their Power (Laws)?": the aggregate power law comes from the spread of
the problems' success rates, so fitting that spread forecasts pass@k for any
k, from fewer samples than fitting the curve.

Each problem's chance p that one sample passes is taken to follow a Beta(α, β)
across problems; its c passes of n samples are then beta-binomial, and α, β
are fitted by maximum likelihood to the (n, c) counts. The forecast is

    pass@k = 1 − E[(1 − p)^k] = 1 − B(α, β + k) / B(α, β).

Assumed: the problems' rates are one Beta's draws (a problem that is never
solved pulls α down, as it should); samples of a problem are independent.
Intervals come from refitting on the same bootstrap resamples of problems
as the curves' intervals (passgrid.analysis.uncertainty).
"""
from dataclasses import dataclass

import numpy as np

from passgrid.analysis.uncertainty import bootstrap_weights, interval

BETA = "Beta(α, β) over problems, beta-binomial fit"  # how fits.csv and the report name the fit


@dataclass(frozen=True)
class BetaFit:
    alpha: float
    beta: float
    loglik: float

    def predict(self, k) -> np.ndarray:
        from scipy.special import betaln

        k = np.asarray(k, dtype=float)
        return 1.0 - np.exp(betaln(self.alpha, self.beta + k) - betaln(self.alpha, self.beta))

    @property
    def mean(self) -> float:  # pass@1
        return self.alpha / (self.alpha + self.beta)


def fit_beta(n, c, weights=None):
    """The maximum-likelihood Beta of the problems' (n, c) counts (`weights`:
    how often each problem counts, as in a bootstrap resample); None where
    every problem is solved every time or never (no spread to fit)."""
    from scipy.optimize import minimize
    from scipy.special import betaln

    n, c = np.asarray(n, dtype=float), np.asarray(c, dtype=float)
    w = np.ones_like(n) if weights is None else np.asarray(weights, dtype=float)
    keep = w > 0
    # problems with the same (n, c) share one term, weighted: a few distinct pairs, however many problems
    pairs, where = np.unique(np.stack([n[keep], c[keep]], axis=1), axis=0, return_inverse=True)
    n, c, w = pairs[:, 0], pairs[:, 1], np.bincount(where.ravel(), weights=w[keep])
    if (c == 0).all() or (c == n).all():
        return None

    def nll(theta):
        a, b = np.exp(theta)
        return -float(w @ (betaln(c + a, n - c + b) - betaln(a, b)))  # the binomial coefficient is constant

    mean = np.clip((w @ (c / n)) / w.sum(), 0.01, 0.99)
    start = np.log([mean, 1 - mean])  # α + β = 1: a spread-out Beta with the data's mean
    best = minimize(nll, start, method="L-BFGS-B", bounds=[(-12, 12), (-12, 12)])
    a, b = np.exp(best.x)
    return BetaFit(float(a), float(b), -float(best.fun))


def beta_with_intervals(n, c, ks, level: float, replicates: int, seed: int):
    """The fit, its predictions at ks and their percentile intervals from
    refitting each bootstrap resample of problems (those with no spread to
    fit are left out, and counted): (fit, predicted, lo, hi, replicates fitted)."""
    fit = fit_beta(n, c)
    if fit is None:
        return None, None, None, None, 0
    weights = bootstrap_weights(len(np.asarray(n)), replicates, seed)
    preds = [f.predict(ks) for f in (fit_beta(n, c, w) for w in weights) if f]
    lo, hi = interval(np.array(preds), level) if preds else (fit.predict(ks), fit.predict(ks))
    return fit, fit.predict(ks), lo, hi, len(preds)
