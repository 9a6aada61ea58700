"""The benchmarks' CPU accounting (``bench/cpu_time.py``) counts what a process tree really spent."""
from __future__ import annotations

import getpass
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from cpu_time import CpuMeter, cpu_seconds, owned_by, per_operation, process_tree  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")

# Burns 0.4 s of CPU when it reads a line, then waits for the next one (alive when the meter reads it).
BURNER = ("import sys, time\nfor _line in sys.stdin:\n    end = time.process_time() + 0.4\n"
          "    while time.process_time() < end:\n        pass\n")


def burner() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", BURNER], stdin=subprocess.PIPE, text=True, bufsize=1)


def burn(child: subprocess.Popen, until: float) -> None:
    """Have ``child`` burn, and wait until its CPU reaches ``until`` seconds."""
    child.stdin.write("go\n")
    deadline = time.monotonic() + 20
    while cpu_seconds(child.pid) < until and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_child_that_burns_cpu_is_counted_in_its_parent_tree_and_an_idle_group_is_not():
    child = burner()
    try:
        time.sleep(0.2)  # its start-up CPU comes before the meter starts
        assert child.pid in process_tree(os.getpid())
        meter = CpuMeter({"tree": lambda: process_tree(os.getpid()), "nobody": lambda: []})
        meter.start()
        before = cpu_seconds(child.pid)
        burn(child, before + 0.35)
        spent = meter.stop()
    finally:
        child.kill()
        child.wait()
    assert spent["nobody"] == 0
    assert 0.35 <= spent["tree"] < 0.35 + 5  # the burn, and what else this tree did meanwhile


def test_a_process_started_during_the_measurement_counts_from_its_start():
    meter = CpuMeter({"tree": lambda: process_tree(os.getpid())})
    meter.start()
    child = burner()
    try:
        burn(child, 0.35)
        spent = meter.stop()
    finally:
        child.kill()
        child.wait()
    assert spent["tree"] >= 0.35


def test_figures_read_in_milliseconds_per_operation_and_processes_by_owner():
    assert per_operation({"tree": 0.5, "db": 0.25}, 100) == "tree 5.00, db 2.50; total 7.50"
    assert os.getpid() in owned_by(getpass.getuser())
    assert owned_by("no-such-user-here") == []
