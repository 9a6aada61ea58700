#!/usr/bin/env python3
"""Entry point of the server: ``python odoo-bin.py [COMMAND] [OPTIONS]`` (see ``--help``)."""
import atexit
import os
import sys
import threading

from server.cli import main


def exit_now(code: int) -> None:
    """Exit as a normal exit would (threads joined, atexit handlers run, output flushed), minus the
    interpreter's teardown of every loaded module: a second or more with all addons, after the server
    has already stopped."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run() -> int:
    """``main()``; a reader that goes away (``odoo-bin.py --help | head``) ends it quietly, as a Unix tool."""
    try:
        return main()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # what is still buffered goes nowhere
        return 1


if __name__ == "__main__":
    exit_now(run())
