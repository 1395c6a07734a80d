"""Run a service for the tier tests and make sure it dies with its parent.

Usage: python supervise.py [--rmdir DIR] -- COMMAND [ARGS...]

services.ts starts this script as the leader of a new process group (detached
spawn) and runs the service (moto, the ZenML server) as its child in the same
group. It exits with the child's exit code. Signals: SIGTERM/SIGINT/SIGHUP are
passed to the child, which gets STOP_GRACE seconds before the whole group is
killed. Safety net: if the parent (the Node test process) disappears, even by
SIGKILL, the supervisor is re-parented; it notices within a second and kills the
whole group, so no service outlives its test run; with --rmdir it then also removes
DIR (the service's temp dir, which the dead parent can no longer clean up).
"""

import os
import shutil
import signal
import subprocess
import sys
import time

STOP_GRACE = 10.0


def main() -> int:
    argv = sys.argv[1:]
    rmdir = None
    if argv[:1] == ["--rmdir"] and len(argv) > 1:
        rmdir, argv = argv[1], argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("supervise.py: no command given", file=sys.stderr)
        return 2
    parent = os.getppid()
    child = subprocess.Popen(argv)
    stopping = {"since": 0.0}
    orphaned = {"yes": False}

    def finish(code: int) -> int:
        if orphaned["yes"] and rmdir:
            shutil.rmtree(rmdir, ignore_errors=True)
        return code

    def on_signal(signum: int, _frame: object) -> None:
        if not stopping["since"]:
            stopping["since"] = time.monotonic()
        try:
            child.send_signal(signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    while True:
        code = child.poll()
        if code is not None:
            return finish(code if code >= 0 else 128 - code)
        if os.getppid() != parent and not stopping["since"]:
            orphaned["yes"] = True
            print("supervise.py: parent process is gone; stopping the service", file=sys.stderr)
            stopping["since"] = time.monotonic()
            child.terminate()
        if stopping["since"] and time.monotonic() - stopping["since"] > STOP_GRACE:
            print("supervise.py: service did not stop in time; killing its process group", file=sys.stderr)
            if orphaned["yes"] and rmdir:
                child.kill()
                child.wait()
                return finish(137)
            os.killpg(os.getpgid(0), signal.SIGKILL)
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
