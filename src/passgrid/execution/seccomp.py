"""A seccomp filter refusing what no benchmark program needs: defence in
depth below the namespaces, and the only line where they are refused.

Built once per zygote with libseccomp (through pyseccomp, which resolves
each call's number on this machine's architecture and refuses the others'
ABIs), exported as a BPF program, and loaded by each child as the last step
before the program runs (`install`, one prctl). Where libseccomp is missing
there is no filter, and the isolation level says so.
"""
import ctypes
import errno
import os

# Refused everywhere (EPERM): the keyrings (a kernel store shared across
# namespaces), tracing, mounting and namespaces, kernel modules and images,
# BPF, io_uring (whose operations bypass a filter), and reading other
# processes' memory.
REFUSED = ("add_key", "request_key", "keyctl", "ptrace", "process_vm_readv", "process_vm_writev",
           "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
           "mount_setattr", "unshare", "setns", "init_module", "finit_module", "delete_module", "kexec_load",
           "kexec_file_load", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
           "io_uring_register", "open_by_handle_at", "name_to_handle_at", "swapon", "swapoff", "reboot",
           "syslog", "acct", "quotactl", "lookup_dcookie", "personality")
# clone with any of these flags (a namespace of the program's own) is refused;
# clone3, whose flags a filter cannot read, answers ENOSYS so that the C
# library falls back to clone.
_CLONE_NEW = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080)
_AF_UNIX = 1
ALL_FAMILIES = "all"  # socket() refused whatever the family
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_libc = ctypes.CDLL(None, use_errno=True)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_library():
    """pyseccomp (and libseccomp under it), imported while the host's file
    system is still in view; None where either is missing."""
    try:
        import pyseccomp
    except (ImportError, OSError, AttributeError):
        return None
    return pyseccomp


def build(library, refuse_sockets=()):
    """The filter as a loadable program (kept alive by the returned object),
    or None: where libseccomp is missing, or cannot add every rule (a
    library older than a call it should refuse), there is no filter rather
    than one weaker than the isolation level would say. `refuse_sockets`:
    address families whose socket() is refused too (AF_UNIX where the host's
    sockets are in view), or ALL_FAMILIES (where no network namespace hides
    the network)."""
    if library is None:
        return None
    sc = library
    rules = sc.SyscallFilter(sc.ALLOW)
    try:
        for name in REFUSED:
            rules.add_rule(sc.ERRNO(errno.EPERM), name)
        rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        for flag in _CLONE_NEW:
            rules.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
        if refuse_sockets == ALL_FAMILIES:
            rules.add_rule(sc.ERRNO(errno.EPERM), "socket")
        for family in () if refuse_sockets == ALL_FAMILIES else refuse_sockets:
            # the kernel reads the family as a 32-bit int: compare those bits only, or
            # a family with high bits set would pass the rule and open the socket all the same
            rules.add_rule(sc.ERRNO(errno.EPERM), "socket", sc.Arg(0, sc.MASKED_EQ, 0xFFFFFFFF, family))
    except (ValueError, OSError):
        return None
    fd = os.memfd_create("seccomp")
    try:
        with open(fd, "w+b", closefd=False) as f:
            rules.export_bpf(f)
        program = os.pread(fd, 1 << 20, 0)
    finally:
        os.close(fd)
    buffer = ctypes.create_string_buffer(program, len(program))
    return buffer, _SockFprog(len(program) // 8, ctypes.addressof(buffer))


def sockets_refused(namespaced: bool, allowlist: bool):
    if not namespaced:
        return ALL_FAMILIES
    return () if allowlist else (_AF_UNIX,)


def install(compiled) -> None:
    """Load the filter into this process (no_new_privs already set)."""
    if compiled is None:
        return
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(compiled[1]), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter refused")
