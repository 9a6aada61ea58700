"""CPU time by group of processes over a measurement: where a benchmark's machine time went.

A ratio between two throughputs says how much slower one path is, not why.  On a machine whose cores
every process shares (servers, workers, the database, the load generator), a path is as fast as the CPU
it costs per operation allows; these figures say which process pays for the difference.  Read from
Linux's ``/proc`` (user plus system time); elsewhere every figure is 0.

A process that exits during the measurement is not counted; one that starts during it counts from its
start (a database backend opened for a new connection).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (which may hold spaces)."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()] if PROC.is_dir() else []


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (a server's worker processes)."""
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        fields = _stat(pid)
        if fields:
            children.setdefault(int(fields[1]), []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def owned_by(user: str) -> list[int]:
    """The processes of ``user`` (a database server on this machine: ``postgres``); none if no such user."""
    try:
        import pwd

        uid = pwd.getpwnam(user).pw_uid
    except (ImportError, KeyError):
        return []
    pids = []
    for pid in _all_pids():
        try:
            if (PROC / str(pid)).stat().st_uid == uid:
                pids.append(pid)
        except OSError:
            continue
    return pids


class CpuMeter:
    """``start()``, then ``stop()``: CPU seconds per group, each group a function listing its processes."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]):
        self.groups = groups
        self._started: dict[str, dict[int, float]] = {}

    def _read(self) -> dict[str, dict[int, float]]:
        return {name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()}

    def start(self) -> None:
        self._started = self._read()

    def stop(self) -> dict[str, float]:
        ended = self._read()
        return {name: sum(seconds - self._started[name].get(pid, 0.0) for pid, seconds in ended[name].items())
                for name in self.groups}


def per_operation(seconds: dict[str, float], operations: int) -> str:
    """``"workers 7.40, server 2.41, ... total 20.90"``: milliseconds of CPU per operation, by group."""
    parts = [f"{name} {1000 * value / operations:.2f}" for name, value in seconds.items()]
    return ", ".join(parts) + f"; total {1000 * sum(seconds.values()) / operations:.2f}"
