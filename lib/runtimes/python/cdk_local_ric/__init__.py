"""cdk-local's Python runtime interface client.

It talks to the Lambda Runtime API the way AWS's awslambdaric does, with the
standard library only, so that any python3.8+ on the developer's machine can
run a function. ``bootstrap.py`` next to this package is the entry point.
"""

__version__ = "0.1.0"
