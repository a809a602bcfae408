"""Init, then the invocation loop: the life of the runtime process.

Init installs the log handler and imports the handler. If that fails, the error
is logged, posted to ``/init/error`` and the process exits with status 1, as AWS's
client does. Otherwise the loop takes one event at a time from ``/next``, calls the
handler and posts its result or its error; it ends only when the process does
(SIGTERM/SIGKILL from the emulator, or the function's own sys.exit / os._exit).
"""

import json
import os
import sys

from . import faults
from .context import LambdaContext
from .handler_loader import load_handler
from .log_output import (
    InvocationLogState,
    create_log_sink,
    install_flushing_streams,
    setup_logging,
    write_error,
)
from .marshaller import marshal_response, to_json, unmarshal_event

INIT_ERROR_EXIT_STATUS = 1


def run(handler_name, api, log_format, log_level):
    """Run init and the invocation loop against ``api`` (a RuntimeApiClient). Returns only by raising."""
    install_flushing_streams()
    log_sink = create_log_sink()

    error_result = None
    try:
        setup_logging(log_format, log_level, log_sink)
        request_handler = load_handler(handler_name)
    except faults.FaultError as error:
        error_result = faults.make_error_result(error.message, error.error_type, error.stack_trace)
    except Exception:
        error_result, _frames = faults.error_result_from_exception(*sys.exc_info())

    if error_result is not None:
        write_error(error_result, log_format, log_sink)
        api.post_init_error(to_json(error_result), error_result["errorType"])
        sys.exit(INIT_ERROR_EXIT_STATUS)

    while True:
        invocation = api.next_invocation()
        InvocationLogState.request_id = invocation.request_id
        InvocationLogState.tenant_id = invocation.tenant_id
        _set_trace_id(invocation.trace_id)
        _handle(api, request_handler, invocation, log_format, log_sink)


def _set_trace_id(trace_id):
    # The X-Ray SDK reads the current trace from the environment.
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)


def _handle(api, request_handler, invocation, log_format, log_sink):
    request_id = invocation.request_id
    try:
        context = _make_context(invocation)
        event = unmarshal_event(invocation.body, invocation.content_type)
        result = request_handler(event, context)
        body, content_type = marshal_response(result)
    except faults.FaultError as error:
        error_result = faults.make_error_result(error.message, error.error_type, error.stack_trace, request_id)
        xray_cause = faults.make_xray_cause(faults.XRAY_VALIDATION_ERROR, error.message, [])
    except Exception:
        exc_type, exc_value, tb = sys.exc_info()
        error_result, frames = faults.error_result_from_exception(exc_type, exc_value, tb, request_id)
        xray_cause = faults.make_xray_cause(exc_type.__name__, str(exc_value), frames)
        del tb
    else:
        api.post_response(request_id, body, content_type)
        return

    write_error(error_result, log_format, log_sink)
    api.post_error(request_id, to_json(error_result), to_json(xray_cause))


def _make_context(invocation):
    client_context = None
    if invocation.client_context:
        client_context = _parse_json_header(invocation.client_context, "Client Context")
    cognito_identity = None
    if invocation.cognito_identity:
        cognito_identity = _parse_json_header(invocation.cognito_identity, "Cognito Identity")
    return LambdaContext(
        invocation.request_id,
        client_context,
        cognito_identity,
        invocation.deadline_ms,
        invocation.invoked_function_arn,
        invocation.tenant_id,
    )


def _parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as error:
        raise faults.FaultError(
            faults.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
            "Unable to parse {} JSON: {}".format(name, error),
        )
