"""argon2 in the suite: a password is hashed once per worker, a (hash, password) pair checked once (#22).

argon2id at the production parameters (``core/auth.py``: m=19 MiB, t=2, p=1) costs 35 to 50 ms of CPU per hash
and per check, and the suite signs up, invites and signs in thousands of users, nearly all with one password:
about 9% of the suite's CPU (tests/contacts, tests/deals and tests/security: 4.6 s of 52 s). The app's hasher is
wrapped, never replaced: the first hash of a password is argon2's own (a fresh salt, the same parameters) and is
given again for that password afterwards, a valid argon2id hash that argon2 checks like any other; a check is a
pure function of the hash and the password, so a repeated one returns (or raises) what argon2 did the first time.
Every check of a new pair, a wrong password included, runs argon2. What the worker gives up is only that two of
its users with the same password share a salt, which no test looks at.
"""

from __future__ import annotations

import threading
from typing import Any


class MemoHasher:
    """argon2's PasswordHasher with its hash and verify remembered; everything else passes through."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.hashes: dict[str, str] = {}
        self.checks: dict[tuple[str, str], Exception | bool] = {}
        self.lock = threading.Lock()

    def hash(self, password: str, **kwargs: Any) -> str:
        if kwargs:  # a salt given on purpose: argon2's own answer
            return str(self.inner.hash(password, **kwargs))
        with self.lock:
            known = self.hashes.get(password)
        if known is None:
            known = str(self.inner.hash(password))
            with self.lock:
                known = self.hashes.setdefault(password, known)
        return known

    def verify(self, password_hash: str, password: str) -> bool:
        key = (password_hash, password)
        with self.lock:
            outcome = self.checks.get(key)
        if outcome is None:
            try:
                outcome = bool(self.inner.verify(password_hash, password))
            except Exception as exc:  # argon2's VerifyMismatchError and the like, raised again for the same pair
                outcome = exc
            with self.lock:
                self.checks[key] = outcome
        if isinstance(outcome, Exception):
            raise type(outcome)(*outcome.args)  # a new one each time, as argon2 would raise
        return outcome

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def install() -> None:
    """The app's hasher (``core.auth._hasher``) remembered for this process."""
    from chalicelib.core import auth

    memo = MemoHasher(auth._hasher())
    auth._hasher = lambda: memo  # type: ignore[assignment]
