"""Selection without an oracle: which of k samples would a user submit?

pass@k credits a problem when any of k samples is right, as if an oracle
pointed at it. A user has only the problem statement. From it passgrid takes
its examples (`examples`): those in the docstring (`>>> f(1)` then `2`, or
`f(1) ==> 2`; HumanEval), the test shown in the prompt where it is literal
(MBPP), the public tests (contest problems; APPS marks none), and runs
every sample on their inputs in the sandbox (once, with its model-written
tests' inputs where it has some: `probes`), and picks, among k samples:
those that pass the most examples, then the largest group of them that agree
on every example's output, and every written test's input's where there
are some (majority voting, as in AlphaCode and CodeT).
Samples that did not run through the examples (timed out, crashed, did not
load) have no outputs to agree on: they take no part in the vote unless none
of the k ran. The expected correctness of a pick from the winning group(s)
(ties shared evenly), over the k-subsets of the n samples and over
problems, is selected@k. Where a problem's docstring has no usable example,
the pick is a random sample.

It is estimated at every k in one pass per random ordering of the n
samples: an ordering's first k samples are a uniform k-subset, and the vote
is updated as each sample joins. The mean over orderings is unbiased at
every k, and its Monte Carlo variance is reported with it; at k = 1 it is
exactly pass@1 (the pick is the sample) and at k = n exact (one subset).
"""
import ast
import doctest
import re
from dataclasses import dataclass, replace

import numpy as np

from passgrid.kinds import FUNCTION, STDIO
from passgrid.literal import literal_call
from passgrid.problem import Problem
from passgrid.verdicts import Outcome, Verdict, digest

_ARROW = re.compile(r"(?P<call>\b{name}\s*\(.*\))\s*(?:==>|=>|➞|->|==|=|should return|returns?|is)\s*(?P<want>.+?)\s*\.?\s*$")
_RAN = re.compile(r"[0-9a-f]{16}")  # a probe's output signature: the sample ran through the examples
NO_EXAMPLES = "no examples"  # the signature of every sample of a problem whose statement shows no test


def examples(problem: Problem) -> list:
    """What a user has to select with: a stdio problem's public tests
    [(input, output)], else the prompt's literal examples (docstring_examples)."""
    if problem.kind == STDIO:
        return list(problem.stdio.public)
    return docstring_examples(problem)


def docstring_examples(problem: Problem) -> list:
    """[(args, kwargs, expected)] as literal values, from the prompt's examples."""
    name, prompt = problem.entry_point, problem.prompt
    # doctest's `want` runs on to the docstring's closing quotes
    candidates = [(e.source.strip(), re.split(r'"""|\'\'\'', e.want)[0].strip()) for e in _doctests(prompt)]
    arrow = re.compile(_ARROW.pattern.format(name=re.escape(name)))
    for line in prompt.splitlines():
        if ">>>" not in line and (m := arrow.search(line)):
            candidates.append((m["call"], m["want"]))
    examples = []
    for call, want in candidates:
        parsed = literal_call(call, name)
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


def probe_problem(problem: Problem, *parts: list) -> Problem:
    """The problem as its probe: the judge runs the program on each input of
    each part (examples, or written tests: (args, kwargs, expected) each; for
    a stdio problem, its public tests, one part) instead of the tests, each
    part within the time limit, and records its behaviour
    (passgrid.verdicts.Behaviour) beside the verdict: passed if it got every
    input right, failed if it ran through them."""
    if problem.kind == STDIO:
        (examples,) = parts
        return replace(problem, stdio=replace(problem.stdio, public=tuple(examples), hidden=(), probe=True))
    return replace(problem, probe=repr([list(part) for part in parts]))


@dataclass(frozen=True)
class Probe:
    """One run per sample for every strategy: its problem's probe (problem), on
    the `shown` tests its statement shows, then on its model-written tests
    where it has some (`written`)."""
    problem: Problem
    shown: int
    written: bool


def probes(problems: dict, written: dict = None) -> dict:
    """task_id -> the Probe of each problem that shows tests or (a function
    problem) has model-written tests (`written`: task_id -> its tests,
    (args, kwargs, expected) each)."""
    found = {}
    for t, p in problems.items():
        shown = examples(p)
        tests = list((written or {}).get(t) or ()) if p.kind == FUNCTION else []
        if shown or tests:
            found[t] = Probe(probe_problem(p, *((shown, tests) if tests else (shown,))), len(shown), bool(tests))
    return found


def probe_problems(probed: dict) -> dict:
    """task_id -> the problem each Probe of `probed` (probes') runs, as the judge takes it."""
    return {t: p.problem for t, p in probed.items()}


