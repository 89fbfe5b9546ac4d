"""Run a module as `python -m` would, writing one line per garbage collection that took 5 ms or
more to the file named by GC_LOG: `<unix time at its end> <generation> <milliseconds>`.

    python bench/ws_fanout/gc_log.py -m uvicorn ...

run.py starts both servers through it, so that a latency spike can be told apart from a pause of
the server's collector.
"""

from __future__ import annotations

import gc
import os
import runpy
import sys
import time
from typing import Any


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        raise SystemExit(__doc__)
    log = open(os.environ["GC_LOG"], "a", buffering=1)  # noqa: SIM115 (open for the process's life)
    started = [0.0]

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        milliseconds = (time.perf_counter() - started[0]) * 1000
        if milliseconds >= 5:
            log.write(f"{time.time():.3f} {info['generation']} {milliseconds:.1f}\n")

    gc.callbacks.append(watch)
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    sys.path[0] = os.getcwd()  # as `python -m` has it
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
