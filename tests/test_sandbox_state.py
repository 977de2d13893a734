"""Nothing a program leaves reaches a later program, the host's keyrings are
out of reach, and a program's limits hold over all of its processes.

Each store a program could leave state in is tried as a cheat would use it:
a first program leaves a mark, a second one answers right only where it
finds the mark. Both run in the same sandbox, one after the other, for the
function kind (HumanEval/2), the program kind (MBPP's) and the stdio kind alike; a third program that
leaves the mark and looks for it itself shows that the mark is real."""
import ctypes
import os
import platform
from dataclasses import asdict

import pytest

from passgrid.execution.pool import JudgePool, Limits, build_program
from passgrid.execution.sandbox import CGROUP, FULL_ISOLATION, SECCOMP
from tests.conftest import PROGRAM_ADD, STDIO_SUM

STORES = {
    "/tmp": ("open('/tmp/pg-mark', 'w').write('1')", "os.path.exists('/tmp/pg-mark')"),
    "working directory": ("open('pg-mark', 'w').write('1')", "os.path.exists('pg-mark')"),
    "/dev/shm": ("open('/dev/shm/pg-mark', 'w').write('1')", "os.path.exists('/dev/shm/pg-mark')"),
    "System V shared memory": ("libc.shmget(0x5047, 4096, 0o1600)", "libc.shmget(0x5047, 0, 0) != -1"),
    "System V semaphores": ("libc.semget(0x5048, 1, 0o1600)", "libc.semget(0x5048, 0, 0) != -1"),
    "POSIX message queues": ("libc.mq_open(b'/pg-mark', 0o102, 0o600, None)", "libc.mq_open(b'/pg-mark', 0) != -1"),
    "a tree deeper than a walk": ("deep()", "os.path.exists('/tmp/pg-deep')"),
    "a directory no one may enter": ("os.makedirs('/tmp/pg-locked/x'); os.chmod('/tmp/pg-locked', 0)",
                                     "os.path.exists('/tmp/pg-locked')"),
    "the user keyring": ("libc.syscall(ADD_KEY, b'user', b'pg-mark', b'1', 1, -4)",
                         "libc.syscall(KEYCTL, 10, -4, b'user', b'pg-mark', 0) > 0"),  # KEYCTL_SEARCH
    "the session keyring": ("libc.syscall(ADD_KEY, b'user', b'pg-mark', b'1', 1, -3)",
                            "libc.syscall(KEYCTL, 10, -3, b'user', b'pg-mark', 0) > 0"),
}
_SYSCALLS = {"x86_64": (248, 250), "aarch64": (217, 219)}  # add_key, keyctl
ADD_KEY, KEYCTL = _SYSCALLS.get(platform.machine(), (-1, -1))
HELPERS = f"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
ADD_KEY, KEYCTL = {ADD_KEY}, {KEYCTL}


def deep():
    os.mkdir('/tmp/pg-deep')
    os.chdir('/tmp/pg-deep')
    for _ in range(3000):  # far below a recursive walk's reach (and past PATH_MAX)
        os.mkdir('d')
        os.chdir('d')
    os.chdir('/tmp')


def leave():
    try:
        LEAVE
    except OSError:
        pass


def found():
    try:
        return bool(FOUND)
    except OSError:
        return False
