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
from typing import Any, Callable, Iterator, List, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class HandleLock:
    """Shared for calls that read the handle, exclusive for those that
    change or free it. Readers never wait for each other; once a writer
    waits, new readers wait behind it, so ``close()`` is not starved by
    threads that keep calling. Plain acquire/release methods, not context
    managers: they run around every C call, so they are kept cheap."""

    __slots__ = ("_cond", "_readers", "_writer", "_writers_waiting")

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    def acquire(self, exclusive: bool) -> None:
        with self._cond:
            if exclusive:
                self._writers_waiting += 1
                try:
                    while self._writer or self._readers:
                        self._cond.wait()
                finally:
                    self._writers_waiting -= 1
                self._writer = True
            else:
                while self._writer or self._writers_waiting:
                    self._cond.wait()
                self._readers += 1

    def release(self, exclusive: bool) -> None:
        with self._cond:
            if exclusive:
                self._writer = False
                self._cond.notify_all()
            else:
                self._readers -= 1
                # Only a writer waits for the readers to leave.
                if self._readers == 0 and self._writers_waiting:
                    self._cond.notify_all()

    @contextmanager
    def holding(self, exclusive: bool) -> Iterator[None]:
        """The lock around a block (``close()``, a handle read in passing)."""
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
    return [found[key] for key in sorted(found)]


def _holding(exclusive: bool) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @functools.wraps(method)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            objects = _locks_of(self, args, kwargs) if (args or kwargs) else [self]
            held: List[Any] = []
            try:
                for obj in objects:
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
