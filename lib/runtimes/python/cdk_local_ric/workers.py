"""Lambda Managed Instances: the runtime as several worker processes.

As AWS's awslambdaric does when ``AWS_LAMBDA_MAX_CONCURRENCY`` is set, the runtime starts that
many worker processes; each imports the handler itself (its own init, its own globals) and
serves one invocation at a time, so the environment serves that many at once. The first
process only waits for its workers. A worker that dies leaves the others serving.
https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-python-runtime.html
"""

import os
import sys


def run_workers(count, serve):
    """Fork ``count`` workers that each call ``serve()``; return the exit status once all have ended."""
    sys.stdout.flush()
    sys.stderr.flush()
    children = []
    for _ in range(max(1, count)):
        pid = os.fork()
        if pid == 0:
            _run_child(serve)
        children.append(pid)
    status = 0
    for pid in children:
        while True:
            try:
                _pid, wait_status = os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
        code = os.waitstatus_to_exitcode(wait_status) if hasattr(os, "waitstatus_to_exitcode") else wait_status >> 8
        status = status or (code if code > 0 else 1 if code < 0 else 0)
    return status


def _run_child(serve):
    code = 0
    try:
        serve()
    except SystemExit as error:
        code = error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
    except BaseException:  # noqa: B902 - a worker's last words, whatever ended it
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:
            pass
    os._exit(code)
