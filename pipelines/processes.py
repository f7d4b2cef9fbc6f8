"""Worker processes that die with the process that started them.

A command stops its workers (GX's audit worker, the report's fork server and the
languages' workers forked from it) when it ends, but a command killed outright
(`kill -9` by an operator, the OOM killer, Dagster's run monitoring) runs nothing
more: its workers lived on, reparented to init, holding GX and the report's
libraries in memory. Linux sends a process a chosen signal when its parent dies
(`PR_SET_PDEATHSIG`, kept across `exec`), so each worker asks for SIGKILL first
thing, from the kernel rather than from a thread of its own that a busy worker
might not let run.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Be killed when the parent dies, `parent` being the id it had when it started this
    process; if it has died already, before the request could be made, end now.

    The kernel takes the parent's death to be the end of the *thread* that started
    this process: workers are started from their process's main thread (the commands'
    and the in-process steps of Dagster's runs both run there, as does the fork
    server's loop), which lasts as long as its process."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)
