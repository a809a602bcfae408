"""The Lambda Runtime API, spoken over one keep-alive HTTP/1.1 connection.

https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html

The requests are the ones AWS's Python client makes: ``/next`` with no timeout
(an environment may sit frozen between invocations for hours), ``/response`` with
the result's Content-Type, ``/error`` with ``Content-Type: application/json`` and the
X-Ray error cause header but no ``Lambda-Runtime-Function-Error-Type`` (the Python
client never sends it there), ``/init/error`` with that header and no Content-Type.
"""

import http.client
import socket
import sys
import time

from . import __version__

API_PREFIX = "/2018-06-01/runtime"

# The same names as RuntimeHeaders in lib/runtime-api/headers.ts; a test keeps them equal.
REQUEST_ID_HEADER = "Lambda-Runtime-Aws-Request-Id"
DEADLINE_MS_HEADER = "Lambda-Runtime-Deadline-Ms"
INVOKED_FUNCTION_ARN_HEADER = "Lambda-Runtime-Invoked-Function-Arn"
TRACE_ID_HEADER = "Lambda-Runtime-Trace-Id"
CLIENT_CONTEXT_HEADER = "Lambda-Runtime-Client-Context"
COGNITO_IDENTITY_HEADER = "Lambda-Runtime-Cognito-Identity"
TENANT_ID_HEADER = "Lambda-Runtime-Aws-Tenant-Id"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
XRAY_ERROR_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"

# AWS's client drops an X-Ray cause of 1 MiB or more. Node's HTTP server, which the
# emulator runs on, refuses requests whose headers pass 16 KiB (431), so a cause from
# a deep stack would cost the whole error report: keep well below that instead.
MAX_XRAY_ERROR_CAUSE_BYTES = 8 * 1024

# A refused connection is tried again this many times, this far apart (times the attempt),
# before the Runtime API is given up: its emulator is gone, and the runtime exits.
REFUSED_ATTEMPTS = 3
REFUSED_RETRY_DELAY_S = 0.1


class RuntimeApiError(Exception):
    """The Runtime API could not be reached, or answered with an unexpected status."""


class Invocation(object):
    """One event from ``/next``: its body and the headers the handler's context is built from."""

    def __init__(self, body, headers):
        self.body = body
        self.request_id = headers.get(REQUEST_ID_HEADER)
        self.deadline_ms = _parse_deadline_ms(headers.get(DEADLINE_MS_HEADER))
        self.invoked_function_arn = headers.get(INVOKED_FUNCTION_ARN_HEADER) or ""
        self.trace_id = headers.get(TRACE_ID_HEADER) or None
        self.client_context = _utf8_header(headers.get(CLIENT_CONTEXT_HEADER)) or None
        self.cognito_identity = _utf8_header(headers.get(COGNITO_IDENTITY_HEADER)) or None
        self.tenant_id = headers.get(TENANT_ID_HEADER) or None
        self.content_type = headers.get("Content-Type") or None


def _utf8_header(value):
    # These headers carry JSON as UTF-8 bytes, which AWS's client reads as UTF-8;
    # http.client hands header bytes over as ISO-8859-1 text.
    if value is None:
        return None
    return value.encode("iso-8859-1").decode("utf-8", "replace")


