from fractions import Fraction
from math import comb

import numpy as np
import pytest

from passgrid.analysis.passk import estimate_pass_at_k, pass_at_k_curve


def exact(n, c, k):
    return 1 - Fraction(comb(n - c, k), comb(n, k))


CASES = [(1, 0), (1, 1), (2, 1), (5, 2), (10, 3), (16, 15), (100, 1), (200, 37), (1000, 3), (1000, 999)]


@pytest.mark.parametrize("n,c", CASES)
def test_estimator_matches_exact_rational_arithmetic(n, c):
    curve = pass_at_k_curve(n, c)
    assert len(curve) == n
    for k in sorted(k for k in {1, 2, 3, n // 3, n // 2, n - 1, n} if 1 <= k <= n):
        want = float(exact(n, c, k))
        assert estimate_pass_at_k(n, c, k) == pytest.approx(want, rel=1e-9, abs=1e-12)
        assert curve[k - 1] == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_curve_is_monotone_and_bounded():
    curve = pass_at_k_curve(1000, 7)
    assert np.all(np.diff(curve) >= -1e-15)
    assert curve[0] == pytest.approx(0.007)
    assert curve[-1] == 1.0


def test_k_above_n_is_refused():
    with pytest.raises(ValueError):
        estimate_pass_at_k(10, 3, 11)
    with pytest.raises(ValueError):
        estimate_pass_at_k(10, 11, 1)
