"""EvalPlus's own release format (HumanEval+ and MBPP+: `HumanEvalPlus.jsonl`,
`MbppPlus.jsonl`): task_id, prompt, entry_point, canonical_solution, contract,
base_input and plus_input (lists of argument lists), atol. Expected outputs
are not in the file: EvalPlus computes them by running the reference, and so
does passgrid, once, in the sandbox (complete_evalplus, given the sandbox by
passgrid.evaluation.ready_problems), then
writes them into the tests of the normalized problem:

- test: `check(candidate)` on the base inputs (EvalPlus's "base" verdict);
- plus_test: on the base and the plus inputs ("plus", EvalPlus's headline);
- kind: "program" for MBPP+ (task ids `Mbpp/<id>`: the completion is the
  whole program, as EvalPlus's MBPP `solution`), HumanEval's otherwise.

Outputs are compared as EvalPlus does (its evalplus.eval.unsafe_execute): an
exact match, else, where atol is set (1e-6 where the file's is 0 and the
answer is a float or a sequence of floats), the same type, length and shape
and numpy.allclose(rtol=1e-7, atol) (EvalPlus's allclose broadcasts: here
[[]] is not close to [0.5]); HumanEval/32 (find_zero) by the
polynomial's value at the answer; MBPP+'s per-task oracles (set equality,
outputs that need only be None or not, and four tasks' own) as EvalPlus has
them (a None-or-not task's answer, the reference's and the candidates' alike,
taken in the sandbox: passgrid.kinds.ANSWER_IS_NOT_NONE). MBPP+'s inputs get back the tuples, sets and complex numbers that JSON
lost, as EvalPlus restores them. One difference: EvalPlus, once a float
answer has set atol to 1e-6, keeps it for that task's later inputs; here each
input decides its own.
"""
import functools
import sys
from dataclasses import replace
from pathlib import Path

from passgrid import PassgridError
from passgrid.kinds import ANSWER_IS_NOT_NONE, FUNCTION, PROGRAM
from passgrid.problem import Problem

CHECKER = Path(__file__).with_name("evalplus_check.py")  # the test's text, its cases written after it


def is_evalplus(row: dict) -> bool:
    return "base_input" in row and "plus_input" in row


def normalize_evalplus(row: dict, where: str) -> Problem:
    for key in ("task_id", "prompt", "entry_point", "canonical_solution"):
        if not isinstance(row.get(key), str) or not row[key]:
            raise PassgridError(f"{where}: an EvalPlus row needs {key} (a non-empty string)")
    for key in ("base_input", "plus_input"):
        if not isinstance(row[key], list) or not all(isinstance(args, list) for args in row[key]):
            raise PassgridError(f"{where}: {key} must be a list of argument lists")
    atol = row.get("atol") or 0
    if isinstance(atol, bool) or not isinstance(atol, (int, float)) or atol < 0:
        raise PassgridError(f"{where}: atol must be a number >= 0, got {atol!r}")
    mbpp = _is_mbpp(row["task_id"])
    # MBPP+'s reference is a whole program; HumanEval+'s a body for the prompt
    return Problem(row["task_id"], row["prompt"], row["entry_point"], kind=PROGRAM if mbpp else FUNCTION,
                   canonical_solution=row["canonical_solution"],
                   answer=ANSWER_IS_NOT_NONE if mbpp and row["entry_point"] in _NOT_NONE else None,
                   evalplus_inputs={"base_input": row["base_input"], "plus_input": row["plus_input"], "atol": float(atol)})


def _is_mbpp(task_id: str) -> bool:
    """MBPP+'s (task ids Mbpp/<number>), not HumanEval+'s: EvalPlus tells its datasets apart so."""
    return str(task_id).startswith("Mbpp/")


def all_inputs(problem: Problem) -> list:
    """The argument lists whose outputs a pending problem needs: base, then
    plus; MBPP+'s with their tuples, sets and complex numbers back."""
    inputs = problem.evalplus_inputs["base_input"] + problem.evalplus_inputs["plus_input"]
    number = problem.task_id.split("/")[-1]
    if _is_mbpp(problem.task_id) and number.isdigit():
        return [_restore_mbpp_args(int(number), args) for args in inputs]
    return inputs


# MBPP+'s inputs went through JSON, which has no tuples, sets or complex
# numbers. These tasks' arguments are restored as EvalPlus restores them
# (evalplus.data.mbpp.mbpp_deserialize_inputs), task by task.
_EVERY_ARG_A_TUPLE = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726,
                      740, 744, 809}
_EVERY_ARG_A_LIST_OF_TUPLES = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
_FIRST_ARG_A_LIST_OF_TUPLES = {75, 413, 444, 753}
_SECOND_ARG_A_TUPLE = {106, 750}
_FIRST_ARG_A_TUPLE = {250, 405, 446, 617, 720, 763, 808, 307}
_TUPLES_OF_TUPLES = {259, 401, 445}
_ALL_TUPLES = {580, 615, 791}


