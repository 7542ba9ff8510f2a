"""The product's online half: a client of the back office that activates
this machine, checks in, holds a floating lease and gives the machine back
(``licentia_client_*`` of the C library).

Every call blocks. A failure raises :class:`ClientError` (6xxx) with the
back office's own words for a refusal, or the family's error for a file
that is not the vendor's (:class:`SignatureError`); nothing is kept then.
"""

from __future__ import annotations

import os
from ctypes import Array, byref, c_bool, c_char_p, c_int64, c_uint8, c_uint64, c_void_p
from dataclasses import dataclass
from enum import IntEnum
from datetime import datetime, timedelta
from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _ffi
from ._ffi import lib
from ._lock import reads
from .core import (
    Fingerprint,
    License,
    Report,
    Verifier,
    _c_str,
    _from_optional,
    _from_unix,
    _Handle,
    _report,
)
from .errors import ClientError, Status, error_class, raise_status

PathLike = Union[str, "os.PathLike[str]"]


def _client_check(status: int) -> None:
    """Raises unless OK, with the words of this thread's failed client call."""
    if status == Status.OK:
        return
    words = _ffi.read_string(lib.licentia_client_error_message, on_error=raise_status)
    raise error_class(status)(status, words or None)


@dataclass(frozen=True)
class ClientStatus:
    """Where a license stands for this machine after a client call."""

    #: The verified license held (a handle: close it, or let it go).
    license: License
    #: Its check for this product, machine and time.
    report: Report
    #: True when the back office answered; False when the stored license
    #: was checked offline because it could not be reached.
    online: bool
    #: Whole days of grace left offline, when one is running.
    grace_days: Optional[int]
    #: Why the back office could not be reached, when it could not.
    offline_reason: Optional[str]


class Standing(IntEnum):
    """Where the back office holds a license."""

    ACTIVE = 0
    SUSPENDED = 1
    REVOKED = 2


@dataclass(frozen=True)
class Validation:
    """The back office's view of the license and this machine."""

    standing: Standing
    seats: int
    seats_used: int
    expires_at: Optional[datetime]
    #: Whether this machine holds a live activation there.
    activated: bool
    #: Whether a fresh file came (the terms changed) and was kept.
    refreshed: bool


@dataclass(frozen=True)
class MeterUsage:
    """What the license consumed of one meter in its current period, as the
    back office counted it."""

    meter: str
    used: int
    quota: int
    period_start: datetime
    #: None for the term of a license that never expires.
    period_end: Optional[datetime]


#: Usage records: (meter, units) pairs, or a mapping of meter to units.
Records = Union[Sequence[Tuple[str, int]], Mapping[str, int]]


def _records(records: Records) -> Tuple[List[str], "Array[c_char_p]", "Array[c_uint64]"]:
    """The records as the C arrays of names and amounts."""
    pairs = list(records.items()) if isinstance(records, Mapping) else list(records)
    names = [str(meter) for meter, _ in pairs]
    meters = (c_char_p * len(pairs))(*(_c_str(name, "meter") for name in names))
    amounts = (c_uint64 * len(pairs))(*(int(units) for _, units in pairs))
    return names, meters, amounts


def _status(call: Callable[[Any], int]) -> ClientStatus:
    """Runs a C call giving a status handle and reads it whole."""
    out = c_void_p()
    _client_check(call(byref(out)))
    try:
        report = c_void_p()
        _client_check(lib.licentia_client_status_report(out, byref(report)))
        verdict = _report(report)
        days = c_int64()
        grace = lib.licentia_client_status_grace_days(out, byref(days))
        return ClientStatus(
            license=License._create(lambda o: lib.licentia_client_status_license(out, o)),
            report=verdict,
            online=bool(lib.licentia_client_status_online(out)),
            grace_days=days.value if grace == Status.OK else None,
            offline_reason=_ffi.read_string(
                lib.licentia_client_status_offline_reason, out, on_error=raise_status
            ),
        )
    finally:
        lib.licentia_client_status_free(out)


