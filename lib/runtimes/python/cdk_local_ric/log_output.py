"""What the function writes: print(), the logging root logger, and the runtime's own error lines.

print() goes to stdout, flushed on every write. Log records (the root logger's,
context.log's and the runtime's error lines) go to one of two sinks:

- ``_LAMBDA_TELEMETRY_LOG_FD`` set (as Lambda sets it): each record is a frame on
  that file descriptor, newlines intact, as AWS's client writes them: a 4-byte frame
  type (format and level), a 4-byte length, an 8-byte timestamp in microseconds, the
  UTF-8 message, all big-endian. The variable is removed from the environment.
- otherwise stdout, which the emulator reads line by line, so one record is one line:
  a record's inner line breaks are written as carriage returns and the record ends
  with exactly one ``\\n``. print() output is passed through untouched (Lambda, too,
  splits stdout on newlines).

Text format (``AWS_LAMBDA_LOG_FORMAT`` unset or ``Text``):
``[INFO]\\t2024-01-01T00:00:00.000Z\\t<requestId>\\t<message>``.
JSON format: ``{"timestamp", "level", "message", "logger", "requestId", ...}``.
``AWS_LAMBDA_LOG_LEVEL`` sets the root logger's level (TRACE means DEBUG); without
it the root logger keeps Python's default, WARNING.
"""

import json
import logging
import os
import struct
import sys
import time
import traceback

from .marshaller import to_json

TEXT = "Text"
JSON = "JSON"

_TEXT_RECORD_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_TEXT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_JSON_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_NO_BREAK_SPACE = "\u00a0"

# LogRecord attributes that are not copied into a JSON record as extra fields.
_STANDARD_RECORD_FIELDS = frozenset(
    (
        "name",
        "msg",
        "args",
        "levelname",
        "levelno",
        "pathname",
        "filename",
        "module",
        "exc_info",
        "exc_text",
        "stack_info",
        "lineno",
        "funcName",
        "created",
        "msecs",
        "relativeCreated",
        "thread",
        "threadName",
        "processName",
        "process",
        "aws_request_id",
        "tenant_id",
        "_frame_type",
    )
)

_encode_log_json = json.JSONEncoder(ensure_ascii=False).encode

TELEMETRY_LOG_FD_VARIABLE = "_LAMBDA_TELEMETRY_LOG_FD"

# Frame types of the telemetry log protocol, by level bucket (0 = unleveled).
_TEXT_FRAME_TYPES = {0: 0xA55A0003, 10: 0xA55A000B, 20: 0xA55A000F, 30: 0xA55A0013, 40: 0xA55A0017, 50: 0xA55A001B}
_JSON_FRAME_TYPES = {0: 0xA55A0002, 10: 0xA55A000A, 20: 0xA55A000E, 30: 0xA55A0012, 40: 0xA55A0016, 50: 0xA55A001A}
_DEFAULT_FRAME_TYPE = _TEXT_FRAME_TYPES[0]
_FRAME_HEADER = struct.Struct(">IIQ")


def parse_log_format(value):
    """``JSON`` (any case) or ``Text``; anything else is Text, as in Lambda."""
    if value and value.upper() == "JSON":
        return JSON
    return TEXT


def parse_log_level(value):
    """The logging level name for ``AWS_LAMBDA_LOG_LEVEL``, or "" to leave the root logger alone."""
    if value is None:
        return ""
    if value == "TRACE":
        return "DEBUG"
    return value.upper()


class InvocationLogState(object):
    """The request id (and tenant id) that log records are stamped with; the last invocation's until the next."""

    request_id = None
    tenant_id = None


EMULATOR_GONE_EXIT_STATUS = 1


def _exit_emulator_gone():
    # The emulator reads stdout and stderr for as long as it runs: a broken pipe means it
    # was killed, and a runtime left behind must not linger. Nothing can be reported.
    os._exit(EMULATOR_GONE_EXIT_STATUS)


class FlushingStream(object):
    """Wraps sys.stdout/sys.stderr so every write reaches the file descriptor at once; exits when the pipe is broken."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        pass

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def write(self, text):
        try:
            written = self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:
            _exit_emulator_gone()
        return written

    def writelines(self, lines):
        try:
            self.stream.writelines(lines)
            self.stream.flush()
        except BrokenPipeError:
            _exit_emulator_gone()


def install_flushing_streams():
    """Make stdout and stderr write through at once, as UTF-8 like Lambda's (LANG=en_US.UTF-8)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # Also covers code that writes to sys.__stdout__, which the wrapper below does not see.
            if (stream.encoding or "").lower().replace("-", "") != "utf8":
                reconfigure(encoding="utf-8")
            reconfigure(line_buffering=True)
        setattr(sys, name, FlushingStream(stream))


class StdoutLogSink(object):
    """Writes each log record to stdout as one line (frame types have no use here)."""

    def log(self, message, frame_type=None):
        if message.endswith("\n"):
            message = message[:-1]
        sys.stdout.write(message.replace("\n", "\r") + "\n")

    def log_error(self, lines, frame_type):
        sys.stdout.write("\r".join(lines).replace("\n", "\r") + "\n")


