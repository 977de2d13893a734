"""The unbiased pass@k estimator of Chen et al. (2021), "Evaluating Large
Language Models Trained on Code", with n samples of which c are correct:

    pass@k = 1 - C(n - c, k) / C(n, k)

computed as a product of ratios, never with the binomials themselves, which
overflow long before n = 1000.
"""
import numpy as np


def estimate_pass_at_k(n: int, c: int, k: int) -> float:
    """pass@k for one problem. k > n has no unbiased estimate and is refused."""
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass@{k} needs 1 <= k <= n, got n={n}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def pass_at_k_curve(n: int, c: int) -> np.ndarray:
    """pass@k for k = 1..n of one problem, in one O(n) pass.

    C(n-c, k)/C(n, k) = prod_{i=0}^{k-1} (n-c-i)/(n-i): a running product
    over i, which reaches exactly 0 once k > n - c.
    """
    if not 0 <= c <= n or n < 1:
        raise ValueError(f"need n >= 1 and 0 <= c <= n, got n={n}, c={c}")
    return 1.0 - none_right(n, c, np.arange(1, n + 1))


def none_right(total: int, right: int, taken) -> np.ndarray:
    """C(total - right, t) / C(total, t) at each t of `taken`: the chance that
    t items taken uniformly without replacement from `total`, of which
    `right` are right, hold none that is right (1 at t = 0)."""
    taken = np.asarray(taken)
    most = int(taken.max()) if taken.size else 0
    i = np.arange(most)
    ratios = np.clip((total - right - i) / np.maximum(total - i, 1), 0.0, None)
    return np.concatenate([[1.0], np.cumprod(ratios)])[taken]
