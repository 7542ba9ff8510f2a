"""The classes over the C handles, and the plain values they give.

Every call goes to one C function of liblicentia; this module only converts
arguments and results. Handles are freed by ``close()``, by leaving a
``with`` block, or by the garbage collector (a finalizer), whichever comes
first; a closed object raises :class:`ArgumentError` when used. Every call
holds its handles' locks (``_lock.py``), so objects may be shared between
threads, and closed by one while others use them.
"""

from __future__ import annotations

import ctypes
import json
import os
import weakref
from ctypes import byref, c_bool, c_int64, c_size_t, c_uint8, c_uint64, c_void_p
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from typing import (
    Any,
    Callable,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from . import _ffi
from ._ffi import lib
from ._lock import HandleLock, Locked, changes, pin, reads, unpin
from .errors import ArgumentError, Status, check, raise_status

Text = Union[str, bytes]
PathLike = Union[str, "os.PathLike[str]"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)


class State(IntEnum):
    """The overall verdict of a check."""

    VALID = 0
    VALID_WITH_WARNINGS = 1
    INVALID = 2


class Rule(IntEnum):
    """A rule of the check (stable codes): 1xx deny, 2xx only warn."""

    WRONG_PRODUCT = 101
    REVOKED = 102
    NOT_YET_VALID = 103
    CLOCK_ROLLED_BACK = 104
    WRONG_MACHINE = 105
    WRONG_USER = 106
    VERSION_NOT_COVERED = 107
    EXPIRED = 108
    CHECK_IN_OVERDUE = 109
    MACHINE_RELEASED = 110
    VIRTUAL_MACHINE_NOT_ALLOWED = 111
    CONTAINER_NOT_ALLOWED = 112
    RENEW_SOON = 201
    IN_GRACE = 202
    CHECK_IN_DUE = 203


class Severity(IntEnum):
    """Whether a finding denies use or only warns."""

    FAILURE = 1
    WARNING = 2


class Kind(IntEnum):
    """What sort of license it is."""

    STANDARD = 0
    TRIAL = 1
    TEMPORARY = 2
    #: Not a license (the C library's answer for none; never seen here).
    INVALID = 255


class BindingKind(IntEnum):
    """Where a license may run."""

    UNBOUND = 0
    NODE_LOCKED = 1
    FLOATING = 2
    NAMED_USER = 3


class MatchRule(IntEnum):
    """How many of a licensed machine's components must match."""

    ALL = 0
    MOST = 1
    TWO = 2
    ANY = 3


# --- conversions -----------------------------------------------------------


def _c_str(value: Text, what: str) -> bytes:
    """A NUL-free byte string for C. Lone surrogates pass through as the
    invalid UTF-8 they are, so the library reports INVALID_UTF8."""
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else bytes(value)
    if b"\0" in data:
        raise ArgumentError(Status.INVALID_ARGUMENT, f"{what} contains a NUL character")
    return data


def _opt_c_str(value: Optional[Text], what: str) -> Optional[bytes]:
    return None if value is None else _c_str(value, what)


@contextmanager
def _clock_options(witness_path: Optional[PathLike], started: bool) -> Iterator[c_void_p]:
    """The C clock-guard options for one check, freed after it."""
    witness = _c_str(os.fsdecode(witness_path), "clock_witness_path") if witness_path is not None else None
    options = c_void_p()
    check(lib.licentia_clock_options_new(byref(options)))
    try:
        check(lib.licentia_clock_options_set_witness(options, witness))
        check(lib.licentia_clock_options_set_started(options, started))
        yield options
    finally:
        lib.licentia_clock_options_free(options)


def _to_unix(when: datetime, what: str) -> int:
    """Unix seconds of an aware datetime, rounded down to the second."""
    if when.__class__ is datetime and when.tzinfo is timezone.utc:
        # The common time, datetime.now(timezone.utc): nothing to ask it.
        return (when - _EPOCH) // _SECOND
    if not isinstance(when, datetime):
        raise ArgumentError(Status.INVALID_ARGUMENT, f"{what} must be a datetime")
    if when.tzinfo is None or when.utcoffset() is None:
        raise ArgumentError(
            Status.INVALID_ARGUMENT, f"{what} is a naive datetime: give it a timezone (e.g. timezone.utc)"
        )
    return (when - _EPOCH) // _SECOND


def _from_unix(secs: int) -> datetime:
    return _EPOCH + timedelta(seconds=secs)


def _from_optional(time: _ffi.OptionalTime) -> Optional[datetime]:
    return _from_unix(time.value) if time.present else None


def _read(fn: Callable[..., int], *args: Any) -> Optional[str]:
    return _ffi.read_string(fn, *args, on_error=raise_status)


def _read_required(fn: Callable[..., int], *args: Any) -> str:
    text = _read(fn, *args)
    if text is None:
        raise_status(Status.NOT_FOUND)
    return text


H = TypeVar("H", bound="_Handle")


class _Handle(Locked):
    """Owns one C handle, freed once: by close(), ``with``, or when the
    object is collected (``__del__``: a ``weakref.finalize`` per handle
    cost more than the C call it guards)."""

    _free: Callable[[Optional[int]], None]

    def __init__(self, ptr: int) -> None:
        self._ptr = ptr
        self._lock = HandleLock()

    @classmethod
    def _create(cls: Type[H], call: Callable[[Any], int]) -> H:
        """Runs a C constructor ``call(T **out)`` and wraps its handle."""
        out = c_void_p()
        check(call(byref(out)))
        obj = cls.__new__(cls)
        obj._ptr = out.value or 0
        obj._lock = HandleLock()
        return obj

    @property
    def _handle(self) -> int:
        ptr = self._ptr
        if not ptr:
            raise ArgumentError(Status.NULL_ARGUMENT, f"this {type(self).__name__} is closed")
        return ptr

    @property
    def closed(self) -> bool:
        """Whether the handle has been freed."""
        return not self._ptr

    def _release(self) -> None:
        """Frees the handle unless it was freed already."""
        ptr, self._ptr = self._ptr, 0
        if ptr:
            type(self)._free(ptr)

    def close(self) -> None:
        """Frees the handle now, once the calls other threads are making on
        it have returned; closing again does nothing. Calls after it raise
        :class:`ArgumentError` ("... is closed")."""
        lock = self._lock
        lock.acquire(True)
        try:
            self._release()
        finally:
            lock.release(True)

    def __del__(self) -> None:
        # No call can be running: the object is unreachable. At interpreter
        # exit the library may be gone already; the process frees all then.
        try:
            self._release()
        except Exception:  # noqa: BLE001
            pass

    def __enter__(self: H) -> H:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- plain values ----------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One rule that failed or warned."""

    rule: Rule
    severity: Severity
    #: How long the license keeps working (grace and check-in warnings).
    remaining: Optional[timedelta]
    #: What happened and what to do, in a sentence.
    message: str

    @property
    def name(self) -> str:
        """The rule's stable snake_case name, e.g. ``"expired"``."""
        return rule_name(self.rule)


class Report:
    """The verdict of a check.

    It owns the library's report: ``state`` is read when the check returns,
    the findings, the grace and the text only when first asked for (then
    kept), so a check whose caller looks at the state alone makes one C
    call for it, not a dozen. Immutable, like the report it reads: any
    number of threads may read one."""

    # The three caches stay unset until first read (an unset slot raises
    # AttributeError): a check sets two slots, not five.
    __slots__ = ("state", "_ptr", "_owner", "_findings", "_grace", "_text", "__weakref__")

    #: Valid, valid with warnings, or invalid.
    state: State
    _findings: Tuple[Finding, ...]
    _grace: Optional[timedelta]
    _text: str

    def __init__(self, ptr: int, state: Optional[State] = None, owner: Any = None) -> None:
        self._ptr = ptr
        # What frees the library's report when this Report goes (a C
        # capsule with the compiled module: no Python finalizer per check).
        self._owner = _own_report(ptr) if owner is None else owner
        self.state = _STATES[lib.licentia_report_state(ptr)] if state is None else state

    @property
    def findings(self) -> Tuple[Finding, ...]:
        """Every rule that failed or warned: failures first, then by code."""
        try:
            return self._findings
        except AttributeError:
            self._findings = _findings(self._ptr)
            return self._findings

    @property
    def grace_remaining(self) -> Optional[timedelta]:
        """The shortest grace still running, if any."""
        try:
            return self._grace
        except AttributeError:
            secs = c_int64()
            status = lib.licentia_report_grace_remaining(self._ptr, byref(secs))
            if status != Status.NOT_FOUND:
                check(status)
            self._grace = timedelta(seconds=secs.value) if status == Status.OK else None
            return self._grace

    @property
    def text(self) -> str:
        """The whole report as text for a person."""
        try:
            return self._text
        except AttributeError:
            self._text = _read_required(lib.licentia_report_to_text, self._ptr)
            return self._text

    @property
    def codes(self) -> Tuple[int, ...]:
        """The findings' rule codes, ascending."""
        return tuple(sorted(int(f.rule) for f in self.findings))

    @property
    def allowed(self) -> bool:
        """True unless the state is INVALID (warnings allow use)."""
        return self.state != State.INVALID

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Report):
            return NotImplemented
        return (self.state, self.findings, self.grace_remaining) == (
            other.state,
            other.findings,
            other.grace_remaining,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Report(state={self.state!r}, findings={self.findings!r}, grace_remaining={self.grace_remaining!r})"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Terms:
    """Every time term of a license (renewals applied)."""

    issued_at: datetime
    valid_from: Optional[datetime]
    soft_expiry: Optional[datetime]
    hard_expiry: Optional[datetime]
    grace: Optional[timedelta]
    updates_until: Optional[datetime]
    #: Check in at least this often...
    check_in_interval: Optional[timedelta]
    #: ...and after a missed check-in, keep working offline this long.
    check_in_max_offline: Optional[timedelta]


@dataclass(frozen=True)
class Binding:
    """Where a license may run."""

    kind: BindingKind
    #: Node-locked: how components must match.
    match_rule: MatchRule
    #: Node-locked: the licensed machines' fingerprints, in hex.
    machines: Tuple[str, ...]
    #: Floating: the machine cap (else 0).
    max_machines: int
    #: Named user: the user.
    user: Optional[str]


@dataclass(frozen=True)
class Entitlement:
    """One entitlement (feature) granted by a license."""

    code: str
    count: Optional[int]
    #: When this feature alone stops, if before the license does.
    expires: Optional[datetime]


class MeterPeriod(IntEnum):
    """When a meter's quota renews (``licentia_meter_period``)."""

    DAY = 0
    MONTH = 1
    YEAR = 2
    #: Once, for the license's whole term.
    TERM = 3


@dataclass(frozen=True)
class Meter:
    """A consumable quota the license carries: ``quota`` units of ``name``
    per ``period``. The back office counts and enforces it."""

    name: str
    quota: int
    period: MeterPeriod


@dataclass(frozen=True)
class Document:
    """A signed document just issued, in both text forms."""

    #: Armored text, for files and e-mail.
    armor: str
    #: Compact one-line text, for environment variables and QR codes.
    compact: str

    def __str__(self) -> str:
        return self.armor


# --- handles ---------------------------------------------------------------


class Fingerprint(_Handle):
    """A machine's hashed components for one product."""

    _free = lib.licentia_fingerprint_free

    @classmethod
    def this_machine(cls, product: Text) -> "Fingerprint":
        """This machine's default fingerprint (its OS machine id);
        :class:`DocumentError` (FINGERPRINT) where there is none."""
        p = _c_str(product, "product")
        return cls._create(lambda out: lib.licentia_fingerprint_this_machine(p, out))

    @classmethod
    def from_hex(cls, hex_text: Text) -> "Fingerprint":
        """Parses the hex text form (as :attr:`hex` gives and the CLI prints)."""
        h = _c_str(hex_text, "fingerprint")
        return cls._create(lambda out: lib.licentia_fingerprint_from_hex(h, out))

    @classmethod
    def build(
        cls,
        product: Text,
        *,
        vendor: Union[Mapping[str, str], Iterable[Tuple[str, str]]] = (),
        machine_id: bool = False,
        hostname: bool = False,
    ) -> "Fingerprint":
        """A fingerprint from chosen components: the OS machine id, the host
        name, and the application's own (name, value) components, e.g. a
        container's persisted UUID. Only keyed hashes of the values are kept."""
        pairs = list(vendor.items()) if isinstance(vendor, Mapping) else list(vendor)
        encoded = [(_c_str(n, "component name"), _c_str(v, "component value")) for n, v in pairs]
        builder = c_void_p()
        check(lib.licentia_fingerprint_builder_new(_c_str(product, "product"), byref(builder)))
        try:
            if machine_id:
                check(lib.licentia_fingerprint_builder_add_machine_id(builder))
            if hostname:
                check(lib.licentia_fingerprint_builder_add_hostname(builder))
            for name, value in encoded:
                check(lib.licentia_fingerprint_builder_add_vendor(builder, name, value))
        except BaseException:
            lib.licentia_fingerprint_builder_free(builder)
            raise
        # build consumes the builder, whether it succeeds or not.
        return cls._create(lambda out: lib.licentia_fingerprint_builder_build(builder, out))

    @property
    @reads
    def hex(self) -> str:
        """The hex text form."""
        return _read_required(lib.licentia_fingerprint_to_hex, self._handle)

    def __str__(self) -> str:
        return self.hex

    def __repr__(self) -> str:
        return "Fingerprint(closed)" if self.closed else f"Fingerprint({self.hex!r})"


class EnvironmentKind(IntEnum):
    """What an environment signal points to."""

    VIRTUAL_MACHINE = 1
    CONTAINER = 2


class Environment(_Handle):
    """Where the product runs: the signals of a virtual machine or a
    container, each named with what it saw (``dmi.sys_vendor: QEMU``).

    A check probes this machine itself (once per process) when a license
    refuses virtual machines or containers; pass ``environment=`` to
    :meth:`License.check` or :meth:`Verifier.check` to decide instead (a
    chroot's tree, a test's fake one)."""

    _free = lib.licentia_environment_free

    @classmethod
    def probe(cls) -> "Environment":
        """This machine (probed once per process, then kept)."""
        return cls._create(lib.licentia_environment_probe)

    @classmethod
    def probe_root(cls, root: PathLike) -> "Environment":
        """The tree under ``root`` instead of ``/``: its files only, no
        CPUID, no process variables."""
        p = _c_str(os.fsdecode(root), "root")
        return cls._create(lambda out: lib.licentia_environment_probe_root(p, out))

    @property
    @reads
    def is_virtual_machine(self) -> bool:
        """Whether any signal points to a virtual machine."""
        return bool(lib.licentia_environment_is(self._handle, EnvironmentKind.VIRTUAL_MACHINE))

    @property
    @reads
    def is_container(self) -> bool:
        """Whether any signal points to a container."""
        return bool(lib.licentia_environment_is(self._handle, EnvironmentKind.CONTAINER))

    @reads
    def evidence(self, kind: EnvironmentKind) -> str:
        """The signals of ``kind`` as one line, ``name: saw; name: saw``
        (empty when none was seen)."""
        return _read_required(lib.licentia_environment_evidence, self._handle, int(kind))

    def __repr__(self) -> str:
        return (
            f"Environment(virtual_machine={self.evidence(EnvironmentKind.VIRTUAL_MACHINE)!r}, "
            f"container={self.evidence(EnvironmentKind.CONTAINER)!r})"
        )


class License(_Handle):
    """A verified license, from :meth:`Verifier.verify`."""

    _free = lib.licentia_license_free

    @reads
    def check(
        self,
        *,
        now: datetime,
        product: Text,
        machine: Optional[Fingerprint] = None,
        this_machine: bool = False,
        user: Optional[Text] = None,
        release_date: Optional[datetime] = None,
        last_check_in: Optional[datetime] = None,
        revocations: Optional["Verifier"] = None,
        clock_state_path: Optional[PathLike] = None,
        clock_secret: Optional[bytes] = None,
        clock_witness_path: Optional[PathLike] = None,
        clock_started: bool = False,
        environment: Optional[Environment] = None,
    ) -> Report:
        """Checks the license: the verdict is in the report (an expired
        license is a report with state INVALID, not an exception).

        ``now`` is the current time (the library never reads the clock);
        ``machine`` or ``this_machine`` for node-locked licenses; ``user``
        for named-user ones; ``release_date`` of the running version for
        updates-until; ``revocations`` a verifier holding a revocation list;
        ``clock_state_path`` and ``clock_secret`` for the clock guard, whose
        second copy lives at ``clock_witness_path`` (default: beside the
        state) and, with ``clock_started`` (say it once the product is
        activated), whose two copies both missing raise CLOCK_STATE_MISSING
        instead of starting afresh. A clock option without
        ``clock_state_path`` is an ArgumentError. ``environment`` says where
        the product runs, for a license refusing virtual machines or
        containers (rules 111 and 112); without it the library probes this
        machine itself, once per process, when such a license asks.
        """
        handle = self._handle
        seen = None if environment is None else environment._handle

        def call(ctx: Any, options: Any, out: Any) -> int:
            if seen is None:
                return int(lib.licentia_check_guarded(handle, ctx, options, out))
            return int(lib.licentia_check_in_environment(handle, ctx, options, seen, out))

        return _checked(
            call,
            now=now,
            product=product,
            machine=machine,
            this_machine=this_machine,
            user=user,
            release_date=release_date,
            last_check_in=last_check_in,
            revocations=revocations,
            clock_state_path=clock_state_path,
            clock_secret=clock_secret,
            clock_witness_path=clock_witness_path,
            clock_started=clock_started,
        )

    @reads
    def allows(self, kind: EnvironmentKind) -> bool:
        """Whether the license runs in an environment of ``kind``: false
        when it refuses virtual machines or containers (the check then
        reports rule 111 or 112 where it detects one)."""
        return bool(lib.licentia_license_allows(self._handle, int(kind)))

    @property
    @reads
    def id(self) -> str:
        """The id, as 32 lower-case hex digits."""
        return _read_required(lib.licentia_license_id, self._handle)

    @property
    @reads
    def product(self) -> str:
        """The product code."""
        return _read_required(lib.licentia_license_product, self._handle)

    @property
    @reads
    def licensee_name(self) -> str:
        """The licensee's name."""
        return _read_required(lib.licentia_license_licensee_name, self._handle)

    @property
    @reads
    def licensee_email(self) -> Optional[str]:
        """The licensee's e-mail, if any."""
        return _read(lib.licentia_license_licensee_email, self._handle)

    @property
    @reads
    def customer_ref(self) -> Optional[str]:
        """The vendor's customer reference, if any."""
        return _read(lib.licentia_license_customer_ref, self._handle)

    @property
    @reads
    def key_id(self) -> str:
        """The id (16 hex digits) of the key that signed it."""
        return _read_required(lib.licentia_license_key_id, self._handle)

    @property
    @reads
    def replaces(self) -> Optional[str]:
        """For a temporary license, the id of the license it stands in for."""
        return _read(lib.licentia_license_replaces, self._handle)

    @property
    @reads
    def kind(self) -> Kind:
        """What sort of license it is."""
        return Kind(lib.licentia_license_kind(self._handle))

    @property
    @reads
    def seats(self) -> int:
        """Seats granted (informational offline)."""
        return int(lib.licentia_license_seats(self._handle))

    @property
    @reads
    def terms(self) -> Terms:
        """Every time term."""
        t = _ffi.Terms()
        check(lib.licentia_license_terms(self._handle, byref(t)))
        return Terms(
            issued_at=_from_unix(t.issued_at),
            valid_from=_from_optional(t.valid_from),
            soft_expiry=_from_optional(t.soft_expiry),
            hard_expiry=_from_optional(t.hard_expiry),
            grace=timedelta(seconds=t.grace_secs) if t.has_grace else None,
            updates_until=_from_optional(t.updates_until),
            check_in_interval=timedelta(seconds=t.check_in_interval_secs) if t.has_check_in else None,
            check_in_max_offline=timedelta(seconds=t.check_in_max_offline_secs) if t.has_check_in else None,
        )

    @property
    @reads
    def binding(self) -> Binding:
        """The binding, with the licensed machines or user."""
        handle = self._handle
        b = _ffi.Binding()
        check(lib.licentia_license_binding(handle, byref(b)))
        machines = tuple(
            _read_required(lib.licentia_license_binding_machine, handle, i) for i in range(b.machine_count)
        )
        return Binding(
            kind=BindingKind(b.kind),
            match_rule=MatchRule(b.match_rule),
            machines=machines,
            max_machines=int(b.max_machines),
            user=_read(lib.licentia_license_binding_user, handle),
        )

    @reads
    def has_feature(self, code: Text, now: datetime) -> bool:
        """Whether feature ``code`` is granted and in force at ``now``."""
        return bool(lib.licentia_license_has_feature(self._handle, _c_str(code, "code"), _to_unix(now, "now")))

    @reads
    def entitlement(self, code: Text, now: datetime) -> Optional[Entitlement]:
        """The entitlement ``code``, if granted and in force at ``now``."""
        c = _c_str(code, "code")
        e = _ffi.Entitlement()
        status = lib.licentia_license_entitlement(self._handle, c, _to_unix(now, "now"), byref(e))
        if status == Status.NOT_FOUND:
            return None
        check(status)
        return _entitlement(c.decode("utf-8"), e)

    @property
    @reads
    def entitlements(self) -> Tuple[Entitlement, ...]:
        """Every entitlement listed (in force or not), sorted by code."""
        handle = self._handle
        found: List[Entitlement] = []
        for i in range(lib.licentia_license_entitlement_count(handle)):
            e = _ffi.Entitlement()
            check(lib.licentia_license_entitlement_at(handle, i, byref(e)))
            found.append(_entitlement(_read_required(lib.licentia_license_entitlement_code, handle, i), e))
        return tuple(found)

    @property
    @reads
    def meters(self) -> Tuple[Meter, ...]:
        """Every meter the license carries, sorted by name."""
        handle = self._handle
        found: List[Meter] = []
        for i in range(lib.licentia_license_meter_count(handle)):
            m = _ffi.Meter()
            check(lib.licentia_license_meter_at(handle, i, byref(m)))
            found.append(_meter(_read_required(lib.licentia_license_meter_name, handle, i), m))
        return tuple(found)

    @reads
    def meter(self, name: Text) -> Optional[Meter]:
        """The meter ``name``, if the license carries it."""
        c = _c_str(name, "name")
        m = _ffi.Meter()
        status = lib.licentia_license_meter(self._handle, c, byref(m))
        if status == Status.NOT_FOUND:
            return None
        check(status)
        return _meter(c.decode("utf-8"), m)

    @reads
    def metadata(self, key: Text) -> Optional[str]:
        """The vendor metadata value for ``key``, if present."""
        return _read(lib.licentia_license_metadata, self._handle, _c_str(key, "key"))

    @reads
    def may_run(self, catalogue: "ReleaseCatalogue", version: Text) -> bool:
        """Whether the license's maintenance (updates-until) covers release
        ``version`` of ``catalogue``: ArgumentError NOT_FOUND when the
        catalogue does not list it, DocumentError WRONG_PRODUCT when it is
        another product's."""
        may = c_bool()
        check(
            lib.licentia_license_may_run(
                self._handle, catalogue._handle, _c_str(version, "version"), byref(may)
            )
        )
        return bool(may.value)

    @reads
    def runnable_releases(self, catalogue: "ReleaseCatalogue") -> Tuple[str, ...]:
        """The versions of ``catalogue`` the license may run, in version
        order (WRONG_PRODUCT for another product's catalogue)."""
        text = _read_required(lib.licentia_license_runnable_releases, self._handle, catalogue._handle)
        return tuple(text.split("\n")) if text else ()

    @changes
    def apply_renewal(self, verifier: "Verifier", token: Text) -> None:
        """Applies a renewal token verified with ``verifier``; the license
        is unchanged when this raises."""
        check(lib.licentia_license_apply_renewal(self._handle, verifier._handle, _c_str(token, "token")))

    def __repr__(self) -> str:
        return "License(closed)" if self.closed else f"License(id={self.id!r}, product={self.product!r})"


class ReleaseCatalogue(_Handle):
    """A verified release catalogue, from
    :meth:`Verifier.verify_release_catalogue`: a product's releases in
    version order. ``len()`` counts them."""

    _free = lib.licentia_release_catalogue_free

    @property
    @reads
    def versions(self) -> Tuple[str, ...]:
        """Every version listed, in version order."""
        handle = self._handle
        return tuple(
            _read_required(lib.licentia_release_catalogue_version_at, handle, i)
            for i in range(int(lib.licentia_release_catalogue_count(handle)))
        )

    @reads
    def release_date(self, version: Text) -> Optional[datetime]:
        """When ``version`` was released (``3.1`` finds ``3.1.0``); None
        when the catalogue does not list it. Give it to
        :meth:`License.check` as ``release_date``."""
        date = c_int64()
        status = lib.licentia_release_catalogue_date(
            self._handle, _c_str(version, "version"), byref(date)
        )
        if status == Status.NOT_FOUND:
            return None
        check(status)
        return _from_unix(int(date.value))

    @reads
    def __len__(self) -> int:
        return int(lib.licentia_release_catalogue_count(self._handle))

    def __repr__(self) -> str:
        return "ReleaseCatalogue(closed)" if self.closed else f"ReleaseCatalogue({self.versions!r})"


class Verifier(_Handle):
    """A set of trusted public keys, and the revocation list held.

    ``Verifier(pem, ...)`` trusts each SPKI PEM public key given.
    """

    _free = lib.licentia_verifier_free

    def __init__(self, *pems: Text) -> None:
        out = c_void_p()
        check(lib.licentia_verifier_new(byref(out)))
        super().__init__(out.value or 0)
        try:
            for pem in pems:
                self.add_key_pem(pem)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_pem(cls, pem: Text) -> "Verifier":
        """A verifier trusting one SPKI PEM public key."""
        return cls(pem)

    @classmethod
    def from_key_file(cls, path: PathLike) -> "Verifier":
        """A verifier trusting the public key in an SPKI PEM file."""
        p = _c_str(os.fsdecode(path), "path")
        return cls._create(lambda out: lib.licentia_verifier_from_key_file(p, out))

    @changes
    def add_key_pem(self, pem: Text) -> None:
        """Trusts one more SPKI PEM public key."""
        check(lib.licentia_verifier_add_key_pem(self._handle, _c_str(pem, "pem")))

    @changes
    def add_key_raw(self, key: bytes) -> None:
        """Trusts one more public key given as its raw 32 bytes."""
        if len(key) != 32:
            raise ArgumentError(Status.INVALID_ARGUMENT, f"a raw public key is 32 bytes, not {len(key)}")
        raw = (c_uint8 * 32).from_buffer_copy(bytes(key))
        check(lib.licentia_verifier_add_key_raw(self._handle, raw))

    @changes
    def accept_rollover(self, text: Text) -> None:
        """Accepts a key-rollover statement signed by a trusted key."""
        check(lib.licentia_verifier_accept_rollover(self._handle, _c_str(text, "text")))

    @changes
    def set_revocation_list(self, text: Text, product: Text) -> None:
        """Verifies and holds a revocation list for ``product``, replacing an
        older one (:class:`DocumentError` STALE_REVOCATION_LIST otherwise)."""
        check(
            lib.licentia_verifier_set_revocation_list(
                self._handle, _c_str(text, "text"), _c_str(product, "product")
            )
        )

    @property
    @reads
    def revocation_sequence(self) -> Optional[int]:
        """The sequence number of the revocation list held, if any."""
        sequence = c_uint64()
        status = lib.licentia_verifier_revocation_sequence(self._handle, byref(sequence))
        if status == Status.NOT_FOUND:
            return None
        check(status)
        return int(sequence.value)

    @reads
    def verify_release_catalogue(self, text: Text, product: Text) -> ReleaseCatalogue:
        """Verifies a signed release catalogue for ``product`` with the
        trusted keys."""
        handle, t, p = self._handle, _c_str(text, "text"), _c_str(product, "product")
        return ReleaseCatalogue._create(
            lambda out: lib.licentia_verify_release_catalogue(handle, t, p, out)
        )

    @reads
    def verify(self, text: Text) -> License:
        """Verifies a license given as armored or compact text."""
        handle, t = self._handle, _c_str(text, "text")
        return License._create(lambda out: lib.licentia_verify(handle, t, out))

    @reads
    def verify_file(self, path: PathLike) -> License:
        """Reads a license file and verifies it."""
        handle, p = self._handle, _c_str(os.fsdecode(path), "path")
        return License._create(lambda out: lib.licentia_verify_file(handle, p, out))

    def check(
        self,
        text: Text,
        *,
        now: datetime,
        product: Text,
        machine: Optional[Fingerprint] = None,
        this_machine: bool = False,
        user: Optional[Text] = None,
        release_date: Optional[datetime] = None,
        last_check_in: Optional[datetime] = None,
        revocations: Optional["Verifier"] = None,
        clock_state_path: Optional[PathLike] = None,
        clock_secret: Optional[bytes] = None,
        clock_witness_path: Optional[PathLike] = None,
        clock_started: bool = False,
        environment: Optional[Environment] = None,
    ) -> Report:
        """Verifies a license given as text and checks it, in one C call:
        ``verify(text).check(...)`` (same arguments, same report, same
        errors) for a product that wants the verdict and not the license.
        Text that does not verify raises as :meth:`verify` does."""
        if _native is not None and not (
            this_machine or clock_state_path or clock_secret or clock_witness_path or clock_started
        ):
            # The common check, in one compiled call (_native.c) that pins
            # the handles itself; None when the path below must run (a
            # string that cannot go to C as is, a time not in UTC, a handle
            # closed or being changed): it converts, reports, or waits, as
            # every call does.
            done = _native.check(
                self,
                text,
                now,
                product,
                machine,
                user,
                release_date,
                last_check_in,
                revocations,
                environment,
            )
            if done is not None:
                status, report = done
                if status:
                    raise_status(status)
                return report  # type: ignore[no-any-return]
        handles: List[_Handle] = [self] if machine is None else [self, machine]
        for other in (revocations, environment):
            if other is not None:
                handles.append(other)
        pin(handles)
        try:
            handle, t = self._handle, _c_str(text, "text")
            seen = None if environment is None else environment._handle

            def call(ctx: Any, options: Any, out: Any) -> int:
                if options is None:
                    return int(lib.licentia_verify_and_check_in_environment(handle, t, ctx, seen, out))
                # The clock guard's options: the two calls the one stands for.
                license = c_void_p()
                status = int(lib.licentia_verify(handle, t, byref(license)))
                if status != Status.OK:
                    return status
                try:
                    return int(lib.licentia_check_in_environment(license, ctx, options, seen, out))
                finally:
                    lib.licentia_license_free(license)

            return _checked(
                call,
                now=now,
                product=product,
                machine=machine,
                this_machine=this_machine,
                user=user,
                release_date=release_date,
                last_check_in=last_check_in,
                revocations=revocations,
                clock_state_path=clock_state_path,
                clock_secret=clock_secret,
                clock_witness_path=clock_witness_path,
                clock_started=clock_started,
            )
        finally:
            unpin(handles)


class Issuer(_Handle):
    """A signing key that issues licenses (for back-office tools)."""

    _free = lib.licentia_issuer_free

    @classmethod
    def from_pem(cls, pem: Text) -> "Issuer":
        """An issuer from an Ed25519 PKCS#8 PEM private key."""
        p = _c_str(pem, "pem")
        return cls._create(lambda out: lib.licentia_issuer_from_pem(p, out))

    @classmethod
    def from_key_file(cls, path: PathLike) -> "Issuer":
        """An issuer from a private key file (refused when others may read it)."""
        p = _c_str(os.fsdecode(path), "path")
        return cls._create(lambda out: lib.licentia_issuer_from_key_file(p, out))

    @property
    @reads
    def public_key_pem(self) -> str:
        """The public key as SPKI PEM, for products to trust."""
        return _read_required(lib.licentia_issuer_public_key_pem, self._handle)

    @reads
    def issue(self, spec: Union[Mapping[str, Any], str]) -> Document:
        """Issues a license from a specification: a mapping or a JSON text
        with the command line's ``--spec`` fields (``product``,
        ``licensee``, ``expires``, ``features``...)."""
        text = spec if isinstance(spec, str) else json.dumps(dict(spec))
        document = c_void_p()
        check(lib.licentia_issuer_issue_json(self._handle, _c_str(text, "spec"), byref(document)))
        try:
            return Document(
                armor=_read_required(lib.licentia_document_armor, document),
                compact=_read_required(lib.licentia_document_compact, document),
            )
        finally:
            lib.licentia_document_free(document)


class ActivationRequest(_Handle):
    """An offline activation request: carry :attr:`text` to the back office,
    keep the object (or its text, to :meth:`parse` later) to accept the answer."""

    _free = lib.licentia_activation_request_free

    @classmethod
    def create(
        cls,
        product: Text,
        machine: Fingerprint,
        now: datetime,
        *,
        license_key: Optional[Text] = None,
        license_id: Optional[Text] = None,
    ) -> "ActivationRequest":
        """A request for ``product`` on ``machine``, naming the license by
        the customer's ``license_key`` or by its ``license_id`` (one of them)."""
        if (license_key is None) == (license_id is None):
            raise ArgumentError(Status.INVALID_ARGUMENT, "give exactly one of license_key and license_id")
        with machine._lock.holding(exclusive=False):
            p, m, t = _c_str(product, "product"), machine._handle, _to_unix(now, "now")
            if license_key is not None:
                k = _c_str(license_key, "license_key")
                return cls._create(lambda out: lib.licentia_activation_request_new(p, k, m, t, out))
            i = _c_str(license_id or "", "license_id")
            return cls._create(lambda out: lib.licentia_activation_request_new_for_id(p, i, m, t, out))

    @classmethod
    def parse(cls, text: Text) -> "ActivationRequest":
        """Parses a request's text, to accept its answer in a later run."""
        t = _c_str(text, "text")
        return cls._create(lambda out: lib.licentia_activation_request_parse(t, out))

    @property
    @reads
    def text(self) -> str:
        """The request as armored text."""
        return _read_required(lib.licentia_activation_request_to_text, self._handle)

    @reads
    def accept(self, verifier: Verifier, answer: Text, now: datetime) -> str:
        """Verifies the back office's answer at ``now`` and gives the
        machine-locked license file it carries (armored text)."""
        return _read_required(
            lib.licentia_activation_request_accept,
            self._handle,
            verifier._handle,
            _c_str(answer, "answer"),
            _to_unix(now, "now"),
        )


# --- helpers and module functions -------------------------------------------


try:
    from . import _native
except ImportError:  # a source checkout, not built: ctypes alone, slower
    _native = None  # type: ignore[assignment]
else:
    _native.bind(
        ctypes.cast(lib.licentia_verify_and_check_in_environment, c_void_p).value or 0,
        ctypes.cast(lib.licentia_report_state, c_void_p).value or 0,
        ctypes.cast(lib.licentia_report_free, c_void_p).value or 0,
        Report,
        tuple(sorted(State, key=int)),
    )


class _ReportOwner:
    """Frees a report handle when the last reference to it goes: the owner
    a Report keeps when there is no compiled module to make a capsule."""

    __slots__ = ("ptr",)

    def __init__(self, ptr: int) -> None:
        self.ptr = ptr

    def __del__(self) -> None:
        # At interpreter exit the library may be gone already.
        try:
            lib.licentia_report_free(self.ptr)
        except Exception:  # noqa: BLE001
            pass


#: An owner for a report handle a ctypes call gave.
_own_report: Callable[[int], Any] = _ReportOwner if _native is None else _native.own_report

#: The states by number, looked up without IntEnum's call.
_STATES = {int(state): state for state in State}


#: A context with nothing given, copied for each check (a copy costs a
#: fraction of building the Structure anew).
_NO_CONTEXT = _ffi.CheckContext()


def _checked(
    call: Callable[[Any, Any, Any], int],
    *,
    now: datetime,
    product: Text,
    machine: Optional["Fingerprint"],
    this_machine: bool,
    user: Optional[Text],
    release_date: Optional[datetime],
    last_check_in: Optional[datetime],
    revocations: Optional["Verifier"],
    clock_state_path: Optional[PathLike],
    clock_secret: Optional[bytes],
    clock_witness_path: Optional[PathLike],
    clock_started: bool,
) -> Report:
    """Builds the check context, runs ``call(context, clock_options, out)``
    (the C call that checks; options None unless a clock option is given)
    and wraps the report. The caller holds the handles' locks."""
    ctx = _ffi.CheckContext.from_buffer_copy(_NO_CONTEXT)
    ctx.now = _to_unix(now, "now")
    ctx.product = _c_str(product, "product")
    if machine is not None:
        ctx.machine = machine._handle
    if this_machine:
        ctx.this_machine = True
    if user is not None:
        ctx.user = _c_str(user, "user")
    if release_date is not None:
        ctx.has_release_date = True
        ctx.release_date = _to_unix(release_date, "release_date")
    if last_check_in is not None:
        ctx.has_last_check_in = True
        ctx.last_check_in = _to_unix(last_check_in, "last_check_in")
    if revocations is not None:
        ctx.revocations = revocations._handle
    if clock_state_path is not None:
        ctx.clock_state_path = _c_str(os.fsdecode(clock_state_path), "clock_state_path")
    secret_buf: Any = None  # kept alive for the call
    if clock_secret:
        secret = bytes(clock_secret)
        secret_buf = (c_uint8 * len(secret)).from_buffer_copy(secret)
        ctx.clock_secret = ctypes.cast(secret_buf, ctypes.POINTER(c_uint8))
        ctx.clock_secret_len = len(secret)
    report = c_void_p()
    if clock_witness_path is None and not clock_started:
        # The common check: no options object to make and free.
        check(call(byref(ctx), None, byref(report)))
    else:
        with _clock_options(clock_witness_path, clock_started) as options:
            check(call(byref(ctx), options, byref(report)))
    return Report(report.value or 0)


def _report(report: c_void_p) -> Report:
    """Wraps a report handle the caller gives up: freed with the Report."""
    return Report(report.value or 0)


def _findings(report: int) -> Tuple[Finding, ...]:
    findings: List[Finding] = []
    for i in range(lib.licentia_report_finding_count(report)):
        f = _ffi.Finding()
        check(lib.licentia_report_finding(report, i, byref(f)))
        findings.append(
            Finding(
                rule=Rule(f.rule),
                severity=Severity(f.severity),
                remaining=timedelta(seconds=f.remaining_secs) if f.has_remaining else None,
                message=_read_required(lib.licentia_report_finding_message, report, i),
            )
        )
    return tuple(findings)


def _entitlement(code: str, e: _ffi.Entitlement) -> Entitlement:
    return Entitlement(
        code=code,
        count=int(e.count) if e.has_count else None,
        expires=_from_optional(e.expires),
    )


def _meter(name: str, m: _ffi.Meter) -> Meter:
    return Meter(name=name, quota=int(m.quota), period=MeterPeriod(m.period))


def version() -> str:
    """The library's version, e.g. ``"0.1.0"``."""
    return str(lib.licentia_version().decode("ascii"))


def format_version() -> int:
    """The format version this library writes."""
    return int(lib.licentia_format_version())


def supported_format_versions() -> Tuple[int, ...]:
    """The format versions this library reads."""
    versions = ctypes.POINTER(c_uint8)()
    count = c_size_t()
    check(lib.licentia_supported_format_versions(byref(versions), byref(count)))
    return tuple(int(versions[i]) for i in range(count.value))


def parse_time(text: Text) -> datetime:
    """Parses RFC 3339 (any offset) or a bare date (midnight UTC) into an
    aware UTC datetime; :class:`ArgumentError` otherwise."""
    secs = c_int64()
    check(lib.licentia_parse_time(_c_str(text, "time"), byref(secs)))
    return _from_unix(secs.value)


def format_time(when: datetime) -> str:
    """Formats an aware datetime as RFC 3339 in UTC (``2027-01-31T00:00:00Z``)."""
    return _read_required(lib.licentia_format_time, _to_unix(when, "time"))


def rule_name(rule: int) -> str:
    """The stable snake_case name of a rule code (``"expired"`` for 108)."""
    name = lib.licentia_rule_name(int(rule))
    if name is None:
        raise ArgumentError(Status.INVALID_ARGUMENT, f"unknown rule code {int(rule)}")
    return str(name.decode("ascii"))


def state_name(state: int) -> str:
    """The stable snake_case name of a state (``"valid_with_warnings"``)."""
    name = lib.licentia_state_name(int(state))
    if name is None:
        raise ArgumentError(Status.INVALID_ARGUMENT, f"unknown state {int(state)}")
    return str(name.decode("ascii"))
