"""The leader's lease as a Redis key: ``SET key owner NX PX ttl`` takes it when nobody
holds it; the holder extends it every third of the ttl with a compare-and-extend script
(only if the key still names this owner, so a holder whose key expired and was taken by
another process cannot extend the other's); a clean stop deletes it the same way. Redis
counts the time, so a holder that stops renewing — killed, frozen, cut off — loses the
key ttl after its last renewal, whatever it believes."""

from __future__ import annotations

from controller.leadership.leases import LeaseError

_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLease:
    kind = "redis"

    def __init__(self, url: str, key: str, ttl: float, owner: str) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.key, self.owner = key, owner
        self.ttl_ms = int(ttl * 1000)
        self._errors = redis.RedisError
        # A renewal that cannot finish within a third of the ttl is a failed one: the
        # elector must get its answer while there is still time to step down. No retries
        # inside the client (its default retries a timeout for seconds): the elector
        # retries itself, on its own clock.
        timeout = max(0.2, ttl / 3)
        self.client = redis.Redis.from_url(url, socket_timeout=timeout,
                                           socket_connect_timeout=timeout,
                                           retry=Retry(NoBackoff(), 0))
        self._extend = self.client.register_script(_EXTEND)
        self._release = self.client.register_script(_RELEASE)

    def acquire(self) -> bool:
        try:
            return bool(self.client.set(self.key, self.owner, nx=True, px=self.ttl_ms))
        except self._errors as exc:
            raise LeaseError(f"Redis: {exc}") from None

    def renew(self) -> bool:
        try:
            return self._extend(keys=[self.key], args=[self.owner, self.ttl_ms]) == 1
        except self._errors as exc:
            raise LeaseError(f"Redis: {exc}") from None

    def release(self) -> None:
        try:
            self._release(keys=[self.key], args=[self.owner])
        except self._errors as exc:
            raise LeaseError(f"Redis: {exc}") from None

    def close(self) -> None:
        self.client.close()

    def holder(self) -> str | None:
        """Who holds the key now (for people and tests), None when nobody does."""
        try:
            value = self.client.get(self.key)
        except self._errors as exc:
            raise LeaseError(f"Redis: {exc}") from None
        return value.decode() if isinstance(value, bytes) else value
