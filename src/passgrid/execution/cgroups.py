"""A control group per program, so that its limits hold over all of its
processes together: memory (resident pages, its /tmp's among them), the
number of processes, and CPU (one CPU's bandwidth, so that the processes'
CPU time together is at most the wall-clock limit).

cgroup v1, as these machines mount it: one hierarchy per controller, the
group made below the zygote's own in each. Directories are reached through
descriptors opened before the zygote enters its namespaces (the cgroup file
system is not in the sandbox's root). Where a hierarchy is missing or not
writable (cgroup v2, an unprivileged user), there are none, and the
isolation level says that the limits are per process only.
"""
import os
import signal

CONTROLLERS = ("memory", "pids", "cpu")
_PERIOD_US = 100_000


def _hierarchies() -> dict:
    """controller -> the directory of this process's own group in it (cgroup v1)."""
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            tail = fields[fields.index("-") + 1:]
            if tail[0] == "cgroup":
                for name in tail[2].split(","):
                    if name in CONTROLLERS:
                        mounts[name] = (fields[3], fields[4])  # (root within the hierarchy, mount point)
    own = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, names, path = line.rstrip("\n").split(":", 2)
            for name in names.split(","):
                if name in mounts:
                    root, point = mounts[name]
                    relative = os.path.relpath(path, root) if path.startswith(root) else None
                    if relative is not None:
                        own[name] = os.path.normpath(os.path.join(point, relative))
    return own


class ProgramGroups:
    """The programs' group in each controller, made below the zygote's own
    group, which each program's child joins first of all (one program at a
    time). Reused from program to program, its limits written again before
    each: what a program leaves in it (page cache) is reclaimed before it
    could count against the next, and a group made and removed per program
    would cost more than the fork. With namespaces nothing of it is in a
    program's reach; without, the host's /sys/fs/cgroup is: its limits are
    written again before every program, and a program can leave the group
    (sandbox.WEAKNESSES)."""

    def __init__(self, parents: dict, name: str):
        self.parents, self.name = parents, name  # controller -> descriptor of the zygote's own group
        self.procs = {c: os.open(f"{name}/cgroup.procs", os.O_WRONLY, dir_fd=fd) for c, fd in parents.items()}
        self.written = None  # the limits last written

    @classmethod
    def open(cls):
        """Make the zygote's groups; None where a controller is missing or a
        group cannot be made or limited. Called with the host in view."""
        parents = {}
        try:
            own = _hierarchies()
            if set(own) != set(CONTROLLERS):
                return None
            parents = {c: os.open(path, os.O_RDONLY | os.O_DIRECTORY) for c, path in own.items()}
            _remove_stale(parents)
            name = f"passgrid-{os.getpid()}-{os.urandom(4).hex()}"
            made = []
            for fd in parents.values():
                os.mkdir(name, 0o755, dir_fd=fd)
                made.append(fd)
            groups = cls(parents, name)
            groups.limit({"memory_mb": 64, "processes": 1}, again=True)
            return groups
        except OSError:
            for fd in parents.values():
                if fd in made:
                    _rmdir(name, fd)
                os.close(fd)
            return None

    def close(self) -> None:
        """Remove the group (every program in it has ended), as the zygote exits."""
        for controller, fd in self.procs.items():
            os.close(fd)
            _rmdir(self.name, self.parents[controller])

    def _path(self, entry: str) -> str:
        return f"{self.name}/{entry}"

    def _write(self, controller: str, entry: str, value) -> None:
        fd = os.open(self._path(entry), os.O_WRONLY, dir_fd=self.parents[controller])
        try:
            os.write(fd, str(value).encode())
        finally:
            os.close(fd)

    def limit(self, job: dict, again: bool) -> None:
        """Set a program's limits where they differ from those last written,
        or, `again`, all of them whatever the last program left (where it
        could reach the group's files: without namespaces)."""
        limits = (job["memory_mb"], job["processes"])
        if again or limits != self.written:
            self._write("memory", "memory.limit_in_bytes", limits[0] << 20)
            self._write("pids", "pids.max", limits[1])
            self._write("cpu", "cpu.cfs_period_us", _PERIOD_US)
            self._write("cpu", "cpu.cfs_quota_us", _PERIOD_US)
            self.written = limits

    def join(self) -> None:
        """In the child, first of all ("0" names the writer itself)."""
        for fd in self.procs.values():
            os.write(fd, b"0")

    def oom_kills(self) -> int:
        """How many processes the kernel has killed in the group for memory, so far."""
        fd = os.open(self._path("memory.oom_control"), os.O_RDONLY, dir_fd=self.parents["memory"])
        try:
            counts = dict(line.split() for line in os.read(fd, 4096).decode().splitlines() if line.strip())
        finally:
            os.close(fd)
        return int(counts.get("oom_kill", 0))

    def kill_all(self) -> None:
        """SIGKILL every process in the group (where no PID namespace ends them all)."""
        for _ in range(100):
            fd = os.open(self._path("cgroup.procs"), os.O_RDONLY, dir_fd=self.parents["pids"])
            try:
                pids = [int(p) for p in os.read(fd, 1 << 20).split()]
            finally:
                os.close(fd)
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _remove_stale(parents: dict) -> None:
    """The groups of zygotes that are gone (killed with their judge): an
    empty group is removed; one with processes in it is refused by the kernel."""
    for fd in parents.values():
        for name in os.listdir(fd):
            pid = name.split("-")[1] if name.startswith("passgrid-") and name.count("-") == 2 else None
            if pid and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                _rmdir(name, fd)


def _rmdir(name: str, parent: int) -> None:
    try:
        os.rmdir(name, dir_fd=parent)
    except OSError:  # processes still in it (the kernel refuses), or gone already
        pass
