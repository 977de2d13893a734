"""Tests a user or a model wrote, read as data: a call of the entry point on
literal arguments and the literal it must equal. The judge runs such a call
in the sandbox and compares the answer in the trusted process, so a program
cannot forge the comparison (passgrid.execution.judge)."""
import ast

_LITERAL_ERRORS = (ValueError, SyntaxError, TypeError, MemoryError, RecursionError)


def literal_call(node, name: str):
    """(args, kwargs) of `name(literal, ..., key=literal)` (an ast node or its
    source), else None."""
    try:
        if isinstance(node, str):
            node = ast.parse(node, mode="eval").body
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name):
            return None
        args = tuple(ast.literal_eval(a) for a in node.args)
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
        return (args, kwargs) if len(kwargs) == len(node.keywords) else None
    except _LITERAL_ERRORS:
        return None


def literal_assert(source: str, name: str):
    """(args, kwargs, expected) of an assert a model wrote, where it has one
    of these forms (a message after the comma is ignored):
    `assert name(...) == LITERAL` (or the sides swapped), `assert name(...) is
    True/False/None`, `assert name(...)` (True), `assert not name(...)`
    (False); else None. The judge compares with == (floats within 1e-6
    relative), as the assert does up to that tolerance and up to truthiness
    (`assert name(...)` on an answer of 1 passes in Python, not here)."""
    try:
        tree = ast.parse(source.strip())
    except _LITERAL_ERRORS:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return None
    test = tree.body[0].test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        call = literal_call(test.operand, name)
        return (*call, False) if call else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is)):
        left, right = test.left, test.comparators[0]
        if isinstance(test.ops[0], ast.Is) and not (isinstance(right, ast.Constant) and right.value in (True, False, None)):
            return None
        for call_side, value_side in ((left, right), (right, left)):
            call = literal_call(call_side, name)
            if call:
                try:
                    return (*call, ast.literal_eval(value_side))
                except _LITERAL_ERRORS:
                    return None
        return None
    call = literal_call(test, name)
    return (*call, True) if call else None