def _restore_mbpp_args(number: int, args: list):
    def all_tuples(x):
        return tuple(all_tuples(v) for v in x) if isinstance(x, list) else x

    if number in _EVERY_ARG_A_TUPLE:
        return [tuple(a) for a in args]
    if number in _EVERY_ARG_A_LIST_OF_TUPLES:
        return [[tuple(v) for v in a] for a in args]
    if number in _FIRST_ARG_A_LIST_OF_TUPLES:
        return [[tuple(v) for v in args[0]], *args[1:]]
    if number in _SECOND_ARG_A_TUPLE:
        return [args[0], tuple(args[1]), *args[2:]]
    if number in _FIRST_ARG_A_TUPLE:
        return [tuple(args[0]), *args[1:]]
    if number in _TUPLES_OF_TUPLES:
        return [tuple(tuple(v) for v in a) for a in args]
    if number in _ALL_TUPLES:
        return all_tuples(args)
    if number == 115:
        return [[set(v) if isinstance(v, list) and v else {} for v in args[0]]]
    if number == 124:
        return [float(args[0]), complex(args[1])]
    if number == 252:
        return [complex(args[0])]
    if number == 278:
        return [tuple(tuple(v) if isinstance(v, list) else v for v in args[0])]
    if number == 722:
        return [{k: tuple(v) for k, v in args[0].items()}, *args[1:]]
    return args


# EvalPlus's per-task oracles for MBPP+, by entry point.
_SET_EQUAL = {"similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly", "larg_nnum",
              "intersection_array", "find_dissimilar", "Diff"}
_NOT_NONE = {"check_str", "text_match_three", "text_starta_endb"}  # the output need only be None or not


def evalplus_tests(problem: Problem, outputs: list) -> tuple:
    """(the problem with its tests written, how many inputs were left out):
    `outputs` the reference's on all_inputs ({"value": v}, or None where it
    raised or ran out of time: that input is left out). `test` holds the base
    inputs, `plus_test` the base and the plus inputs; a test set left with no
    input is an error, as a test that tests nothing would pass anything."""
    pending = problem.evalplus_inputs
    kept = [(args, out["value"]) for args, out in zip(all_inputs(problem), outputs) if out is not None]
    n_base = sum(out is not None for out in outputs[:len(pending["base_input"])])
    if not n_base:
        raise PassgridError(f"{problem.task_id}: the reference solution gave an output on none of the "
                            f"{len(pending['base_input'])} base input(s)")
    oracle = _oracle(problem.entry_point, _is_mbpp(problem.task_id))
    return replace(problem, test=_check(kept[:n_base], pending["atol"], oracle),
                   plus_test=_check(kept, pending["atol"], oracle), evalplus_inputs=None), len(outputs) - len(kept)


def _oracle(entry_point: str, mbpp: bool) -> str:
    if not mbpp:
        return "find_zero" if entry_point == "find_zero" else ""
    if entry_point in _SET_EQUAL:
        return "set"
    if entry_point in _NOT_NONE:
        return "not_none"
    return entry_point if entry_point in ("are_equivalent", "sum_div", "surface_Area", "digit_distance_nums") else ""


@functools.lru_cache(maxsize=1)
def _checker_text() -> str:
    return CHECKER.read_text()


def _check(cases: list, atol: float, oracle: str) -> str:
    """check(candidate), as EvalPlus compares (evalplus_check.py, with the
    cases' inputs and outputs, atol and the oracle written after it): an
    exact match (or the task's oracle), else, where atol is set (1e-6 for a
    float answer where it is 0), the same type, length and shape and
    numpy.allclose(rtol=1e-7, atol)."""
    inputs, outputs = [args for args, _ in cases], [out for _, out in cases]
    return (_checker_text() + f"\n\nINPUTS = {inputs!r}\nOUTPUTS = {outputs!r}\nATOL = {atol!r}\n"
            f"ORACLE = {oracle!r}\n")


def complete_evalplus(problems: list, reference_outputs) -> list:
    """Problems in EvalPlus's release format get their tests from the
    reference's outputs: `reference_outputs(problems, inputs)`, both by
    task_id, runs each reference on its inputs (in the sandbox) and returns
    its outputs (None where it raised or ran out of time). Such an input is
    left out, and counted; other problems are returned as they are."""
    pending = {p.task_id: p for p in problems if p.evalplus_inputs is not None}
    if not pending:
        return problems
    outputs = reference_outputs(pending, {t: all_inputs(p) for t, p in pending.items()})
    done, left_out = {}, {}
    for task_id, problem in pending.items():
        done[task_id], n = evalplus_tests(problem, outputs[task_id])
        if n:
            left_out[task_id] = n
    if left_out:
        print(f"passgrid: left out {sum(left_out.values())} EvalPlus input(s) on which the reference solution "
              "raised or ran out of time: " + ", ".join(f"{t} ({n})" for t, n in left_out.items()), file=sys.stderr)
    return [done.get(p.task_id, p) for p in problems]