class Client(_Handle):
    """The product's client of the back office at ``server`` for
    ``product``, trusting the keys ``keys`` trusts, keeping its files in
    ``store``. Its calls only read the handle: threads may share one,
    though calls that change its store are best made from one."""

    _free = lib.licentia_client_free

    def __init__(
        self,
        server: str,
        product: str,
        keys: Verifier,
        store: PathLike,
        *,
        ca_file: Optional[PathLike] = None,
        pins: Sequence[str] = (),
        machine: Optional[Fingerprint] = None,
        timeout: Optional[timedelta] = None,
        retries: Optional[Tuple[int, timedelta]] = None,
        clock_secret: Optional[bytes] = None,
    ) -> None:
        config = c_void_p()
        _client_check(
            lib.licentia_client_config_new(
                _c_str(server, "server"), _c_str(product, "product"), keys._handle, byref(config)
            )
        )
        try:
            _client_check(lib.licentia_client_config_set_store(config, _c_str(os.fsdecode(store), "store")))
            if ca_file is not None:
                _client_check(lib.licentia_client_config_set_ca_file(config, _c_str(os.fsdecode(ca_file), "ca_file")))
            for pin in pins:
                _client_check(lib.licentia_client_config_add_pin(config, _c_str(pin, "pin")))
            if machine is not None:
                _client_check(lib.licentia_client_config_set_machine(config, machine._handle))
            if timeout is not None:
                _client_check(lib.licentia_client_config_set_timeout_ms(config, int(timeout.total_seconds() * 1000)))
            if retries is not None:
                count, backoff = retries
                _client_check(
                    lib.licentia_client_config_set_retries(config, count, int(backoff.total_seconds() * 1000))
                )
            if clock_secret:
                secret = (c_uint8 * len(clock_secret)).from_buffer_copy(clock_secret)
                _client_check(lib.licentia_client_config_set_clock_secret(config, secret, len(clock_secret)))
            client = c_void_p()
            _client_check(lib.licentia_client_new(config, byref(client)))
        finally:
            lib.licentia_client_config_free(config)
        _Handle.__init__(self, client.value or 0)

    @reads
    def activate(self, license_key: str) -> ClientStatus:
        """Activates this machine: one seat, the file verified and kept."""
        key = _c_str(license_key, "license_key")
        return _status(lambda out: lib.licentia_client_activate(self._handle, key, out))

    @reads
    def check_in(self) -> ClientStatus:
        """Checks in; when the back office cannot be reached, the stored
        license checked offline (``online`` False), not an error."""
        return _status(lambda out: lib.licentia_client_check_in(self._handle, out))

    @reads
    def check_offline(self) -> Optional[ClientStatus]:
        """The stored license checked offline now; None before an activation."""
        try:
            return _status(lambda out: lib.licentia_client_check_offline(self._handle, out))
        except ClientError as e:
            if e.status == Status.NOT_ACTIVATED:
                return None
            raise

    @reads
    def validate(self) -> Validation:
        """Asks the back office how the license and this machine stand,
        taking no seat; a fresh file (new terms) is verified and kept."""
        v = _ffi.Validation()
        _client_check(lib.licentia_client_validate(self._handle, byref(v)))
        return Validation(
            standing=Standing(v.standing),
            seats=v.seats,
            seats_used=v.seats_used,
            expires_at=_from_optional(v.expires_at),
            activated=bool(v.activated),
            refreshed=bool(v.refreshed),
        )

    @reads
    def deactivate(self) -> None:
        """Gives this machine's seat back (and any lease) and forgets it."""
        _client_check(lib.licentia_client_deactivate(self._handle))

    @reads
    def refresh_revocations(self) -> int:
        """Fetches the product's revocation list, verified, and keeps it
        when newer; every later check applies it. The sequence held."""
        sequence = c_uint64()
        _client_check(lib.licentia_client_refresh_revocations(self._handle, byref(sequence)))
        return sequence.value

    @reads
    def revocation_list(self) -> Optional[str]:
        """The armored revocation list held; None before one was fetched."""
        return _ffi.read_string(lib.licentia_client_revocation_list, self._handle, on_error=_client_check)

    @reads
    def deactivate_offline(self) -> str:
        """Gives this machine's license back without the back office: the
        file deleted, the armored deactivation request to carry there
        (the same one again until its receipt is accepted)."""
        text = _ffi.read_string(lib.licentia_client_deactivate_offline, self._handle, on_error=_client_check)
        if text is None:
            raise_status(Status.NOT_FOUND)
        return text

    @reads
    def accept_deactivation_receipt(self, receipt: str) -> None:
        """Verifies the back office's receipt for the pending offline
        deactivation and forgets the request; ``RECEIPT_MISMATCH`` for a
        receipt of another license or request."""
        _client_check(
            lib.licentia_client_accept_deactivation_receipt(self._handle, _c_str(receipt, "receipt"))
        )

    @reads
    def checkout_lease(self, license_key: str) -> datetime:
        """Checks a floating seat out; when the lease ends."""
        ends = c_int64()
        _client_check(
            lib.licentia_client_checkout_lease(self._handle, _c_str(license_key, "license_key"), byref(ends))
        )
        return _from_unix(ends.value)

    @reads
    def heartbeat_if_due(self, license_key: str) -> Tuple[bool, datetime]:
        """Extends the lease held once half its time is gone (call it every
        minute or so): whether it did, and when the lease ends."""
        renewed, ends = c_bool(), c_int64()
        _client_check(
            lib.licentia_client_heartbeat_if_due(
                self._handle, _c_str(license_key, "license_key"), byref(renewed), byref(ends)
            )
        )
        return renewed.value, _from_unix(ends.value)

    @reads
    def return_lease(self, license_key: str) -> None:
        """Returns the lease held early."""
        _client_check(lib.licentia_client_return_lease(self._handle, _c_str(license_key, "license_key")))

    @reads
    def record_usage(self, license_key: str, batch_id: str, records: Records) -> Tuple[MeterUsage, ...]:
        """Counts a batch of consumption, ``(meter, units)`` records, against
        the license's meters, all or nothing; the usage of each record's
        meter after it. ``batch_id`` names the batch: sent again it is
        counted once. Past a quota the back office refuses it all
        (:class:`ClientError` REFUSED, ``quota_exceeded``)."""
        names, meters, amounts = _records(records)
        out = (_ffi.MeterUsage * len(names))()
        _client_check(
            lib.licentia_client_record_usage(
                self._handle,
                _c_str(license_key, "license_key"),
                _c_str(batch_id, "batch_id"),
                meters,
                amounts,
                len(names),
                out,
            )
        )
        return tuple(
            MeterUsage(
                meter=name,
                used=u.used,
                quota=u.quota,
                period_start=_from_unix(u.period_start),
                period_end=_from_optional(u.period_end),
            )
            for name, u in zip(names, out)
        )

    @reads
    def usage_report(self, license_id: str, counter: int, records: Records) -> str:
        """The armored offline usage report of what this machine consumed of
        license ``license_id``'s meters since its previous report, numbered
        ``counter`` (keep it; raise it by one per report, the first is 1):
        staff carry it to the back office, which accepts each counter once."""
        _, meters, amounts = _records(records)
        text = _ffi.read_string(
            lib.licentia_client_usage_report,
            self._handle,
            _c_str(license_id, "license_id"),
            int(counter),
            meters,
            amounts,
            len(amounts),
            on_error=_client_check,
        )
        if text is None:
            raise_status(Status.NOT_FOUND)
        return text
