import ast

import pytest

from passgrid.grid.schema import PromptConfig
from passgrid.sampling.draw import to_completion
from passgrid.sampling.prompts import (
    answer_complete,
    chat_messages,
    completion_from_code,
    extract_code,
    truncate_at_stop,
)

CHAT = PromptConfig(style="chat", instruction="Complete it.")


def test_chat_messages_carry_the_stub():
    [msg] = chat_messages("def f():\n    \"\"\"doc\"\"\"\n", "Complete it.")
    assert msg["role"] == "user" and msg["content"].startswith("Complete it.") and "def f():" in msg["content"]


def test_extracts_the_block_that_defines_the_function():
    reply = "Here:\n```python\nprint('hi')\n```\nand\n```python\ndef add(a, b):\n    return a + b\n```\nDone."
    assert extract_code(reply, "add") == "def add(a, b):\n    return a + b\n"


def test_unclosed_fence_runs_to_the_end():
    assert extract_code("```python\ndef add(a, b):\n    return a +", "add") == "def add(a, b):\n    return a +"


def test_no_fence_takes_whole_reply():
    assert extract_code("def add(a, b): return a+b", "add") == "def add(a, b): return a+b"


def test_whole_function_follows_the_stub_and_keeps_prompt_imports(problems):
    p = problems["HumanEval/0"]
    reply = ("```python\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
             "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n```")
    program = p.prompt + to_completion(reply, p, CHAT)
    ns = {}
    exec(program, ns)  # the prompt's `from typing import List` is in scope
    ns_test = {}
    exec(p.test, ns_test)
    ns_test["check"](ns["has_close_elements"])


def test_body_only_reply_is_indented_under_the_signature(problems):
    p = problems["HumanEval/2"]  # truncate_number
    completion = completion_from_code("return number % 1.0\n", p.entry_point)
    ns = {}
    exec(p.prompt + completion, ns)
    assert ns["truncate_number"](3.5) == 0.5


def test_every_humaneval_prompt_accepts_an_appended_function(problems):
    for p in problems.values():
        ast.parse(p.prompt + completion_from_code(f"def {p.entry_point}(*a):\n    return 1\n", p.entry_point))


def test_completion_style_cuts_at_stop():
    assert truncate_at_stop("    return 1\n\ndef other():\n", ["\ndef ", "\nif __name__"]) == "    return 1\n"


REPLIES = [
    "Sure:\n```python\ndef f(x):\n    return x + 1\n```\n\nThis adds one. Usage:\n```python\nprint(f(1))\n```\n",
    "```python\nfrom math import pi\n```\nthen\n```python\ndef f(x):\n    return pi\n```\nand ```py\ndef f(x): pass\n```",
    "Use this:\n```\ndef f(x):\n    return [x] * 2\n``` done",
    "```python\ndef g():\n    pass\n```\n```python\ndef f(x):\n    return g()\n",  # never closed
]


def test_answer_is_complete_once_the_defining_block_is_closed():
    assert not answer_complete("```python\ndef f(x):\n    return 1\n", "f")  # still open
    assert not answer_complete("```python\ndef f(x):\n    return 1\n``", "f")
    assert answer_complete("```python\ndef f(x):\n    return 1\n```", "f")
    assert not answer_complete("```python\ndef g(x):\n    return 1\n```", "f")  # another function
    assert not answer_complete("```js\nfunction f(x) {}\n```", "f")


@pytest.mark.parametrize("reply", REPLIES)
def test_no_text_after_a_complete_answer_changes_the_program(reply):
    """What makes stopping at the answer safe: at every cut where the answer
    is complete, the extracted code is that of the whole reply."""
    cuts = [c for c in range(len(reply) + 1) if answer_complete(reply[:c], "f")]
    assert all(extract_code(reply[:c], "f") == extract_code(reply, "f") for c in cuts)
    if "return g()" not in reply:
        assert cuts and cuts[0] < len(reply.rstrip())  # it does stop early
