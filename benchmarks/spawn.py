"""Start one command and report its wall time and peak memory; run as `python -S spawn.py OUT CMD...`.

A child's ru_maxrss is the larger of its own peak and the memory of the process that started it
(the kernel counts the parent's image up to exec), so the measuring process, which holds the data,
does not start the measured command itself: this bare interpreter does (started with -S, nothing
imported but os, sys and time until the child is done), and its few MiB stay below the peak of any
measured Python process. Timing here also leaves this wrapper's own start-up out.
"""

import os
import sys
import time

out, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawn(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started

import json  # noqa: E402  (only now, to keep this process small while the child runs)

with open(out, "w") as handle:
    json.dump({"seconds": seconds, "maxrss_kib": usage.ru_maxrss, "status": os.waitstatus_to_exitcode(status)},
              handle)
