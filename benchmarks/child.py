"""Run a module as __main__ and report this process's peak memory (VmHWM).

The parent's own rusage of a child counts the pages it shared before exec,
so each measured process reports its high-water mark itself, to the file
named by EVSTATS_BENCH_HWM.
"""

import atexit
import os
import runpy
import sys


def high_water_mark_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def write_high_water_mark() -> None:
    with open(os.environ["EVSTATS_BENCH_HWM"], "w") as f:
        f.write(str(high_water_mark_kb()))


def main() -> None:
    """The mark is written by an exit handler: `evstats` ends with `os._exit` after
    running the exit handlers, which would skip a `finally` here."""
    module, sys.argv = sys.argv[1], sys.argv[1:]
    atexit.register(write_high_water_mark)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
