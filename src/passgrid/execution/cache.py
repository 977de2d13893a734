"""Verdicts cached by content, across cells and runs, in one SQLite file.

A program's key is its problem (prompt, tests, entry point, what of its
answer is judged, a probe's examples), its compiled code with its line and column table (a
program can read its own positions, so two layouts are two programs; a
comment or blank at the end of a line changes neither), what it was judged
under (every execution setting that changes verdicts: `judged_under`, the
same fields as the schema declares VERDICTS, less the time limit's), the
isolation level and the sandbox's version. The time limit is not in the
key: a cached verdict is reused when it would stand under the current limit
(a pass judged under at most the limit, or that took less time than it; a
timeout under at least as much time). A probe's behaviour (passgrid.verdicts.Behaviour) is kept
beside its verdict, and goes with it.
"""
import hashlib
import json
import marshal
import sqlite3
import time
import types
from dataclasses import asdict, replace

from passgrid.execution.limits import Limits
from passgrid.execution.sandbox import PROGRAM_FILENAME
from passgrid.problem import Problem
from passgrid.verdicts import Outcome

SANDBOX_VERSION = "9"  # bump when a change to judging could change a verdict
# Settings that change verdicts but are not keyed: a cached verdict is
# checked against the time limit instead (still_valid).
TIME_FIELDS = ("timeout_s", "timeout_factor", "probe_timeout_s")


def judged_under(limits: Limits, sandbox_paths=()) -> dict:
    """The settings a verdict is judged under, less TIME_FIELDS: the
    sandbox's limits and what programs may read. (The grid derives the same
    from the schema's VERDICTS declarations: passgrid.grid.jobs.ExecuteJob.)"""
    settings = {k: v for k, v in asdict(limits).items() if k not in TIME_FIELDS}
    return {**settings, "sandbox_paths": [str(p) for p in sandbox_paths]}


def compile_program(program: str):
    """The program's code object, as the sandbox runs it (asserts kept, whatever
    passgrid's own -O), or None where it does not compile: the sandbox then
    compiles the text and reports the error."""
    try:
        return compile(program, PROGRAM_FILENAME, "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def normalize(program: str, code=None) -> bytes:
    """What a program does, as bytes: its bytecode, names, constants and
    positions (line and column table, first line), nested functions included
    (`code`: its compile_program, if already at hand). Three times cheaper
    than dumping its syntax tree, which mattered at 1,000 samples per problem."""
    code = code if code is not None else compile_program(program)
    if code is None:
        return b"text:" + program.encode("utf-8", errors="surrogatepass")  # uncompilable: the text itself
    return marshal.dumps(_shape(code))


def _shape(code: types.CodeType) -> tuple:
    return (code.co_code, code.co_exceptiontable, code.co_names, code.co_varnames, code.co_freevars,
            code.co_cellvars, code.co_name, code.co_qualname, code.co_argcount, code.co_posonlyargcount,
            code.co_kwonlyargcount, code.co_flags, code.co_firstlineno, code.co_linetable,
            tuple(_shape(c) if isinstance(c, types.CodeType) else c for c in code.co_consts))


def program_key(problem: Problem, program: str, settings: dict, isolation: str, code=None) -> str:
    """`settings`: judged_under's."""
    h = hashlib.sha256()
    for part in (SANDBOX_VERSION, isolation, json.dumps(settings, sort_keys=True), problem.entry_point,
                 problem.prompt, problem.tests_text, str(problem.answer), str(problem.probe)):
        h.update(part.encode("utf-8", errors="surrogatepass"))
        h.update(b"\0")
    h.update(normalize(program, code))
    return h.hexdigest()


def outputs_key(problem: Problem, program: str, inputs: list, isolation: str) -> str:
    """The key of a reference's outputs on `inputs` (wire-encoded argument lists)."""
    return program_key(replace(problem, test=json.dumps(inputs)), program, {}, isolation)


def still_valid(cached: dict, limit_s: float) -> bool:
    """Whether a cached verdict stands under `limit_s`. One that finished
    within a limit finishes within any longer one; under a shorter one, the
    time it took decides (a probe's whole run, though each of its parts has
    the limit: it may be judged again where it need not be). A timeout stands
    under any shorter limit, but a probe's timeout only under its own: the
    answers it gave before it was stopped depend on the limit."""
    if cached["verdict"] == Outcome.TIMEOUT:
        return cached["limit_s"] == limit_s if "behaviour" in cached else cached["limit_s"] >= limit_s
    return cached["limit_s"] <= limit_s or cached["duration_s"] < limit_s


class VerdictCache:
    """get/put by key; writes are committed in batches, so a killed run keeps
    all but the last moments of its work."""

    def __init__(self, path, commit_every_s: float = 1.0):
        from pathlib import Path

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=60, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict TEXT, detail TEXT,"
                        " duration_s REAL, limit_s REAL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS outputs (key TEXT PRIMARY KEY, outputs TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS behaviours (key TEXT PRIMARY KEY, behaviour TEXT)")
        self.commit_every_s, self.last_commit = commit_every_s, time.monotonic()

    def get(self, key: str):
        row = self.db.execute("SELECT verdict, detail, duration_s, limit_s, behaviour FROM verdicts "
                              "LEFT JOIN behaviours USING (key) WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        found = dict(zip(("verdict", "detail", "duration_s", "limit_s"), row))
        return {**found, "behaviour": json.loads(row[4])} if row[4] else found

    def put(self, key: str, result: dict, limit_s: float) -> None:
        if result["verdict"] in (Outcome.SANDBOX_FAULT, Outcome.CRASH):
            return  # a fault says nothing about the program; a crash is judged again next time, in case it did not either
        self.db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?)",
                        (key, result["verdict"], result["detail"], result["duration_s"], limit_s))
        if "behaviour" in result:
            self.db.execute("INSERT OR REPLACE INTO behaviours VALUES (?, ?)", (key, json.dumps(result["behaviour"])))
        else:  # judged again (under a longer limit) without running through: no earlier behaviour stays with it
            self.db.execute("DELETE FROM behaviours WHERE key = ?", (key,))
        if time.monotonic() - self.last_commit > self.commit_every_s:
            self.db.commit()
            self.last_commit = time.monotonic()

    def get_outputs(self, key: str):
        """A reference solution's outputs (Judge.outputs' list, wire-encoded), or None."""
        row = self.db.execute("SELECT outputs FROM outputs WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put_outputs(self, key: str, outputs: list) -> None:
        self.db.execute("INSERT OR REPLACE INTO outputs VALUES (?, ?)", (key, json.dumps(outputs)))
        self.db.commit()

    def close(self) -> None:
        self.db.commit()
        self.db.close()
