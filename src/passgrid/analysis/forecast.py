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
Where a share of the problems can never be solved (a wrong test, an
impossible statement), a Beta's tail near 0 keeps the forecast climbing to
1: the zero-inflated Beta holds that share apart,

    pass@k = (1 − π) (1 − B(α, β + k) / B(α, β)),

π the share never solved, fitted with α and β (a problem with no pass is
either never solvable or one of the Beta's). Intervals come from refitting
under the same replicates' weights on problems as the curves' intervals
(passgrid.analysis.uncertainty).
"""
from dataclasses import dataclass

import numpy as np

from passgrid.analysis.uncertainty import PRIOR_MASS, interval, posterior_weights, with_unseen_counts

BETA = "Beta(α, β) over problems, beta-binomial fit"  # how fits.csv and the report name the fit
ZIBETA = "zero-inflated Beta: a share π never solved, Beta(α, β) over the rest"


@dataclass(frozen=True)
class BetaFit:
    alpha: float
    beta: float
    loglik: float

    def predict(self, k) -> np.ndarray:
        from scipy.special import betaln

        k = np.asarray(k, dtype=float)
        return 1.0 - np.exp(betaln(self.alpha, self.beta + k) - betaln(self.alpha, self.beta))

    def params(self) -> dict:
        return {"alpha": self.alpha, "beta": self.beta}


@dataclass(frozen=True)
class ZeroInflatedBetaFit(BetaFit):
    never: float = 0.0  # π, the share of problems never solved

    def predict(self, k) -> np.ndarray:
        return (1.0 - self.never) * super().predict(k)

    def params(self) -> dict:
        return {**super().params(), "never": self.never}


def _pairs(n, c, weights):
    """Problems with the same (n, c) share one term, weighted: a few distinct
    pairs, however many problems. (n, c, weights) of the pairs."""
    n, c = np.asarray(n, dtype=float), np.asarray(c, dtype=float)
    w = np.ones_like(n) if weights is None else np.asarray(weights, dtype=float)
    keep = w > 0
    pairs, where = np.unique(np.stack([n[keep], c[keep]], axis=1), axis=0, return_inverse=True)
    return pairs[:, 0], pairs[:, 1], np.bincount(where.ravel(), weights=w[keep])


def fit_beta(n, c, weights=None, start=None):
    """The maximum-likelihood Beta of the problems' (n, c) counts (`weights`:
    how much each problem counts, as a replicate weighs it; `start`: a fit
    to start from, as the point fit for a resample's); None where every
    problem is solved every time or never (no spread to fit)."""
    from scipy.optimize import minimize

    n, c, w = _pairs(n, c, weights)
    if (c == 0).all() or (c == n).all():
        return None

    def nll(theta):
        log_likelihood, grad = _beta_terms(n, c, *np.exp(theta))
        return -float(w @ log_likelihood), -(w @ grad)

    mean = np.clip((w @ (c / n)) / w.sum(), 0.01, 0.99)
    # α + β = 1 by default: a spread-out Beta with the data's mean
    theta = np.log([start.alpha, start.beta]) if start is not None else np.log([mean, 1 - mean])
    best = minimize(nll, theta, jac=True, method="L-BFGS-B", bounds=[(-12, 12), (-12, 12)])
    a, b = np.exp(best.x)
    return BetaFit(float(a), float(b), -float(best.fun))


def fit_zero_inflated_beta(n, c, weights=None, start=None):
    """The maximum-likelihood zero-inflated Beta of the (n, c) counts (as
    fit_beta); None where every problem is solved every time or never."""
    from scipy.optimize import minimize
    from scipy.special import expit, logit

    n, c, w = _pairs(n, c, weights)
    if (c == 0).all() or (c == n).all():
        return None
    plain = start if start is not None else fit_beta(n, c, w)
    zero = c == 0

    def nll(theta):
        never, (a, b) = expit(theta[0]), np.exp(theta[1:])
        beta_ll, beta_grad = _beta_terms(n, c, a, b)
        solvable = np.log1p(-never) + beta_ll
        # a problem with no pass (c = 0) may also be one of the never solvable
        ll = np.where(zero, np.logaddexp(np.log(never), solvable), solvable)
        share = np.where(zero, np.exp(solvable - ll), 1.0)  # the chance it is a solvable one, given its counts
        grad = np.column_stack([(1 - share) * (1 - never) - share * never,
                                share[:, None] * beta_grad])
        return -float(w @ ll), -(w @ grad)

    share = getattr(start, "never", None) or float(np.clip((w @ zero) / w.sum() / 2, 1e-4, 0.5))
    best = minimize(nll, [logit(max(share, 1e-5)), np.log(plain.alpha), np.log(plain.beta)], jac=True,
                    method="L-BFGS-B", bounds=[(-12, 12), (-12, 12), (-12, 12)])
    never, (a, b) = float(expit(best.x[0])), np.exp(best.x[1:])
    return ZeroInflatedBetaFit(float(a), float(b), -float(best.fun), never)


def _beta_terms(n, c, a: float, b: float):
    """Each (n, c) pair's beta-binomial log-likelihood under Beta(a, b) (but
    the binomial coefficient, a constant), and its gradient in (log a, log b)."""
    from scipy.special import betaln, digamma

    both = digamma(a + b) - digamma(n + a + b)
    grad = np.column_stack([a * (digamma(c + a) - digamma(a) + both), b * (digamma(n - c + b) - digamma(b) + both)])
    return betaln(c + a, n - c + b) - betaln(a, b), grad


FORECASTERS = {BETA: fit_beta, ZIBETA: fit_zero_inflated_beta}  # fitted to the problems' counts


def from_row(row) -> BetaFit:
    """A count forecaster's fit as fits.csv records it."""
    if row["fit"] == ZIBETA:
        return ZeroInflatedBetaFit(row["alpha"], row["beta"], 0.0, row["never"])
    return BetaFit(row["alpha"], row["beta"], 0.0)


def with_intervals(fitter, n, c, ks, level: float, replicates: int, seed: int):
    """The fit, its predictions at ks and their percentile intervals (which
    hold the predictions) from refitting under each replicate's weights on
    the problems and the two unseen ones (passgrid.analysis.uncertainty),
    scaled to the number of problems they stand for:
    (fit, predicted, lo, hi, replicates fitted)."""
    fit = fitter(n, c)
    if fit is None:
        return None, None, None, None, 0
    n_all, c_all = with_unseen_counts(n, c)
    problems = len(n_all) - 2  # the two unseen ones aside
    weights = posterior_weights(problems, replicates, seed) * (problems + PRIOR_MASS)
    preds = [f.predict(ks) for f in (fitter(n_all, c_all, w, start=fit) for w in weights) if f]
    lo, hi = interval(np.array(preds), level, fit.predict(ks)) if preds else (fit.predict(ks), fit.predict(ks))
    return fit, fit.predict(ks), lo, hi, len(preds)
