"""The lock each handle holds across every C call, so that ``close()`` in one
thread never frees a handle another thread is using.

ctypes releases the GIL during a foreign call: without it a verifier closed
while another thread verifies would be freed under that call. Calls that
only read a handle share it (many threads verify at once); calls that
change it (``accept_rollover``...) and ``close()`` have it alone, as the C
ABI requires. A call that also reads other handles (a license checked with
a fingerprint and a verifier) holds theirs too, taken in one global order so
that two such calls never wait on each other. No call takes a handle it
already holds (that would wait behind a ``close()`` waiting for it).
"""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class HandleLock:
    """Shared for calls that read the handle, exclusive for those that
    change or free it. Readers never wait for each other; once a writer
    waits, new readers wait behind it, so ``close()`` is not starved by
    threads that keep calling.

    Kept cheap, since it runs around every C call: a reader that finds no
    writer takes one plain mutex (a C-level acquire and release, no
    Condition, no Python-level context manager); the condition variable
    that waiting needs is made only when a thread must wait."""

    __slots__ = ("_mutex", "_cond", "_readers", "_writer", "_writers_waiting")

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._cond: Optional[threading.Condition] = None
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    def _waiting_room(self) -> threading.Condition:
        """The condition to wait on (with ``_mutex`` held)."""
        if self._cond is None:
            self._cond = threading.Condition(self._mutex)
        return self._cond

    def acquire(self, exclusive: bool) -> None:
        if not exclusive:
            with self._mutex:
                if not (self._writer or self._writers_waiting):
                    # The common case: no writer, one C-level lock round.
                    self._readers += 1
                    return
                while self._writer or self._writers_waiting:
                    self._waiting_room().wait()
                self._readers += 1
                return
        with self._mutex:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._waiting_room().wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True

    def release(self, exclusive: bool) -> None:
        with self._mutex:
            if exclusive:
                self._writer = False
                if self._cond is not None:
                    self._cond.notify_all()
            else:
                self._readers -= 1
                # Only a writer waits for the readers to leave.
                if self._readers == 0 and self._writers_waiting and self._cond is not None:
                    self._cond.notify_all()

    @contextmanager
    def holding(self, exclusive: bool) -> Iterator[None]:
        """The lock around a block (a handle read in passing)."""
        self.acquire(exclusive)
        try:
            yield
        finally:
            self.release(exclusive)


class Locked:
    """What owns a :class:`HandleLock` (``_lock``): the handle classes."""

    __slots__ = ()
    _lock: HandleLock


def _locks_of(owner: Any, args: Any, kwargs: Any) -> List[Any]:
    """The handle objects a call touches: its owner and every handle among
    its arguments, each once, in the global order (by id)."""
    others: List[Any] = []
    for value in args:
        if isinstance(value, Locked) and value is not owner:
            others.append(value)
    for value in kwargs.values():
        if isinstance(value, Locked) and value is not owner:
            others.append(value)
    if not others:
        return [owner]
    if len(others) == 1:
        other = others[0]
        return [owner, other] if id(owner) < id(other) else [other, owner]
    found = {id(owner): owner}
    for value in others:
        found.setdefault(id(value), value)
    return [found[key] for key in sorted(found)]


def _holding(exclusive: bool) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @functools.wraps(method)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            objects = _locks_of(self, args, kwargs) if (args or kwargs) else None
            if objects is None or len(objects) == 1:
                # The common call: its own handle alone.
                lock = self._lock
                lock.acquire(exclusive)
                try:
                    return method(self, *args, **kwargs)
                finally:
                    lock.release(exclusive)
            taken = 0
            try:
                for obj in objects:
                    obj._lock.acquire(exclusive and obj is self)
                    taken += 1
                return method(self, *args, **kwargs)
            finally:
                for obj in reversed(objects[:taken]):
                    obj._lock.release(exclusive and obj is self)

        return call  # type: ignore[return-value]

    return decorate


#: Decorates a method that only reads its handle (and any handle argument).
reads = _holding(exclusive=False)

#: Decorates a method that changes its handle (handle arguments are read).
changes = _holding(exclusive=True)
