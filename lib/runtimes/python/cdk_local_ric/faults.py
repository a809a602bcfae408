"""The errors the runtime reports, in the shape Lambda's Python runtime gives them.

An error result is the JSON object posted to ``/invocation/{id}/error`` and
``/init/error``: ``{"errorMessage", "errorType", "requestId", "stackTrace"}``,
keys in that order, ``requestId`` empty during init.
"""

import os
import traceback

MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# X-Ray's name for the errors the runtime itself raises (marshalling, context headers).
XRAY_VALIDATION_ERROR = "LambdaValidationError"

# Frames in these files are the runtime's, not the function's: they are cut from
# the front of a stack trace, as AWS's client cuts the frames of its bootstrap.py.
RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class FaultError(Exception):
    """A failure the runtime reports under a ``Runtime.*`` error type."""

    def __init__(self, error_type, message, stack_trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace


def make_error_result(message, error_type, stack_trace, request_id=None):
    """Build the error object Lambda's Python runtime posts (key order matters to byte-level comparisons)."""
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _is_runtime_file(filename):
    return filename.startswith(RUNTIME_DIR + os.sep)


def function_frames(tb):
    """The frames of a traceback as (file, line, function, code) tuples, leading runtime frames removed.

    If every frame is the runtime's, all are kept, so that a fault in the runtime
    itself still says where it happened.
    """
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for index, frame in enumerate(frames):
        if not _is_runtime_file(frame[0]):
            return frames[index:]
    return frames


def error_result_from_exception(exc_type, exc_value, tb, request_id=None):
    """Return ``(error_result, frames)`` for an exception raised by the function's code."""
    frames = function_frames(tb)
    # Plain tuples make format_list print "File, line, in name" and the code line,
    # without the column carets that 3.11+ adds for full frame summaries.
    stack_trace = traceback.format_list(frames)
    result = make_error_result(str(exc_value), exc_type.__name__, stack_trace, request_id)
    return result, frames


def make_xray_cause(error_type, message, frames):
    """The X-Ray error cause sent in ``Lambda-Runtime-Function-XRay-Error-Cause``."""
    stack = []
    paths = []
    for filename, lineno, name, _code in frames:
        stack.append({"label": name, "path": filename, "line": lineno})
        if filename not in paths:
            paths.append(filename)
    return {
        "working_directory": os.getcwd(),
        "exceptions": [{"message": message, "type": error_type, "stack": stack}],
        "paths": paths,
    }