"""
STDIO_RIGHT = "a, b = map(int, input().split())\nprint(a + b if found() else 0)\n"
PROGRAM_RIGHT = "def add(a, b):\n    return a + b if found() else 0\n"


def judge(pool, problem, program, **limits):
    job = (0, problem, program, asdict(Limits(**{"timeout_s": 5.0, "memory_mb": 512, **limits})))
    [(_, result)] = list(pool.run([job]))
    return result


def programs(kind: str, problem: dict, store: str) -> tuple:
    """(leaves the mark, answers right only where it finds it, does both)."""
    leave, look = STORES[store]
    helpers = HELPERS.replace("LEAVE", leave).replace("FOUND", look)
    if kind == "stdio":
        return helpers + "leave()\nprint(0)\n", helpers + STDIO_RIGHT, helpers + "leave()\n" + STDIO_RIGHT
    if kind == "program":
        return (helpers + "leave()\ndef add(a, b):\n    return 0\n", helpers + PROGRAM_RIGHT,
                helpers + "leave()\n" + PROGRAM_RIGHT)
    right = "    return number % 1.0 if found() else 7.0\n"
    return (build_program(problem, "    return 7.0\n" + helpers + "leave()\n"),
            build_program(problem, right + helpers), build_program(problem, right + helpers + "leave()\n"))


@pytest.mark.system
@pytest.mark.parametrize("kind", ["function", "program", "stdio"])
@pytest.mark.parametrize("store", STORES)
def test_what_a_program_leaves_no_later_program_sees(pool, problems, kind, store):
    problem = {"stdio": STDIO_SUM, "program": PROGRAM_ADD}.get(kind) or problems["HumanEval/2"]
    leaves, looks, both = programs(kind, problem, store)
    keyring = "keyring" in store
    if not keyring:  # the mark is real: a program that leaves it finds it (keyring calls are refused outright)
        assert judge(pool, problem, both)["verdict"] == "passed"
    for _ in range(2):
        assert judge(pool, problem, leaves)["verdict"] in ("failed", "error")
    assert judge(pool, problem, looks)["verdict"] == "failed"
    if keyring and SECCOMP in pool.isolation:
        assert judge(pool, problem, both)["verdict"] == "failed"  # refused by the filter


def _host_key(description: bytes, keyring: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(KEYCTL, 10, keyring, b"user", description, 0)  # KEYCTL_SEARCH: its serial, or -1


@pytest.mark.skipif(ADD_KEY < 0, reason=f"no keyring system call numbers known for {platform.machine()}")
def test_the_hosts_keyrings_are_out_of_reach(problems):
    """A secret in the host user's session keyring cannot be read, and what a
    program adds is not in the host's keyrings after the run."""
    libc = ctypes.CDLL(None, use_errno=True)
    secret = libc.syscall(ADD_KEY, b"user", b"pg-host-secret", b"0.5", 3, -3)  # KEY_SPEC_SESSION_KEYRING
    assert secret > 0, os.strerror(ctypes.get_errno())
    problem = problems["HumanEval/2"]
    pool = JudgePool(workers=1)  # started with the secret in its session keyring
    try:
        reader = ("    import ctypes\n    libc = ctypes.CDLL(None)\n    buf = ctypes.create_string_buffer(16)\n"
                  f"    for ring in (-3, -4, -5):\n        key = libc.syscall({KEYCTL}, 10, ring, b'user', b'pg-host-secret', 0)\n"
                  f"        if key > 0 and libc.syscall({KEYCTL}, 11, key, buf, 16) > 0:\n"
                  "            return float(buf.value)\n    return 7.0\n")
        assert judge(pool, problem, build_program(problem, reader))["verdict"] == "failed"
        adder = ("    import ctypes\n    libc = ctypes.CDLL(None)\n    for ring in (-3, -4, -5):\n"
                 f"        libc.syscall({ADD_KEY}, b'user', b'pg-planted', b'x', 1, ring)\n    return number % 1.0\n")
        assert judge(pool, problem, build_program(problem, adder))["verdict"] == "passed"
        assert all(_host_key(b"pg-planted", ring) == -1 for ring in (-3, -4, -5))
    finally:
        pool.close()
        libc.syscall(KEYCTL, 21, secret)  # KEYCTL_INVALIDATE


@pytest.fixture(scope="module")
def cgroup_pool():
    pool = JudgePool(workers=1)
    if CGROUP not in pool.isolation:
        pool.close()
        pytest.skip(f"this machine gives the sandbox no control groups ({pool.isolation}); the limits are per process")
    yield pool
    pool.close()


