"""cdk-local's Python runtime: ``python3 bootstrap.py [handler]``, cwd the function's code.

Reads AWS_LAMBDA_RUNTIME_API (host:port) and _HANDLER (or the first argument, as
awslambdaric takes it in a container image), puts LAMBDA_TASK_ROOT (default: the
working directory) first on sys.path, then runs the function against the Runtime
API until the process is stopped. Standard library only; Python 3.8 or later.

Exit status: 1 after an init error has been reported to /init/error, or when the
Runtime API cannot be used (one line on stderr says why); whatever the function
passes to sys.exit() or os._exit(); 130 on Ctrl-C. Otherwise it never exits by itself.
"""

import os
import sys

MIN_PYTHON = (3, 8)


def _fail(message):
    sys.stderr.write("cdk-local python runtime: {}\n".format(message))
    sys.stderr.flush()
    sys.exit(1)


def _import_runtime():
    """Import the runtime's package, then take its directory off sys.path so the function cannot import from it."""
    runtime_dir = os.path.dirname(os.path.realpath(__file__))
    sys.path.insert(0, runtime_dir)
    try:
        from cdk_local_ric import runtime_api, runtime_loop, log_output
    finally:
        sys.path[:] = [entry for entry in sys.path if os.path.realpath(entry or os.curdir) != runtime_dir]
    return runtime_api, runtime_loop, log_output


def main(argv):
    if sys.version_info < MIN_PYTHON:
        _fail("Python {}.{} or later is needed, this is {}".format(MIN_PYTHON[0], MIN_PYTHON[1], sys.version.split()[0]))

    runtime_api, runtime_loop, log_output = _import_runtime()

    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        _fail("AWS_LAMBDA_RUNTIME_API is not set (expected host:port of the Lambda Runtime API)")
    handler = argv[1] if len(argv) > 1 else os.environ.get("_HANDLER")
    if not handler:
        _fail("no handler: set _HANDLER (for example app.handler) or pass it as the first argument")

    # Lambda imports the function from the task root before anything else on the path.
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path.insert(0, task_root)

    api = runtime_api.RuntimeApiClient(address)
    log_format = log_output.parse_log_format(os.environ.get("AWS_LAMBDA_LOG_FORMAT"))
    log_level = log_output.parse_log_level(os.environ.get("AWS_LAMBDA_LOG_LEVEL"))
    try:
        runtime_loop.run(handler, api, log_format, log_level)
    except runtime_api.RuntimeApiError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main(sys.argv)
