"""Find the function's handler from ``_HANDLER``: ``app.handler``, ``pkg/mod.handler``, ``pkg.mod.handler``.

The module is imported from the task root (first on sys.path); the last dot
separates the module path from the attribute. Failures carry the error types and
messages of Lambda's Python runtime, which users search for.
"""

import importlib
import sys

from .faults import (
    BUILT_IN_MODULE_CONFLICT,
    HANDLER_NOT_FOUND,
    IMPORT_MODULE_ERROR,
    MALFORMED_HANDLER_NAME,
    USER_CODE_SYNTAX_ERROR,
    FaultError,
)


def load_handler(handler):
    """Import the handler's module and return the handler. Raises FaultError, or whatever module init raises."""
    try:
        module_name, attribute = handler.rsplit(".", 1)
    except ValueError as error:
        raise FaultError(MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, error))

    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultError(
            BUILT_IN_MODULE_CONFLICT,
            "Cannot use built-in module {} as a handler module".format(module_name),
        )

    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        # Also what a missing dependency of the function's module looks like.
        raise FaultError(IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(module_name, error))
    except SyntaxError as error:
        where = '  File "{}" Line {}\n    {}'.format(error.filename, error.lineno, error.text)
        raise FaultError(
            USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '{}': {}".format(module_name, error),
            [where],
        )

    try:
        return getattr(module, attribute)
    except AttributeError:
        raise FaultError(HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(attribute, module_name))
