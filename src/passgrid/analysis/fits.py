"""Scaling fits of pass@k against k, after Large Language Monkeys (Brown et al.
2024): coverage follows an exponentiated power law,

    pass@k = exp(-a * k**b),   i.e.   log(-log pass@k) = log a + b log k,

a straight line in log-log space, fitted by least squares. Its goodness of
fit is R^2 on that scale and the RMS error in pass@k; refitted on every
bootstrap replicate it gives intervals for budgets never sampled. How far
such extrapolations can be trusted is measured beside the other forecaster's
(passgrid.analysis.curves.fit_rows).
"""
from dataclasses import dataclass

import numpy as np

from passgrid.analysis.uncertainty import interval

LAW = "pass@k = exp(-a k^b)"  # how fits.csv and the report name the fit


@dataclass(frozen=True)
class PowerLaw:
    a: float
    b: float
    r2: float  # on the log(-log) scale
    rmse: float  # in pass@k (a fraction), over the fitted ks
    k_max: int  # the largest k it was fitted on

    def predict(self, k) -> np.ndarray:
        return np.exp(-self.a * np.asarray(k, dtype=float) ** self.b)

    def budget_for(self, target: float) -> float:
        """The k at which the fit reaches pass@k = target (inf if never)."""
        if target <= self.predict(1):
            return 1.0
        if target >= 1 or self.b >= 0:  # a flat or falling curve never gets there
            return float("inf")
        with np.errstate(over="ignore"):  # a nearly flat curve: a budget beyond any float
            return float(np.exp(np.log(-np.log(target) / self.a) / self.b))


def fit_power_law(pass_at_k):
    """Fit pass@k for k = 1..len(pass_at_k); None where fewer than two ks
    have 0 < pass@k < 1 (nothing solved, or everything)."""
    p = np.asarray(pass_at_k, dtype=float)
    k = np.arange(1, len(p) + 1)
    ok = (p > 0) & (p < 1)
    if ok.sum() < 2:
        return None
    x, y = np.log(k[ok]), np.log(-np.log(p[ok]))
    b, log_a = np.polyfit(x, y, 1)
    residual = y - (log_a + b * x)
    total = ((y - y.mean()) ** 2).sum()
    r2 = 1.0 - (residual ** 2).sum() / total if total > 0 else 1.0
    a = float(np.exp(log_a))
    rmse = float(np.sqrt(((np.exp(-a * k ** b) - p) ** 2).mean()))
    return PowerLaw(a, float(b), float(r2), rmse, int(len(p)))


def law_from_row(row) -> PowerLaw:
    """The power law as fits.csv records it."""
    return PowerLaw(row["a"], row["b"], row["r2"], row["rmse"], int(row["fitted_k_max"]))


def horizon(analysis, n: int) -> int:
    """The largest k a forecast or crossing may reach from n samples per
    problem: analysis.horizon x n (further, no data can say)."""
    return int(analysis.horizon * n)


def fit_with_intervals(point, replicates: np.ndarray, ks, level: float):
    """The fit of the point curve, and its predictions at ks with percentile
    intervals (which hold the predictions) from refitting every replicate
    curve that can be fitted (one that cannot is left out, and counted):
    (law, predicted, lo, hi, replicates fitted)."""
    law = fit_power_law(point)
    if law is None:
        return None, None, None, None, 0
    preds = [f.predict(ks) for f in (fit_power_law(r) for r in replicates) if f]
    lo, hi = interval(np.array(preds), level, law.predict(ks)) if preds else (law.predict(ks), law.predict(ks))
    return law, law.predict(ks), lo, hi, len(preds)