# Four processes that each hold 200 MB at once: right only where all four lived.
HOLD_TOGETHER = """    import os, time
    global _answer
    if '_answer' not in globals():
        children = []
        for _ in range(4):
            pid = os.fork()
            if pid == 0:
                block = bytearray(200 << 20)
                block[::4096] = b'x' * len(block[::4096])
                time.sleep(0.5)
                os._exit(0)
            children.append(pid)
        _answer = all(os.waitpid(pid, 0)[1] == 0 for pid in children)
    return number % 1.0 if _answer else 7.0
"""


@pytest.mark.system
def test_memory_counts_all_of_a_programs_processes_together(cgroup_pool, problems):
    problem = problems["HumanEval/2"]
    program = build_program(problem, HOLD_TOGETHER)
    assert judge(cgroup_pool, problem, program, memory_mb=512)["verdict"] != "passed"  # 4 x 200 MB > 512 MB
    assert judge(cgroup_pool, problem, program, memory_mb=1536)["verdict"] == "passed"  # each alone is under 512


FILL_TMP = "    for i in range(20):\n        open(f'/tmp/f{i}', 'wb').write(b'x' * (15 << 20))\n    return number % 1.0\n"


def test_a_program_that_the_kernel_kills_for_memory_is_judged_memory(cgroup_pool, problems):
    """Files in its /tmp are memory too: 300 MB of them, under a 256 MB limit
    (each process's address space stays small, so only the group can tell)."""
    problem = problems["HumanEval/2"]
    result = judge(cgroup_pool, problem, build_program(problem, FILL_TMP), memory_mb=256)
    assert result["verdict"] == "memory", result


@pytest.mark.system
def test_what_a_program_held_is_free_for_the_next(cgroup_pool, problems):
    """300 MB left in /tmp by one program do not count against the next one's 512 MB."""
    problem = problems["HumanEval/2"]
    assert judge(cgroup_pool, problem, build_program(problem, FILL_TMP), memory_mb=512)["verdict"] == "passed"
    hold = "    block = bytearray(350 << 20)\n    block[::4096] = b'x' * len(block[::4096])\n    return number % 1.0\n"
    assert judge(cgroup_pool, problem, build_program(problem, hold), memory_mb=512)["verdict"] == "passed"


# Three processes spinning side by side: right only where, together, they got
# no more CPU time than the wall-clock time they ran (one CPU between them).
SHARE_ONE_CPU = """    import os, time
    start, before = time.monotonic(), sum(os.times()[2:4])
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            while time.monotonic() - start < 0.6:
                pass
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    used, wall = sum(os.times()[2:4]) - before, time.monotonic() - start
    return number % 1.0 if used <= 1.15 * wall + 0.05 else 7.0
"""


@pytest.mark.system
def test_cpu_time_counts_all_of_a_programs_processes_together(cgroup_pool, problems):
    problem = problems["HumanEval/2"]
    assert judge(cgroup_pool, problem, build_program(problem, SHARE_ONE_CPU))["verdict"] == "passed"


def test_the_isolation_level_names_every_part_that_held(pool):
    assert pool.isolation == FULL_ISOLATION


@pytest.mark.system
def test_without_control_groups_the_level_and_the_warning_say_the_limits_are_per_process(problems, monkeypatch,
                                                                                         capfd):
    """Where there are none (forced here), the limits hold per process, and
    passgrid says so: the same program then passes with 512 MB per process."""
    monkeypatch.setenv("PASSGRID_NO_CGROUP", "1")
    pool = JudgePool(workers=1)
    try:
        assert CGROUP not in pool.isolation.split("+")
        assert "limits hold per process" in capfd.readouterr().err
        problem = problems["HumanEval/2"]
        assert judge(pool, problem, build_program(problem, HOLD_TOGETHER), memory_mb=512)["verdict"] == "passed"
    finally:
        pool.close()
