"""The login throttle: failed tries counted in memory, and how long a client must wait before the next.

Separate from :mod:`lib.accounts.login` because it holds state for the server process (one throttle shared by
every session), while a login itself is a plain check against the accounts file.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Hashable

MAX_LOCKOUT_SECONDS = 15 * 60
MAX_TRACKED_KEYS = 10_000  # failed-login records kept in memory per count; the oldest go first
MAX_KNOWN_CLIENTS = 100  # clients remembered per name as having logged in as it


class _Failures:
    """Failed tries by key: how many, and the time of the last. Bounded by ``MAX_TRACKED_KEYS``."""

    def __init__(self) -> None:
        self.records: dict[Hashable, tuple[int, float]] = {}

    def count(self, key: Hashable) -> int:
        return self.records.get(key, (0, 0.0))[0]

    def wait(self, key: Hashable, threshold: int, seconds: float, now: float) -> float:
        """Seconds left to wait: none below ``threshold`` failures, then ``seconds`` doubling per failure."""
        count, last = self.records.get(key, (0, 0.0))
        if count < threshold:
            return 0.0
        delay = min(seconds * 2 ** (count - threshold), MAX_LOCKOUT_SECONDS)
        return max(0.0, last + delay - now)

    def add(self, key: Hashable, now: float) -> None:
        self.records[key] = (self.count(key) + 1, now)
        if len(self.records) > MAX_TRACKED_KEYS:
            self._forget(now)

    def clear(self, key: Hashable) -> None:
        self.records.pop(key, None)

    def _forget(self, now: float) -> None:
        """Drop records older than the longest wait; if still too many, the oldest (a flood of keys)."""
        self.records = {k: v for k, v in self.records.items() if now - v[1] < MAX_LOCKOUT_SECONDS}
        if len(self.records) > MAX_TRACKED_KEYS:
            newest = sorted(self.records.items(), key=lambda item: item[1][1])[-(MAX_TRACKED_KEYS // 2):]
            self.records = dict(newest)


class LoginThrottle:
    """Slows password guessing without letting a guesser lock the real user out.

    Three counts, each waiting ``seconds`` once over its threshold and doubling per further failure
    (up to 15 minutes):

    - per client and name, threshold ``failures``: the client that guesses waits; the same name
      from any other client is not held back, so five wrong passwords cannot lock out 管理员.
    - per name from all clients, threshold ``name_failures`` (much higher): a client is cheap to
      change (a new session, another address), so guessing spread over many clients is still slowed.
      This count could again hold back the real user, so it is set high, and a client that has
      logged in as the name before (in this server process) is exempt from it.
    - per password across names, threshold ``failures`` distinct names (password spraying: one
      common password tried for many names). The password is kept only as an HMAC under a random
      key made for this process, never as itself.

    Kept in memory for the server process; ``clock`` is injectable for tests.
    """

    def __init__(self, failures: int = 5, seconds: float = 30, clock: Callable[[], float] = time.monotonic,
                 name_failures: int = 50):
        self.failures, self.seconds, self.clock, self.name_failures = failures, seconds, clock, name_failures
        self._by_client = _Failures()  # (client, name)
        self._by_name = _Failures()  # name
        self._by_password = _Failures()  # HMAC of the password, counting distinct names
        self._password_names = _Failures()  # (HMAC, name) pairs already counted
        self._known: dict[str, set[str]] = {}  # name → clients that logged in as it
        self._key = secrets.token_bytes(32)
        self._mutex = threading.Lock()

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode(), hashlib.sha256).digest()

    def wait_seconds(self, name: str, client: str, password: str | None = None) -> float:
        """Seconds ``client`` must wait before trying ``name`` (with ``password``); 0 when a try is allowed now."""
        with self._mutex:
            now = self.clock()
            waits = [self._by_client.wait((client, name), self.failures, self.seconds, now)]
            if client not in self._known.get(name, ()):
                waits.append(self._by_name.wait(name, self.name_failures, self.seconds, now))
            if password is not None:
                waits.append(self._by_password.wait(self._digest(password), self.failures, self.seconds, now))
        return max(waits)

    def failed(self, name: str, client: str, password: str) -> None:
        with self._mutex:
            now = self.clock()
            self._by_client.add((client, name), now)
            self._by_name.add(name, now)
            digest = self._digest(password)
            if not self._password_names.count((digest, name)):
                self._by_password.add(digest, now)
            self._password_names.add((digest, name), now)

    def succeeded(self, name: str, client: str) -> None:
        with self._mutex:
            self._by_client.clear((client, name))
            if name not in self._known and len(self._known) >= MAX_TRACKED_KEYS:
                self._known.pop(next(iter(self._known)))
            clients = self._known.setdefault(name, set())
            if len(clients) < MAX_KNOWN_CLIENTS:
                clients.add(client)

    def tracked(self) -> tuple[dict, ...]:
        """The records kept, for tests: by client and name, by name, by password HMAC, (HMAC, name) pairs."""
        return (self._by_client.records, self._by_name.records, self._by_password.records,
                self._password_names.records)
