"""Events in, results out: the JSON rules of Lambda's Python runtime, with the standard library.

AWS's client serialises with simplejson, which differs from ``json.dumps`` in ways a
handler can see, so this module reproduces them:

- ``decimal.Decimal`` is written as its exact digits (``Decimal("1.10")`` -> ``1.10``),
  a NaN Decimal as ``NaN``;
- anything with an ``_asdict()`` method, namedtuples first of all, becomes an object;
- ``bytes`` inside the result are decoded as UTF-8 and written as strings;
- NaN and infinite floats are written as ``NaN``, ``Infinity``, ``-Infinity``;
- error messages name the type as simplejson does, except that a C type used as a
  dict key is named without its module (``Decimal``, where simplejson's C code says
  ``decimal.Decimal``);
- non-ASCII characters are escaped, except on the python3.12+ runtimes
  (``AWS_EXECUTION_ENV=AWS_Lambda_python3.12`` and later), which write them as UTF-8.

A result that is ``bytes`` at the top level is sent as is, with Content-Type
``application/unknown``. Events are parsed with ``json.loads``; only the wording of
some parse errors differs from simplejson's (Lambda's Invoke API refuses payloads that
are not JSON before a runtime sees them, so these are rare).
"""

import decimal
import json
import json.encoder
import os

from .faults import MARSHAL_ERROR, UNMARSHAL_ERROR, FaultError

_INFINITY = float("inf")
_EXECUTION_ENV_PREFIX = "AWS_Lambda_python"
_ITEM_SEPARATOR = ", "
_KEY_SEPARATOR = ": "


def _writes_utf8(execution_env):
    """True on the runtimes whose responses keep non-ASCII characters unescaped (python3.12 on)."""
    if not execution_env or not execution_env.startswith(_EXECUTION_ENV_PREFIX):
        return False
    try:
        major, minor = (int(part) for part in execution_env[len(_EXECUTION_ENV_PREFIX):].split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (3, 12)


def _float_text(value):
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(float(value))


def _int_text(value):
    # int subclasses (IntEnum...) are written as their number, never their repr.
    return int.__repr__(value if type(value) is int else int(value))


def _call_if_method(obj, name):
    """``(result,)`` if ``obj.name()`` is a method that takes no arguments, else None."""
    method = getattr(obj, name, None)
    if callable(method):
        try:
            return (method(),)
        except TypeError:
            pass
    return None


class JsonEncoder(object):
    """Serialises a handler's result the way the Lambda Python runtime does."""

    def __init__(self, ensure_ascii=True):
        if ensure_ascii:
            self._quote = json.encoder.encode_basestring_ascii
        else:
            self._quote = json.encoder.encode_basestring

    def encode(self, obj):
        out = []
        self._write(obj, out, {})
        return "".join(out)

    def _write(self, obj, out, markers):
        if isinstance(obj, str):
            out.append(self._quote(obj))
        elif isinstance(obj, bytes):
            out.append(self._quote(str(obj, "utf-8")))
        elif obj is None:
            out.append("null")
        elif obj is True:
            out.append("true")
        elif obj is False:
            out.append("false")
        elif isinstance(obj, int):
            out.append(_int_text(obj))
        elif isinstance(obj, float):
            out.append(_float_text(obj))
        else:
            as_dict = _call_if_method(obj, "_asdict")
            if as_dict is not None:
                mapping = as_dict[0]
                if not isinstance(mapping, dict):
                    raise TypeError("_asdict() must return a dict, not %s" % type(mapping).__name__)
                self._write_dict(mapping, out, markers)
            elif isinstance(obj, (list, tuple)):
                self._write_list(obj, out, markers)
            elif isinstance(obj, dict):
                self._write_dict(obj, out, markers)
            elif isinstance(obj, decimal.Decimal):
                out.append("NaN" if obj.is_nan() else str(obj))
            else:
                raise TypeError("Object of type %s is not JSON serializable" % obj.__class__.__name__)

    def _enter(self, obj, markers):
        key = id(obj)
        if key in markers:
            raise ValueError("Circular reference detected")
        markers[key] = obj
        return key

    def _write_list(self, items, out, markers):
        if not items:
            out.append("[]")
            return
        key = self._enter(items, markers)
        out.append("[")
        first = True
        for item in items:
            if first:
                first = False
            else:
                out.append(_ITEM_SEPARATOR)
            self._write(item, out, markers)
        out.append("]")
        del markers[key]

    def _write_dict(self, mapping, out, markers):
        if not mapping:
            out.append("{}")
            return
        key = self._enter(mapping, markers)
        out.append("{")
        first = True
        for name, value in mapping.items():
            if first:
                first = False
            else:
                out.append(_ITEM_SEPARATOR)
            out.append(self._quote(self._key_text(name)))
            out.append(_KEY_SEPARATOR)
            self._write(value, out, markers)
        out.append("}")
        del markers[key]

    @staticmethod
    def _key_text(name):
        if isinstance(name, str):
            return name
        if isinstance(name, bytes):
            return str(name, "utf-8")
        if isinstance(name, float):
            return _float_text(name)
        if name is True:
            return "true"
        if name is False:
            return "false"
        if name is None:
            return "null"
        if isinstance(name, int):
            return _int_text(name)
        raise TypeError("keys must be str, int, float, bool or None, not %s" % name.__class__.__name__)


_encoder = JsonEncoder(ensure_ascii=not _writes_utf8(os.environ.get("AWS_EXECUTION_ENV")))


def to_json(obj):
    """Serialise ``obj`` as the runtime serialises results and error bodies."""
    return _encoder.encode(obj)


def unmarshal_event(body, content_type):
    """The event a handler receives: parsed JSON, or the raw bytes when the payload is not ``application/json``."""
    # AWS's client compares the whole Content-Type value: anything else, even with a
    # charset parameter or missing, hands the bytes to the handler unparsed.
    if content_type != "application/json":
        return body
    try:
        # simplejson reads the bytes as UTF-8 and skips a byte order mark; json.loads
        # alone would also accept UTF-16/32 and refuse the mark.
        text = body.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        return json.loads(text)
    except Exception as error:
        raise FaultError(UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(error))


def marshal_response(result):
    """Return ``(body_bytes, content_type)`` for a handler's result."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result).encode("utf-8"), "application/json"
    except Exception as error:
        raise FaultError(MARSHAL_ERROR, "Unable to marshal response: {}".format(error))
