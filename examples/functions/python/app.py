"""A Python handler that writes through both print and logging."""
import json
import logging
import os
import sys

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    print(f"Python got {json.dumps(event)}")
    logger.info("Request %s in %s", context.aws_request_id, context.function_name)
    return {
        "message": f"{os.environ.get('GREETING', 'Hello')}, {event.get('name', 'world')}!",
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "remainingTimeMs": context.get_remaining_time_in_millis(),
        "event": event,
    }
