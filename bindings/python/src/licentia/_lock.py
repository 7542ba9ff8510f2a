"""The lock each handle holds across every C call, so that ``close()`` in one
thread never frees a handle another thread is using.

ctypes releases the GIL during a foreign call: without it a verifier closed
while another thread verifies would be freed under that call. Calls that
only read a handle share it (many threads verify at once); calls that
change it (``accept_rollover``...) and ``close()`` have it alone, as the C
ABI requires. A call that also reads other handles (a license checked with
a fingerprint and a verifier) holds theirs too: a reading call never waits
while it holds one, a changing call takes its handles in one global order,
so no two calls wait on each other in a cycle. No call takes a handle it
already holds (that would wait behind a ``close()`` waiting for it).
"""

from __future__ import annotations

import functools
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: How long a closing call first sleeps while calls are in flight, and at
#: most (it doubles between looks).
_FIRST_PAUSE = 0.00002
_LONGEST_PAUSE = 0.001


class HandleLock:
    """Shared for calls that read the handle, exclusive for those that
    change or free it. Readers never wait for each other; once a writer
    has come, new readers wait behind it, so ``close()`` is not starved by
    threads that keep calling.

    Kept cheap, since it runs around every C call: a reader is one entry
    appended to a list and popped after (each one step under the
    interpreter's lock, and thread-safe without it, as list methods are in
    free-threaded Python), and a look at the writer's flag between. A
    writer takes a mutex, raises the flag, and waits for the list to empty;
    a reader who finds the flag up takes its entry back and waits on the
    writer's mutex. Writers are rare (a key added, a handle closed), so a
    writer polls rather than keeping a condition variable for readers to
    signal."""

    __slots__ = ("_readers", "_writer", "_writing")

    def __init__(self) -> None:
        #: One entry per reading call in flight.
        self._readers: List[None] = []
        #: Held by the one call changing or freeing the handle.
        self._writer = threading.Lock()
        self._writing = False

    def acquire(self, exclusive: bool) -> None:
        if exclusive:
            self._writer.acquire()
            self._writing = True
            pause = _FIRST_PAUSE
            while self._readers:
                time.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)
            return
        readers = self._readers
        while True:
            # Entry first, then the flag: a writer raising it after this
            # look waits for the entry to go.
            readers.append(None)
            if not self._writing:
                return
            readers.pop()
            with self._writer:
                pass

    def release(self, exclusive: bool) -> None:
        if exclusive:
            self._writing = False
            self._writer.release()
        else:
            self._readers.pop()

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


def _handles_of(owner: Any, args: Any, kwargs: Any) -> List[Any]:
    """The handle objects a call touches: its owner, then every other handle
    among its arguments (a handle given twice is pinned twice, which the
    pins allow)."""
    handles = [owner]
    for value in args:
        if isinstance(value, Locked) and value is not owner:
            handles.append(value)
    for value in kwargs.values():
        if isinstance(value, Locked) and value is not owner:
            handles.append(value)
    return handles


def pin(handles: List[Any]) -> None:
    """Takes every handle's shared side. A reader never waits holding a
    pin: finding a writer, it takes all its pins back and waits for that
    writer, then tries again. So readers need no order among handles, and
    cannot be part of a wait cycle."""
    while True:
        for handle in handles:
            handle._lock._readers.append(None)
        for handle in handles:
            if handle._lock._writing:
                break
        else:
            return
        for pinned in handles:
            pinned._lock._readers.pop()
        with handle._lock._writer:
            pass


def unpin(handles: List[Any]) -> None:
    """Gives back what :func:`pin` took."""
    for handle in handles:
        handle._lock._readers.pop()


def reads(method: F) -> F:
    """Decorates a method that only reads its handle (and any handle
    argument)."""

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        handles = _handles_of(self, args, kwargs) if (args or kwargs) else [self]
        pin(handles)
        try:
            return method(self, *args, **kwargs)
        finally:
            unpin(handles)

    return call  # type: ignore[return-value]


def changes(method: F) -> F:
    """Decorates a method that changes its handle (handle arguments are
    read). A writer waits holding what it has taken, so it takes its
    handles in one global order (by id): two writers never wait on each
    other in a cycle, and readers hold nothing while they wait."""

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        handles = sorted({id(h): h for h in _handles_of(self, args, kwargs)}.items())
        taken: List[Any] = []
        try:
            for _, handle in handles:
                handle._lock.acquire(handle is self)
                taken.append(handle)
            return method(self, *args, **kwargs)
        finally:
            for handle in reversed(taken):
                handle._lock.release(handle is self)

    return call  # type: ignore[return-value]
