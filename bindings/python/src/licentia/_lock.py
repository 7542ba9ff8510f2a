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
        mutex = self._mutex
        mutex.acquire()
        try:
            if exclusive:
                self._writers_waiting += 1
                try:
                    while self._writer or self._readers:
                        self._waiting_room().wait()
                finally:
                    self._writers_waiting -= 1
                self._writer = True
            else:
                while self._writer or self._writers_waiting:
                    self._waiting_room().wait()
                self._readers += 1
        finally:
            mutex.release()

    def release(self, exclusive: bool) -> None:
        mutex = self._mutex
        mutex.acquire()
        try:
            if exclusive:
                self._writer = False
                if self._cond is not None:
                    self._cond.notify_all()
            else:
                self._readers -= 1
                # Only a writer waits for the readers to leave.
                if self._readers == 0 and self._writers_waiting and self._cond is not None:
                    self._cond.notify_all()
        finally:
            mutex.release()

    @contextmanager
    def holding(self, exclusive: bool) -> Iterator[None]:
        """The lock around a block (a handle read in passing)."""
        self.acquire(exclusive)
        try:
            yield
        finally:
            self.release(exclusive)


def _locks_of(owner: Any, args: Any, kwargs: Any) -> List[Any]:
    """The handle objects a call touches: its owner and every handle among
    its arguments, each once, in the global order (by id)."""
    found = {id(owner): owner}
    for value in (*args, *kwargs.values()):
        if isinstance(getattr(value, "_lock", None), HandleLock):
            found.setdefault(id(value), value)
    if len(found) == 1:
        return [owner]
    return [found[key] for key in sorted(found)]


def _holding(exclusive: bool) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @functools.wraps(method)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not (args or kwargs):
                # The common call: its own handle alone.
                lock = self._lock
                lock.acquire(exclusive)
                try:
                    return method(self)
                finally:
                    lock.release(exclusive)
            held: List[Any] = []
            try:
                for obj in _locks_of(self, args, kwargs):
                    mine = exclusive and obj is self
                    obj._lock.acquire(mine)
                    held.append((obj._lock, mine))
                return method(self, *args, **kwargs)
            finally:
                for lock, mine in reversed(held):
                    lock.release(mine)

        return call  # type: ignore[return-value]

    return decorate


#: Decorates a method that only reads its handle (and any handle argument).
reads = _holding(exclusive=False)

#: Decorates a method that changes its handle (handle arguments are read).
changes = _holding(exclusive=True)
