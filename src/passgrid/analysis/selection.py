"""Selection without an oracle: which of k samples would a user submit?

pass@k credits a problem when any of k samples is right, as if an oracle
pointed at it. A user has only the problem statement. From it passgrid takes
its examples (`examples`): those in the docstring (`>>> f(1)` then `2`, or
`f(1) ==> 2`; HumanEval), the test shown in the prompt where it is literal
(MBPP), the public tests (contest problems; APPS marks none), and runs
every sample on their inputs in the sandbox, and picks, among k samples:
those that pass the most examples, then the largest group of them that agree
on every example's output (majority voting, as in AlphaCode and CodeT).
Samples that did not run through the examples (timed out, crashed, did not
load) have no outputs to agree on: they take no part in the vote unless none
of the k ran. The expected correctness of a pick from the winning group(s),
averaged over random k-subsets of the n samples and over problems, is
selected@k; at k = 1 it is exactly pass@1 (the pick is the sample) and at
k = n exact too (the one subset). Where a problem's docstring has no usable
example, the pick is a random sample.
"""
import ast
import doctest
import re

import numpy as np

from passgrid.kinds import STDIO, checker_of, kind_of, stdio_test_text, stdio_tests

_ARROW = re.compile(r"(?P<call>\b{name}\s*\(.*\))\s*(?:==>|=>|➞|->|==|=|should return|returns?|is)\s*(?P<want>.+?)\s*\.?\s*$")
_PROBE = re.compile(r"probe (\d+)/(\d+) ([0-9a-f]+)")
_RAN = re.compile(r"[0-9a-f]{16}")  # a probe's output signature: the sample ran through the examples


def examples(problem: dict) -> list:
    """What a user has to select with: a stdio problem's public tests
    [(input, output)], else the prompt's literal examples (docstring_examples)."""
    if kind_of(problem) == STDIO:
        return [tuple(case) for case in stdio_tests(problem).get("public", [])]
    return docstring_examples(problem)


def docstring_examples(problem: dict) -> list:
    """[(args, kwargs, expected)] as literal values, from the prompt's examples."""
    name, prompt = problem["entry_point"], problem["prompt"]
    # doctest's `want` runs on to the docstring's closing quotes
    candidates = [(e.source.strip(), re.split(r'"""|\'\'\'', e.want)[0].strip()) for e in _doctests(prompt)]
    arrow = re.compile(_ARROW.pattern.format(name=re.escape(name)))
    for line in prompt.splitlines():
        if ">>>" not in line and (m := arrow.search(line)):
            candidates.append((m["call"], m["want"]))
    examples = []
    for call, want in candidates:
        parsed = _literal_call(call, name)
        if parsed is None:
            continue
        try:
            expected = ast.literal_eval(want)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if (*parsed, expected) not in examples:
            examples.append((*parsed, expected))
    return examples


def _doctests(prompt: str) -> list:
    try:
        return doctest.DocTestParser().get_examples(prompt)
    except ValueError:  # inconsistent indentation in a docstring
        return []


def _literal_call(source: str, name: str):
    """(args, kwargs) of `name(literal, ..., key=literal)`, else None."""
    try:
        node = ast.parse(source, mode="eval").body
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name):
            return None
        args = tuple(ast.literal_eval(a) for a in node.args)
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
        return (args, kwargs) if len(kwargs) == len(node.keywords) else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def probe_problem(problem: dict, examples: list) -> dict:
    """The problem with its tests replaced by a probe of the examples (for a
    stdio problem, its public tests, run by the stdio judge's probe): it
    calls the program on each input and always ends in an AssertionError
    whose message carries 'probe PASSED/TOTAL SIGNATURE' (the signature hashes
    every output), so the probe runs through the same judge as the tests."""
    if kind_of(problem) == STDIO:
        return {**problem, "test": stdio_test_text(examples, [], probe=True, checker=checker_of(stdio_tests(problem)))}
    test = f"""EXAMPLES = {examples!r}


def check(candidate):
    import hashlib
    import math

    outputs, passed = [], 0
    for args, kwargs, expected in EXAMPLES:
        try:
            got = candidate(*args, **kwargs)
        except Exception as e:
            outputs.append("raise " + type(e).__name__)
            continue
        outputs.append(repr(got))
        close = (type(got) is float and type(expected) in (int, float)
                 and math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9))
        passed += bool(got == expected or close)
    digest = hashlib.sha256("\\0".join(outputs).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    raise AssertionError("probe %d/%d %s" % (passed, len(EXAMPLES), digest))
"""
    return {**problem, "test": test}


def read_probe(record: dict) -> tuple:
    """(examples passed, output signature) from a probe's execution record."""
    m = _PROBE.search(record.get("detail") or "")
    if record["verdict"] == "failed" and m:
        return int(m[1]), m[3]
    return 0, record["verdict"]  # it did not get through the examples: timed out, crashed, did not load


def selected_at_k(passed: np.ndarray, signature: list, correct: np.ndarray, ks, subsets: int, rng) -> np.ndarray:
    """One problem's selected@k at each k: the expected correctness of the
    pick, over `subsets` random k-subsets of its n samples; exact at k = 1
    (the mean correctness) and at k = n (the one subset)."""
    n = len(correct)
    signature = np.asarray(signature, dtype=object).astype(str)
    codes = np.unique(signature, return_inverse=True)[1]
    ran = np.array([bool(_RAN.fullmatch(s)) for s in signature], dtype=bool)
    out = []
    for k in ks:
        if k == 1:
            out.append(float(np.mean(correct)))
            continue
        draws = 1 if k == n else subsets
        values = [_pick(passed[idx], codes[idx], correct[idx], ran[idx]) for idx in
                  (rng.choice(n, size=k, replace=False) for _ in range(draws))]
        out.append(float(np.mean(values)))
    return np.array(out)


def _pick(passed: np.ndarray, codes: np.ndarray, correct: np.ndarray, ran: np.ndarray) -> float:
    voters = ran if ran.any() else np.ones_like(ran)
    best = voters & (passed == passed[voters].max())
    sizes = np.bincount(codes[best])
    winners = np.flatnonzero(sizes == sizes.max())
    return float(np.mean([correct[best & (codes == w)].mean() for w in winners]))
