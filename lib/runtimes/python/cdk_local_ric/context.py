"""The ``context`` object a handler receives, with the attributes and methods of Lambda's.

https://docs.aws.amazon.com/lambda/latest/dg/python-context.html
"""

import logging
import os
import sys
import time


class LambdaContext(object):
    """Per-invocation facts: request id, deadline, function identity, caller context.

    ``memory_limit_in_mb`` is the environment variable's string, as in Lambda.
    """

    def __init__(
        self,
        request_id,
        client_context,
        cognito_identity,
        deadline_ms,
        invoked_function_arn=None,
        tenant_id=None,
    ):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id

        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)

        # identity is always there, its fields None unless Cognito sent them.
        self.identity = _from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")

        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        """Milliseconds until the invocation's deadline, never negative."""
        remaining_ms = self._deadline_ms - int(time.time() * 1000)
        return remaining_ms if remaining_ms > 0 else 0

    def log(self, msg):
        """Write ``msg`` as one log record, through the runtime's log handler when it is installed."""
        for handler in logging.getLogger().handlers:
            sink = getattr(handler, "log_sink", None)
            if sink is not None:
                sink.log(str(msg))
                return
        sys.stdout.write(str(msg))

    def __repr__(self):
        return _describe(
            self,
            (
                "aws_request_id",
                "log_group_name",
                "log_stream_name",
                "function_name",
                "memory_limit_in_mb",
                "function_version",
                "invoked_function_arn",
                "client_context",
                "identity",
                "tenant_id",
            ),
        )


class CognitoIdentity(object):
    """``context.identity``: the Amazon Cognito identity of a mobile caller."""

    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return _describe(self, self.__slots__)


class Client(object):
    """``context.client_context.client``: the mobile app that called."""

    __slots__ = [
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    ]

    def __repr__(self):
        return _describe(self, self.__slots__)


class ClientContext(object):
    """``context.client_context``: what a mobile SDK caller sent in ``ClientContext``."""

    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return _describe(self, self.__slots__)


def _describe(obj, names):
    fields = ",".join("{}={}".format(name, getattr(obj, name)) for name in names)
    return "{}([{}])".format(obj.__class__.__name__, fields)


def _from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name, None))
    return obj
