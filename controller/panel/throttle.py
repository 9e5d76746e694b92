"""Failed logins are limited (``limits``, moving windows): per user name 5 a minute and
20 an hour, per address 30 in ten minutes. Only failures count; while a limit is
reached every attempt is refused before the password is even checked, with the number
of seconds to wait. The counters live in memory, or in Redis when the controller's
processes share one (``message_queue: redis://…``), so the limit holds across them."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

PER_USER = (parse("5/minute"), parse("20/hour"))
PER_ADDRESS = (parse("30/10 minutes"),)


class LoginThrottle:
    def __init__(self, storage_uri: str = "memory://") -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def _limits(self, username: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return ([(item, f"user:{username.lower()[:64]}") for item in PER_USER]
                + [(item, f"addr:{address}") for item in PER_ADDRESS])

    def retry_after(self, username: str, address: str) -> int | None:
        """Seconds to wait before another attempt, or None if one may be made now."""
        waits = [self.limiter.get_window_stats(item, "login", key).reset_time - time.time()
                 for item, key in self._limits(username, address)
                 if not self.limiter.test(item, "login", key)]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, username: str, address: str) -> None:
        for item, key in self._limits(username, address):
            self.limiter.hit(item, "login", key)


def storage_uri(message_queue: str) -> str:
    """Redis when the processes already share one, else this process's memory."""
    return message_queue if message_queue.startswith(("redis://", "rediss://")) \
        else "memory://"
