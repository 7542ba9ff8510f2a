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
from contextlib import ExitStack, contextmanager
from typing import Any, Callable, Iterator, List, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class HandleLock:
    """Shared for calls that read the handle, exclusive for those that
    change or free it. Readers never wait for each other; once a writer
    waits, new readers wait behind it, so ``close()`` is not starved by
    threads that keep calling."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writer and self._writers_waiting == 0)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                self._cond.wait_for(lambda: not self._writer and self._readers == 0)
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


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
            with ExitStack() as stack:
                for obj in _locks_of(self, args, kwargs):
                    mine = exclusive and obj is self
                    stack.enter_context(obj._lock.exclusive() if mine else obj._lock.shared())
                return method(self, *args, **kwargs)

        return call  # type: ignore[return-value]

    return decorate


#: Decorates a method that only reads its handle (and any handle argument).
reads = _holding(exclusive=False)

#: Decorates a method that changes its handle (handle arguments are read).
changes = _holding(exclusive=True)
