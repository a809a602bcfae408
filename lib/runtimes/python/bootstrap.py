"""cdk-local's Python runtime: ``python3 bootstrap.py [handler]``, cwd the function's code.

Standard library only; Python 3.8 or later. It behaves like AWS's awslambdaric.

Environment it reads:
  AWS_LAMBDA_RUNTIME_API     host:port of the Runtime API (required)
  _HANDLER                   module.function, e.g. app.handler, pkg/mod.handler
                             (required unless the handler is the first argument)
  LAMBDA_TASK_ROOT           put first on sys.path (default: the working directory);
                             PYTHONPATH entries follow it, as Python sets them
  AWS_LAMBDA_FUNCTION_NAME, _VERSION, _MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME,
  AWS_LAMBDA_LOG_STREAM_NAME  copied into each invocation's context
  AWS_LAMBDA_LOG_FORMAT      Text (default) or JSON
  AWS_LAMBDA_LOG_LEVEL       root logger level (TRACE means DEBUG); unset: WARNING
  AWS_EXECUTION_ENV          AWS_Lambda_python3.12 and later write results as UTF-8
  _LAMBDA_TELEMETRY_LOG_FD   an open fd: log records go there as frames (then unset)
  AWS_LAMBDA_MAX_CONCURRENCY Lambda Managed Instances: run that many worker processes,
                             each with its own init, one invocation at a time each
It sets _X_AMZN_TRACE_ID for each invocation (removed when /next sends no trace id).

Output: stdout carries the function's print() output as written, flushed on every
write, and, unless _LAMBDA_TELEMETRY_LOG_FD is set, its log records, one per line
(a record's inner line breaks written as \\r) and the runtime's [ERROR] line for
each unhandled error. stderr carries what the function writes there, Python's own
warnings and tracebacks, and the runtime's one-line reason when it exits because
the Runtime API failed it.

Exit status: 1 after an init error has been posted to /init/error, or when the
Runtime API cannot be used (unreachable after a few tries, a non-2xx answer,
/init/error not 202), or when stdout or stderr is a broken pipe (the emulator is gone);
whatever the function passes to sys.exit() or os._exit(); 130 on Ctrl-C; death
by SIGTERM unless the function handles it. Otherwise it never exits by itself.
"""

import os
import sys

MIN_PYTHON = (3, 8)


def _fail(message):
    try:
        sys.stderr.write("cdk-local python runtime: {}\n".format(message))
        sys.stderr.flush()
    except OSError:
        # stderr is a broken pipe: the emulator is gone, there is no one to tell.
        os._exit(1)
    sys.exit(1)


def _import_runtime():
    """Import the runtime's package, then take its directory off sys.path so the function cannot import from it."""
    runtime_dir = os.path.dirname(os.path.realpath(__file__))
    sys.path.insert(0, runtime_dir)
    try:
        from cdk_local_ric import runtime_api, runtime_loop, log_output, workers
    finally:
        sys.path[:] = [entry for entry in sys.path if os.path.realpath(entry or os.curdir) != runtime_dir]
    return runtime_api, runtime_loop, log_output, workers


def _wait_for_debugger():
    """``cdk-local --debug-port``: listen with debugpy on _CDK_LOCAL_DEBUGPY (host:port) and wait for a client, before the handler is imported.

    _CDK_LOCAL_DEBUGGER_PATH, when set, is where debugpy is found first. Both variables are
    removed: the function's code never sees them.
    """
    address = os.environ.pop("_CDK_LOCAL_DEBUGPY", None)
    debugger_path = os.environ.pop("_CDK_LOCAL_DEBUGGER_PATH", None)
    if not address:
        return
    if debugger_path:
        sys.path.append(debugger_path)
    try:
        import debugpy
    except ImportError:
        _fail("debugpy cannot be imported: run `pip install debugpy`, or pass --debugger-path with the directory that holds it")
    host, _, port = address.rpartition(":")
    debugpy.listen((host, int(port)))
    sys.stderr.write("cdk-local: debugpy is waiting for a client on {}\n".format(address))
    sys.stderr.flush()
    debugpy.wait_for_client()


def main(argv):
    if sys.version_info < MIN_PYTHON:
        _fail("Python {}.{} or later is needed, this is {}".format(MIN_PYTHON[0], MIN_PYTHON[1], sys.version.split()[0]))

    runtime_api, runtime_loop, log_output, workers = _import_runtime()

    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        _fail("AWS_LAMBDA_RUNTIME_API is not set (expected host:port of the Lambda Runtime API)")
    handler = argv[1] if len(argv) > 1 else os.environ.get("_HANDLER")
    if not handler:
        _fail("no handler: set _HANDLER (for example app.handler) or pass it as the first argument")

    # Lambda imports the function from the task root before anything else on the path.
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path.insert(0, task_root)

    _wait_for_debugger()
    log_format = log_output.parse_log_format(os.environ.get("AWS_LAMBDA_LOG_FORMAT"))
    log_level = log_output.parse_log_level(os.environ.get("AWS_LAMBDA_LOG_LEVEL"))
    # Lambda Managed Instances: this many workers, each a process of its own.
    max_concurrency = os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY")

    def serve():
        api = runtime_api.RuntimeApiClient(address, concurrent=max_concurrency is not None)
        try:
            runtime_loop.run(handler, api, log_format, log_level)
        except runtime_api.RuntimeApiError as error:
            _fail(str(error))
        except KeyboardInterrupt:
            sys.exit(130)

    if max_concurrency is None:
        serve()
        return
    try:
        worker_count = int(max_concurrency)
    except ValueError:
        _fail("AWS_LAMBDA_MAX_CONCURRENCY is not a number: {!r}".format(max_concurrency))
    sys.exit(workers.run_workers(worker_count, serve))


if __name__ == "__main__":
    main(sys.argv)
