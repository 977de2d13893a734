"""EvalPlus's own release format (HumanEval+ and MBPP+: `HumanEvalPlus.jsonl`,
`MbppPlus.jsonl`): task_id, prompt, entry_point, canonical_solution, contract,
base_input and plus_input (lists of argument lists), atol. Expected outputs
are not in the file: EvalPlus computes them by running the reference, and so
does passgrid, once, in the sandbox (passgrid.steps.complete_evalplus), then
writes them into the tests of the normalized problem:

- test: `check(candidate)` on the base inputs (EvalPlus's "base" verdict);
- plus_test: on the base and the plus inputs ("plus", EvalPlus's headline);
- kind: "program" for MBPP+ (task ids `Mbpp/<id>`: the completion is the
  whole program, as EvalPlus's MBPP `solution`), HumanEval's otherwise.

Outputs are compared as EvalPlus does: equal, or numbers (and sequences of
them, element-wise) within atol (1e-6 where the file's atol is 0 and the
answer is a float) and a relative 1e-7; HumanEval/32 (find_zero) by the
polynomial's value at the answer. EvalPlus's per-task MBPP+ oracles (set
equality for a few tasks, outputs that need only be non-None) are not
reproduced: those tasks are compared exactly.
"""
from passgrid import PassgridError

PENDING = "evalplus"  # the field holding the inputs of a problem whose outputs are not computed yet


def is_evalplus(row: dict) -> bool:
    return "base_input" in row and "plus_input" in row


def normalize_evalplus(row: dict, where: str) -> dict:
    for key in ("task_id", "prompt", "entry_point", "canonical_solution"):
        if not isinstance(row.get(key), str) or not row[key]:
            raise PassgridError(f"{where}: an EvalPlus row needs {key} (a non-empty string)")
    for key in ("base_input", "plus_input"):
        if not isinstance(row[key], list) or not all(isinstance(args, list) for args in row[key]):
            raise PassgridError(f"{where}: {key} must be a list of argument lists")
    atol = row.get("atol") or 0
    if isinstance(atol, bool) or not isinstance(atol, (int, float)) or atol < 0:
        raise PassgridError(f"{where}: atol must be a number >= 0, got {atol!r}")
    mbpp = str(row["task_id"]).startswith("Mbpp/")
    problem = {"task_id": row["task_id"], "prompt": row["prompt"], "entry_point": row["entry_point"], "test": "",
               # MBPP+'s reference is a whole program; HumanEval+'s a body for the prompt
               "canonical_solution": row["canonical_solution"],
               PENDING: {"base_input": row["base_input"], "plus_input": row["plus_input"], "atol": float(atol)}}
    if mbpp:
        problem["kind"] = "program"
    return problem


def all_inputs(problem: dict) -> list:
    """The argument lists whose outputs a pending problem needs: base, then plus."""
    return problem[PENDING]["base_input"] + problem[PENDING]["plus_input"]


def evalplus_tests(problem: dict, outputs: list) -> tuple:
    """(the problem with its tests written, how many inputs were left out):
    `outputs` the reference's on all_inputs ({"value": v}, or None where it
    raised or ran out of time: that input is left out). `test` holds the base
    inputs, `plus_test` the base and the plus inputs; a test set left with no
    input is an error, as a test that tests nothing would pass anything."""
    pending = problem[PENDING]
    kept = [(args, out["value"]) for args, out in zip(all_inputs(problem), outputs) if out is not None]
    n_base = sum(out is not None for out in outputs[:len(pending["base_input"])])
    if not n_base:
        raise PassgridError(f"{problem['task_id']}: the reference solution gave an output on none of the "
                            f"{len(pending['base_input'])} base input(s)")
    base, plus = kept[:n_base], kept
    done = {k: v for k, v in problem.items() if k != PENDING}
    return {**done, "test": _check(base, pending["atol"], problem["entry_point"]),
            "plus_test": _check(plus, pending["atol"], problem["entry_point"])}, len(outputs) - len(kept)


def _check(cases: list, atol: float, entry_point: str) -> str:
    inputs, outputs = [args for args, _ in cases], [out for _, out in cases]
    compare = "abs(poly(*inp, out)) <= max(ATOL, 1e-6)" if entry_point == "find_zero" else "_close(out, exp, ATOL)"
    return f'''import copy
import math

inf, nan = float("inf"), float("nan")
INPUTS = {inputs!r}
OUTPUTS = {outputs!r}
ATOL = {atol!r}


def _close(out, exp, atol):
    if out == exp:
        return True
    if isinstance(exp, float) and not isinstance(out, bool) and isinstance(out, (int, float)):
        return math.isclose(out, exp, rel_tol=1e-7, abs_tol=atol or 1e-6) or (math.isnan(exp) and math.isnan(out))
    if type(exp) in (list, tuple) and type(out) is type(exp) and len(out) == len(exp):
        return all(_close(o, e, atol) for o, e in zip(out, exp))
    return False


def check(candidate):
    for i, (inp, exp) in enumerate(zip(INPUTS, OUTPUTS)):
        out = candidate(*copy.deepcopy(inp))
        assert {compare}, "input %d" % i
'''