def split_probe(verdict: Verdict, probe: Probe) -> tuple:
    """A probe's Verdict as two: on the tests the statement shows and on the
    model-written tests (None where the problem has none). A part that ran
    through its inputs passed or failed on them alone; one cut short (by the
    time limit, say) keeps the run's outcome and what it answered before.
    Both keep the run's duration."""
    shown = _part(verdict, 0, probe.shown) if probe.shown else None
    written = _part(verdict, probe.shown, None) if probe.written else None
    return shown, written


def _part(verdict: Verdict, start: int, stop) -> Verdict:
    """The verdict on inputs start..stop (to the last, where stop is None)."""
    behaviour = verdict.behaviour.part(start, stop) if verdict.behaviour else None
    answered = len(behaviour.outputs) if behaviour else 0
    if verdict.ran_through or (stop is not None and answered == stop - start):
        passed = behaviour.passed if behaviour else 0
        return replace(verdict, outcome=Outcome.PASSED if passed == answered else Outcome.FAILED,
                       detail=f"{passed} of {answered} inputs right", behaviour=behaviour)
    return replace(verdict, behaviour=behaviour)


def read_probe(verdict: Verdict) -> tuple:
    """(examples passed, output signature) from a probe's Verdict on the shown
    tests (None where the statement shows none); (0, its outcome) where it did
    not run through them."""
    if verdict is None:
        return 0, NO_EXAMPLES
    if verdict.behaviour is not None and verdict.ran_through:
        return verdict.behaviour.passed, verdict.behaviour.signature
    return 0, verdict.outcome.value


def joint_signature(signature: str, written: Verdict) -> str:
    """A sample's signature on the shown tests (read_probe's) joined with its
    outputs on the model-written tests' inputs, where its problem has some
    (AlphaCode clusters by the outputs on generated inputs): samples share it
    where they agree on both. Where it stopped on the written tests (the time
    limit), what it answered before and how it stopped stand for its outputs.
    A sample that did not run through the shown tests keeps its verdict."""
    if written is None or (not _RAN.fullmatch(signature) and signature != NO_EXAMPLES):
        return signature
    if signature == NO_EXAMPLES and written.behaviour is None:  # it ran on no input at all
        return written.outcome.value
    answered = written.behaviour.signature if written.behaviour else ""
    on_written = answered if written.ran_through else f"{written.outcome.value} after {answered}"
    return digest(f"{signature}\0{on_written}".encode())


def selected_curve(passed: np.ndarray, signature: list, correct: np.ndarray, orders: int, rng):
    """One problem's selected@k at every k = 1..n and each value's Monte Carlo
    variance, from `orders` random orderings of its n samples (see the
    module's docstring). `passed`: examples each sample passed; `signature`:
    its outputs' digest (or, where it did not run, its verdict)."""
    cluster, tier, value = clusters(np.asarray(passed), signature, np.asarray(correct, dtype=float))
    n, rows = len(cluster), np.arange(orders)
    joins = cluster[np.argsort(rng.random((orders, n)), axis=1)]  # orders x n: which group each next sample joins
    counts = np.zeros((orders, len(tier)), dtype=int)
    top, most = np.full(orders, -2), np.zeros(orders, dtype=int)  # the leading tier, and its largest group's size
    tied_value, tied = np.zeros(orders), np.zeros(orders, dtype=int)  # over the groups of that size in that tier
    picks = np.empty((orders, n))
    for k in range(n):
        group = joins[:, k]
        counts[rows, group] += 1
        size, level, worth = counts[rows, group], tier[group], value[group]
        leads = (level > top) | ((level == top) & (size > most))
        ties = (level == top) & (size == most) & ~leads
        top, most = np.where(leads, level, top), np.where(leads, size, most)
        tied_value = np.where(leads, worth, tied_value + np.where(ties, worth, 0.0))
        tied = np.where(leads, 1, tied + ties)
        picks[:, k] = tied_value / tied
    curve, variance = picks.mean(axis=0), picks.var(axis=0, ddof=1) / orders if orders > 1 else np.zeros(n)
    curve[0], variance[0] = np.mean(correct), 0.0  # k = 1: the pick is the sample
    return curve, variance


def clusters(passed: np.ndarray, signature: list, correct: np.ndarray):
    """(each sample's group, each group's tier and expected correctness).
    A group is the samples with one signature: the same outputs on every
    example, hence the same count passed, which is its tier; samples that
    did not run share a group per verdict, in a tier below every sample that
    ran. A pick from a group is right with the group's share of right
    samples (in expectation over which of its members a subset holds)."""
    signature = np.asarray(signature, dtype=object).astype(str)
    names, cluster = np.unique(signature, return_inverse=True)
    ran = np.array([bool(_RAN.fullmatch(s)) for s in names], dtype=bool)
    tier = np.where(ran, np.bincount(cluster, weights=passed) / np.bincount(cluster), -1).astype(int)
    value = np.bincount(cluster, weights=correct) / np.bincount(cluster)
    return cluster, tier, value
