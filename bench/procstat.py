"""Server-side measurements from /proc: CPU seconds and memory of a process tree.

A server is measured as its root process plus every descendant (PostgreSQL
forks a backend per connection; the others are one multi-threaded process):

- CPU: utime+stime+cutime+cstime summed over the tree. A backend that exits
  is reaped by the postmaster, whose cutime/cstime then carry its CPU, so a
  delta taken before and after a run (once the tree settled) covers
  everything the server did.
- memory: PSS summed over the tree (``smaps_rollup``), so pages shared
  between PostgreSQL processes (shared buffers, libraries) count once; for a
  single-process server PSS is its RSS minus its share of libraries mapped
  by other processes too. ``VmHWM`` (reset through ``clear_refs``) gives the
  exact peak RSS of single-process servers between samples.
"""
import os
import threading
import time
from typing import Dict, List, Optional, Tuple

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> Optional[Tuple[int, float]]:
    """(ppid, cpu seconds incl. reaped children) or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()
    # fields[0] is state (field 3); utime is field 14 -> index 11.
    ticks = sum(int(x) for x in fields[11:15])
    return int(fields[1]), ticks / CLK_TCK


def tree(root: int) -> Dict[int, float]:
    """{pid: cpu seconds} for root and all its descendants."""
    parent: Dict[int, int] = {}
    cpu: Dict[int, float] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _stat(int(name))
        if st is not None:
            parent[int(name)], cpu[int(name)] = st
    if root not in cpu:
        return {}
    children: Dict[int, List[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        out[pid] = cpu[pid]
        todo.extend(children.get(pid, ()))
    return out


def _kb_field(path: str, key: str) -> int:
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def kb(pid: int, key: bytes) -> int:
    """A kB field of /proc/<pid>/status (b"RssAnon:"...)."""
    return _kb_field(f"/proc/{pid}/status", key)


def pss_mb(pids) -> float:
    return sum(_kb_field(f"/proc/{p}/smaps_rollup", b"Pss:") for p in pids) / 1024


def rss_mb(pids) -> float:
    return sum(_kb_field(f"/proc/{p}/status", b"VmRSS:") for p in pids) / 1024


def hwm_mb(pid: int) -> float:
    return _kb_field(f"/proc/{pid}/status", b"VmHWM:") / 1024


def reset_hwm(pid: int) -> None:
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


class Monitor:
    """Measure a server's tree over a block:

        with Monitor(pid) as m: run the client
        m.cpu_s, m.base_mb, m.peak_mb, m.samples [(t, mb)], m.hwm_mb

    ``sample`` (seconds) > 0 starts a thread reading PSS at that interval;
    0 measures CPU only (for pgbench, where the sampler would steal CPU).
    """

    def __init__(self, root: int, sample: float = 0.1) -> None:
        self.root, self.interval = root, sample
        self.samples: List[Tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            mb = pss_mb(tree(self.root))
            self.samples.append((time.monotonic() - self.t0, mb))

    def __enter__(self) -> "Monitor":
        t = tree(self.root)
        self._npids = len(t)
        self._cpu0 = sum(t.values())
        self.base_mb = pss_mb(t) if self.interval else 0.0
        self.base_rss_mb = rss_mb([self.root])
        reset_hwm(self.root)
        self.t0 = time.monotonic()
        if self.interval:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.wall_s = time.monotonic() - self.t0
        self.hwm_mb = hwm_mb(self.root)
        if self._thread:
            self._stop.set()
            self._thread.join()
        # Let per-connection processes exit and be reaped (PostgreSQL).
        deadline = time.monotonic() + 3
        while True:
            t = tree(self.root)
            if len(t) <= self._npids or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.cpu_s = sum(t.values()) - self._cpu0
        peaks = [mb for _, mb in self.samples]
        self.peak_mb = max(peaks + [self.base_mb]) if self.interval else 0.0
        self.single_process = self._npids == 1