class FramedLogSink(object):
    """Writes each log record as one frame on the telemetry log file descriptor."""

    def __init__(self, fd):
        self._file = os.fdopen(fd, "wb", 0)

    def log(self, message, frame_type=None):
        data = message.encode("utf-8")
        header = _FRAME_HEADER.pack(frame_type or _DEFAULT_FRAME_TYPE, len(data), time.time_ns() // 1000)
        view = memoryview(header + data)
        # An unbuffered write may take part of the frame only (a signal, a full pipe).
        while view:
            view = view[self._file.write(view):]

    def log_error(self, lines, frame_type):
        self.log("\n".join(lines), frame_type)


def create_log_sink():
    """The framed sink when Lambda's ``_LAMBDA_TELEMETRY_LOG_FD`` is set, else stdout."""
    fd = os.environ.pop(TELEMETRY_LOG_FD_VARIABLE, None)
    if fd:
        return FramedLogSink(int(fd))
    return StdoutLogSink()


class LambdaLogFilter(logging.Filter):
    """Stamps every record with the current request id, so formatters can print it."""

    def filter(self, record):
        record.aws_request_id = InvocationLogState.request_id or ""
        record.tenant_id = InvocationLogState.tenant_id
        return True


class LambdaLogHandler(logging.Handler):
    """The root logger's handler: formats records and hands them to the log sink."""

    def __init__(self, log_sink, frames_by_level):
        logging.Handler.__init__(self)
        self.log_sink = log_sink
        # As in AWS's client, frames carry the record's level only in JSON format or
        # when AWS_LAMBDA_LOG_LEVEL is set; plain text frames are unleveled.
        self._frames_by_level = frames_by_level

    def emit(self, record):
        # No handleError here on purpose: AWS's handler lets a formatting failure
        # (say, an unserialisable `extra` in JSON format) reach the logging call.
        message = self.format(record)
        frame_type = None
        if self._frames_by_level:
            frame_type = getattr(record, "_frame_type", None) or _TEXT_FRAME_TYPES.get(_level_bucket(record))
        self.log_sink.log(message, frame_type)


def _level_bucket(record):
    return min(50, max(0, record.levelno)) // 10 * 10


class JsonLogFormatter(logging.Formatter):
    """One JSON object per record; exception fields when the record carries exc_info."""

    def __init__(self):
        logging.Formatter.__init__(self, datefmt=_JSON_DATE_FORMAT)

    def format(self, record):
        # Custom levels are reported as the standard level at or below them.
        record.levelno = _level_bucket(record)
        record.levelname = logging.getLevelName(record.levelno)
        record._frame_type = _JSON_FRAME_TYPES.get(record.levelno, _JSON_FRAME_TYPES[0])

        exc_info = record.exc_info
        entry = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "{}:{}:{}".format(record.pathname, record.funcName, record.lineno) if exc_info else None,
        }
        tenant_id = getattr(record, "tenant_id", None)
        if tenant_id is not None:
            entry["tenantId"] = tenant_id
        for name, value in record.__dict__.items():
            if name not in _STANDARD_RECORD_FIELDS and name not in entry:
                entry[name] = value
        entry = {name: value for name, value in entry.items() if value is not None}
        return _encode_log_json(entry) + "\n"


def setup_logging(log_format, log_level, log_sink):
    """Install the runtime's handler on the root logger, as Lambda does before importing the handler."""
    # Lambda's log timestamps are UTC, including those of the function's own formatters.
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    handler = LambdaLogHandler(log_sink, frames_by_level=log_format == JSON or bool(log_level))
    if log_format == JSON:
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter(_TEXT_RECORD_FORMAT, _TEXT_DATE_FORMAT))
    if log_level in _level_names():
        root.setLevel(log_level)
    handler.addFilter(LambdaLogFilter())
    root.addHandler(handler)


def _level_names():
    # logging._nameToLevel is private but has been there since 3.4; getLevelName is the public fallback.
    names = getattr(logging, "_nameToLevel", None)
    if names is not None:
        return names
    return {name: logging.getLevelName(name) for name in ("CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET")}


def _indent_with_no_break_spaces(line):
    stripped = line.lstrip(" ")
    return _NO_BREAK_SPACE * (len(line) - len(stripped)) + stripped


def write_error(error_result, log_format, log_sink):
    """Log an unhandled error the way Lambda's Python runtime does, before it is reported."""
    if log_format == JSON:
        entry = {
            "timestamp": time.strftime(_JSON_DATE_FORMAT, time.gmtime(time.time())),
            "log_level": "ERROR",
        }
        entry.update(error_result)
        log_sink.log_error([to_json(entry)], _JSON_FRAME_TYPES[40])
        return

    description = "[ERROR]"
    error_type = error_result.get("errorType")
    if error_type:
        description += " " + error_type
    error_message = error_result.get("errorMessage")
    if error_message:
        if error_type:
            description += ":"
        description += " " + error_message
    lines = [description]

    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
                continue
            # Leading spaces become no-break spaces, which CloudWatch does not trim.
            lines.extend(_indent_with_no_break_spaces(line) for line in element.splitlines())
    log_sink.log_error(lines, _TEXT_FRAME_TYPES[40])