def _parse_deadline_ms(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class _Connection(http.client.HTTPConnection):
    def connect(self):
        http.client.HTTPConnection.connect(self)
        # Small request, small response, on loopback: don't let Nagle hold the body back.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class RuntimeApiClient(object):
    """Requests to the Runtime API at ``AWS_LAMBDA_RUNTIME_API`` (``host:port``, no scheme)."""

    def __init__(self, address, concurrent=False):
        self.address = address
        # Lambda Managed Instances: one of several workers. As in AWS's client, an answer the
        # Runtime API refuses (a late one after a timeout) is logged and the loop goes on, and
        # an init error another worker already posted (403) is not an error of this one.
        self._concurrent = concurrent
        self._connection = _Connection(address, timeout=None)
        self._user_agent = "aws-lambda-python/{}.{}.{}-cdk-local/{}".format(
            sys.version_info[0], sys.version_info[1], sys.version_info[2], __version__
        )

    def next_invocation(self):
        """Block until the next event arrives (``GET /invocation/next``)."""
        path = API_PREFIX + "/invocation/next"
        status, headers, body = self._request("GET", path)
        if status != 200:
            raise RuntimeApiError(_describe_failure("GET", path, status, body))
        invocation = Invocation(body, headers)
        if not invocation.request_id:
            raise RuntimeApiError("GET {} answered without a {} header".format(path, REQUEST_ID_HEADER))
        return invocation

    def post_response(self, request_id, body, content_type):
        """Report a handler's result (``POST /invocation/{id}/response``)."""
        path = "/invocation/{}/response".format(request_id)
        self._post_answer(path, body, {"Content-Type": content_type})

    def post_error(self, request_id, error_json, xray_cause_json):
        """Report a handler's failure (``POST /invocation/{id}/error``)."""
        headers = {"Content-Type": "application/json"}
        xray_cause = xray_cause_json.encode("utf-8")
        if len(xray_cause) < MAX_XRAY_ERROR_CAUSE_BYTES:
            headers[XRAY_ERROR_CAUSE_HEADER] = xray_cause
        path = "/invocation/{}/error".format(request_id)
        self._post_answer(path, error_json.encode("utf-8"), headers)

    def post_init_error(self, error_json, error_type):
        """Report a failed init (``POST /init/error``); only 202 counts as accepted, as for AWS's client."""
        headers = {ERROR_TYPE_HEADER: error_type}
        accepted = (lambda status: status in (202, 403)) if self._concurrent else (lambda status: status == 202)
        self._post("/init/error", error_json.encode("utf-8"), headers, accepted)

    def _post_answer(self, path, body, headers):
        if not self._concurrent:
            self._post(path, body, headers, _is_success)
            return
        try:
            self._post(path, body, headers, _is_success)
        except RuntimeApiError as error:
            sys.stderr.write("cdk-local python runtime: {} (this worker goes on)\n".format(error))
            sys.stderr.flush()

    def close(self):
        self._connection.close()

    def _post(self, path, body, headers, accepted):
        path = API_PREFIX + path
        status, _headers, answer = self._request("POST", path, body, headers)
        if not accepted(status):
            raise RuntimeApiError(_describe_failure("POST", path, status, answer))

    def _request(self, method, path, body=None, headers=None):
        all_headers = {"User-Agent": self._user_agent}
        if headers:
            all_headers.update(headers)
        connection = self._connection
        # A kept-alive connection may have been closed by the server while the handler
        # ran; like curl in AWS's client, try once more on a new connection then.
        attempt = 0
        while True:
            attempt += 1
            reused = connection.sock is not None
            try:
                connection.request(method, path, body=body, headers=all_headers)
                response = connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionError) as error:
                connection.close()
                if reused and attempt == 1:
                    continue
                if isinstance(error, ConnectionRefusedError) and attempt < REFUSED_ATTEMPTS:
                    time.sleep(REFUSED_RETRY_DELAY_S * attempt)
                    continue
                raise RuntimeApiError(_describe_unreachable(self.address, method, path, error))
            except (http.client.HTTPException, OSError) as error:
                connection.close()
                raise RuntimeApiError(_describe_unreachable(self.address, method, path, error))
            try:
                answer = response.read()
            except (http.client.HTTPException, OSError) as error:
                connection.close()
                raise RuntimeApiError(_describe_unreachable(self.address, method, path, error))
            return response.status, response.headers, answer


def _is_success(status):
    return 200 <= status <= 299


def _describe_failure(method, path, status, body):
    text = body[:1024].decode("utf-8", "replace")
    return "{} {} answered {}: {}".format(method, path, status, text)


def _describe_unreachable(address, method, path, error):
    return "{} {} at {} failed: {}".format(method, path, address, str(error) or error.__class__.__name__)
