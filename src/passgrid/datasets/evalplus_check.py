"""EvalPlus's check, as a problem's test: compares a candidate's answers with
the reference's as EvalPlus's unsafe_execute does (see passgrid.datasets.evalplus).
This file's text, followed by the problem's INPUTS, OUTPUTS, ATOL and ORACLE,
is the test the judge runs; it is never imported."""
import copy
import math

import numpy as np

inf, nan = float("inf"), float("nan")
# What the check compares: written below this file's text, for each problem,
# by passgrid.datasets.evalplus.evalplus_tests (these are placeholders).
INPUTS, OUTPUTS, ATOL, ORACLE = [], [], 0.0, ""


def _is_floats(x):
    if isinstance(x, float):
        return True
    return isinstance(x, (list, tuple)) and bool(x) and all(isinstance(i, float) for i in x)


def _surface_Area(base_edge, height):
    slant_height = math.sqrt((base_edge / 2) ** 2 + height ** 2)
    return round(base_edge ** 2 + 4 * (base_edge * slant_height) / 2)


def _digit_distance_nums(a, b):
    a, b = str(a), str(b)
    width = max(len(a), len(b))
    return sum(abs(int(x) - int(y)) for x, y in zip(a.zfill(width), b.zfill(width)))


def _poly(xs, x):
    return sum(coeff * math.pow(x, i) for i, coeff in enumerate(xs))


def _passes(out, exp, inp):
    if ORACLE == "find_zero":
        return abs(_poly(*inp, out)) <= ATOL
    exact = out == exp
    if ORACLE == "are_equivalent":
        exact = True
    elif ORACLE == "sum_div":
        exact = exact or out == 0
    elif ORACLE == "surface_Area":
        exact = exact or abs(out - _surface_Area(*inp)) <= ATOL
    elif ORACLE == "digit_distance_nums":
        exact = exact or out == _digit_distance_nums(*inp)
    elif ORACLE == "set":
        exact = set(out) == set(exp)
    elif ORACLE == "not_none":  # both are whether the answer is not None, taken in the sandbox
        exact = out == exp
    atol = ATOL or (1e-6 if _is_floats(exp) else 0)
    if exact or not atol:
        return bool(exact)
    if type(out) is not type(exp) or (isinstance(exp, (list, tuple)) and len(out) != len(exp)):
        return False
    try:  # the same shape before any tolerance: allclose would broadcast ([[]] against [x] is "close")
        out, exp = np.asarray(out), np.asarray(exp)
    except (ValueError, TypeError):
        return False
    return out.shape == exp.shape and bool(np.allclose(out, exp, rtol=1e-07, atol=atol))


def check(candidate):
    for i, (inp, exp) in enumerate(zip(INPUTS, OUTPUTS)):
        out = candidate(*copy.deepcopy(inp))
        assert _passes(out, exp, inp), "input %d" % i
