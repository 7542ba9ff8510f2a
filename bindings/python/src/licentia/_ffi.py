"""The C library: where it is found, the structs and the function prototypes.

Nothing here knows what a license means; it only declares the C ABI of
``include/licentia.h`` to ctypes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from ctypes import (
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_int64,
    c_size_t,
    c_uint8,
    c_uint32,
    c_uint64,
    c_void_p,
)
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

#: The environment variable naming the shared library to load.
LIBRARY_ENV = "LICENTIA_LIBRARY"

# C's status numbers the bindings handle themselves.
OK = 0
BUFFER_TOO_SMALL = 4005
NOT_FOUND = 4006


def _library_names() -> List[str]:
    if sys.platform == "darwin":
        return ["liblicentia.dylib", "liblicentia.0.dylib"]
    if sys.platform == "win32":
        return ["licentia.dll"]
    return ["liblicentia.so", "liblicentia.so.0"]


def _load() -> ctypes.CDLL:
    """Loads liblicentia: ``$LICENTIA_LIBRARY``, then next to this package,
    then wherever the system loader finds it."""
    explicit = os.environ.get(LIBRARY_ENV)
    if explicit:
        try:
            return ctypes.CDLL(explicit)
        except OSError as e:
            raise ImportError(f"{LIBRARY_ENV}={explicit}: cannot load it: {e}") from e
    here = Path(__file__).resolve().parent
    for name in _library_names():
        candidate = here / name
        if candidate.exists():
            return ctypes.CDLL(str(candidate))
    found = ctypes.util.find_library("licentia")
    for name in ([found] if found else []) + _library_names():
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    raise ImportError(
        "liblicentia not found: build it with scripts/build-capi.sh and set "
        f"{LIBRARY_ENV} to the path of liblicentia.so, put it next to the "
        "licentia package, or install it where the system loader looks"
    )


lib = _load()


class OptionalTime(Structure):
    _fields_ = [("present", c_bool), ("value", c_int64)]


class CheckContext(Structure):
    _fields_ = [
        ("now", c_int64),
        ("product", c_char_p),
        ("machine", c_void_p),
        ("this_machine", c_bool),
        ("user", c_char_p),
        ("has_release_date", c_bool),
        ("release_date", c_int64),
        ("has_last_check_in", c_bool),
        ("last_check_in", c_int64),
        ("revocations", c_void_p),
        ("clock_state_path", c_char_p),
        ("clock_secret", POINTER(c_uint8)),
        ("clock_secret_len", c_size_t),
    ]


class Finding(Structure):
    _fields_ = [
        ("rule", c_uint32),
        ("severity", c_uint32),
        ("has_remaining", c_bool),
        ("remaining_secs", c_int64),
    ]


class Terms(Structure):
    _fields_ = [
        ("issued_at", c_int64),
        ("valid_from", OptionalTime),
        ("soft_expiry", OptionalTime),
        ("hard_expiry", OptionalTime),
        ("has_grace", c_bool),
        ("grace_secs", c_uint32),
        ("updates_until", OptionalTime),
        ("has_check_in", c_bool),
        ("check_in_interval_secs", c_uint32),
        ("check_in_max_offline_secs", c_uint32),
    ]


class Binding(Structure):
    _fields_ = [
        ("kind", c_uint32),
        ("match_rule", c_uint32),
        ("machine_count", c_size_t),
        ("max_machines", c_uint32),
    ]


class Entitlement(Structure):
    _fields_ = [
        ("has_count", c_bool),
        ("count", c_uint32),
        ("expires", OptionalTime),
    ]


class Meter(Structure):
    _fields_ = [("quota", c_uint64), ("period", c_uint32)]


class MeterUsage(Structure):
    _fields_ = [
        ("used", c_int64),
        ("quota", c_int64),
        ("period_start", c_int64),
        ("period_end", OptionalTime),
    ]


class Validation(Structure):
    _fields_ = [
        ("standing", c_uint32),
        ("seats", c_int64),
        ("seats_used", c_int64),
        ("expires_at", OptionalTime),
        ("activated", c_bool),
        ("refreshed", c_bool),
    ]


_status = c_uint32
_handle = c_void_p
_out_handle = POINTER(c_void_p)
# (handle-or-args..., char *buf, size_t buf_len, size_t *out_len)
_string_out = [c_char_p, c_size_t, POINTER(c_size_t)]

_PROTOTYPES: List[Tuple[str, Any, List[Any]]] = [
    # client
    ("licentia_client_config_new", _status, [c_char_p, c_char_p, _handle, _out_handle]),
    ("licentia_client_config_set_store", _status, [_handle, c_char_p]),
    ("licentia_client_config_set_ca_file", _status, [_handle, c_char_p]),
    ("licentia_client_config_add_pin", _status, [_handle, c_char_p]),
    ("licentia_client_config_set_machine", _status, [_handle, _handle]),
    ("licentia_client_config_set_timeout_ms", _status, [_handle, c_uint32]),
    ("licentia_client_config_set_retries", _status, [_handle, c_uint32, c_uint32]),
    ("licentia_client_config_set_clock_secret", _status, [_handle, POINTER(c_uint8), c_size_t]),
    ("licentia_client_config_free", None, [_handle]),
    ("licentia_client_new", _status, [_handle, _out_handle]),
    ("licentia_client_free", None, [_handle]),
    ("licentia_client_activate", _status, [_handle, c_char_p, _out_handle]),
    ("licentia_client_check_in", _status, [_handle, _out_handle]),
    ("licentia_client_check_offline", _status, [_handle, _out_handle]),
    ("licentia_client_deactivate", _status, [_handle]),
    ("licentia_client_validate", _status, [_handle, POINTER(Validation)]),
    ("licentia_client_refresh_revocations", _status, [_handle, POINTER(c_uint64)]),
    ("licentia_client_revocation_list", _status, [_handle] + _string_out),
    ("licentia_client_deactivate_offline", _status, [_handle] + _string_out),
    ("licentia_client_accept_deactivation_receipt", _status, [_handle, c_char_p]),
    ("licentia_client_checkout_lease", _status, [_handle, c_char_p, POINTER(c_int64)]),
    ("licentia_client_heartbeat_if_due", _status, [_handle, c_char_p, POINTER(c_bool), POINTER(c_int64)]),
    ("licentia_client_return_lease", _status, [_handle, c_char_p]),
    ("licentia_client_error_message", _status, _string_out),
    (
        "licentia_client_record_usage",
        _status,
        [_handle, c_char_p, c_char_p, POINTER(c_char_p), POINTER(c_uint64), c_size_t, POINTER(MeterUsage)],
    ),
    (
        "licentia_client_usage_report",
        _status,
        [_handle, c_char_p, c_uint64, POINTER(c_char_p), POINTER(c_uint64), c_size_t] + _string_out,
    ),
    ("licentia_client_status_online", c_bool, [_handle]),
    ("licentia_client_status_grace_days", _status, [_handle, POINTER(c_int64)]),
    ("licentia_client_status_offline_reason", _status, [_handle] + _string_out),
    ("licentia_client_status_report", _status, [_handle, _out_handle]),
    ("licentia_client_status_license", _status, [_handle, _out_handle]),
    ("licentia_client_status_free", None, [_handle]),
    ("licentia_version", c_char_p, []),
    ("licentia_format_version", c_uint8, []),
    ("licentia_supported_format_versions", _status, [POINTER(POINTER(c_uint8)), POINTER(c_size_t)]),
    ("licentia_parse_time", _status, [c_char_p, POINTER(c_int64)]),
    ("licentia_format_time", _status, [c_int64] + _string_out),
    ("licentia_status_message", c_char_p, [c_uint32]),
    ("licentia_rule_name", c_char_p, [c_uint32]),
    ("licentia_state_name", c_char_p, [c_uint32]),
    # verifier
    ("licentia_verifier_new", _status, [_out_handle]),
    ("licentia_verifier_from_key_file", _status, [c_char_p, _out_handle]),
    ("licentia_verifier_add_key_pem", _status, [_handle, c_char_p]),
    ("licentia_verifier_add_key_raw", _status, [_handle, POINTER(c_uint8)]),
    ("licentia_verifier_accept_rollover", _status, [_handle, c_char_p]),
    ("licentia_verifier_set_revocation_list", _status, [_handle, c_char_p, c_char_p]),
    ("licentia_verifier_revocation_sequence", _status, [_handle, POINTER(c_uint64)]),
    ("licentia_verify", _status, [_handle, c_char_p, _out_handle]),
    ("licentia_verify_file", _status, [_handle, c_char_p, _out_handle]),
    ("licentia_verifier_free", None, [_handle]),
    # release catalogues
    ("licentia_verify_release_catalogue", _status, [_handle, c_char_p, c_char_p, _out_handle]),
    ("licentia_release_catalogue_count", c_size_t, [_handle]),
    ("licentia_release_catalogue_version_at", _status, [_handle, c_size_t] + _string_out),
    ("licentia_release_catalogue_date", _status, [_handle, c_char_p, POINTER(c_int64)]),
    ("licentia_license_may_run", _status, [_handle, _handle, c_char_p, POINTER(c_bool)]),
    ("licentia_license_runnable_releases", _status, [_handle, _handle] + _string_out),
    ("licentia_release_catalogue_free", None, [_handle]),
    # license
    ("licentia_license_id", _status, [_handle] + _string_out),
    ("licentia_license_product", _status, [_handle] + _string_out),
    ("licentia_license_licensee_name", _status, [_handle] + _string_out),
    ("licentia_license_licensee_email", _status, [_handle] + _string_out),
    ("licentia_license_customer_ref", _status, [_handle] + _string_out),
    ("licentia_license_key_id", _status, [_handle] + _string_out),
    ("licentia_license_kind", c_uint32, [_handle]),
    ("licentia_license_replaces", _status, [_handle] + _string_out),
    ("licentia_license_seats", c_uint32, [_handle]),
    ("licentia_license_allows", c_bool, [_handle, c_uint32]),
    ("licentia_license_terms", _status, [_handle, POINTER(Terms)]),
    ("licentia_license_binding", _status, [_handle, POINTER(Binding)]),
    ("licentia_license_binding_machine", _status, [_handle, c_size_t] + _string_out),
    ("licentia_license_binding_user", _status, [_handle] + _string_out),
    ("licentia_license_has_feature", c_bool, [_handle, c_char_p, c_int64]),
    ("licentia_license_entitlement", _status, [_handle, c_char_p, c_int64, POINTER(Entitlement)]),
    ("licentia_license_entitlement_count", c_size_t, [_handle]),
    ("licentia_license_entitlement_at", _status, [_handle, c_size_t, POINTER(Entitlement)]),
    ("licentia_license_entitlement_code", _status, [_handle, c_size_t] + _string_out),
    ("licentia_license_meter_count", c_size_t, [_handle]),
    ("licentia_license_meter_at", _status, [_handle, c_size_t, POINTER(Meter)]),
    ("licentia_license_meter_name", _status, [_handle, c_size_t] + _string_out),
    ("licentia_license_meter", _status, [_handle, c_char_p, POINTER(Meter)]),
    ("licentia_license_metadata", _status, [_handle, c_char_p] + _string_out),
    ("licentia_license_apply_renewal", _status, [_handle, _handle, c_char_p]),
    ("licentia_license_free", None, [_handle]),
    # check and report
    ("licentia_check", _status, [_handle, POINTER(CheckContext), _out_handle]),
    ("licentia_check_guarded", _status, [_handle, POINTER(CheckContext), _handle, _out_handle]),
    ("licentia_verify_and_check", _status, [_handle, c_char_p, POINTER(CheckContext), _out_handle]),
    (
        "licentia_check_in_environment",
        _status,
        [_handle, POINTER(CheckContext), _handle, _handle, _out_handle],
    ),
    (
        "licentia_verify_and_check_in_environment",
        _status,
        [_handle, c_char_p, POINTER(CheckContext), _handle, _out_handle],
    ),
    # environment
    ("licentia_environment_probe", _status, [_out_handle]),
    ("licentia_environment_probe_root", _status, [c_char_p, _out_handle]),
    ("licentia_environment_is", c_bool, [_handle, c_uint32]),
    ("licentia_environment_evidence", _status, [_handle, c_uint32] + _string_out),
    ("licentia_environment_free", None, [_handle]),
    ("licentia_clock_options_new", _status, [_out_handle]),
    ("licentia_clock_options_set_witness", _status, [_handle, c_char_p]),
    ("licentia_clock_options_set_started", _status, [_handle, c_bool]),
    ("licentia_clock_options_free", None, [_handle]),
    ("licentia_report_state", c_uint32, [_handle]),
    ("licentia_report_finding_count", c_size_t, [_handle]),
    ("licentia_report_finding", _status, [_handle, c_size_t, POINTER(Finding)]),
    ("licentia_report_finding_message", _status, [_handle, c_size_t] + _string_out),
    ("licentia_report_grace_remaining", _status, [_handle, POINTER(c_int64)]),
    ("licentia_report_to_text", _status, [_handle] + _string_out),
    ("licentia_report_free", None, [_handle]),
    # fingerprint
    ("licentia_fingerprint_this_machine", _status, [c_char_p, _out_handle]),
    ("licentia_fingerprint_from_hex", _status, [c_char_p, _out_handle]),
    ("licentia_fingerprint_to_hex", _status, [_handle] + _string_out),
    ("licentia_fingerprint_free", None, [_handle]),
    ("licentia_fingerprint_builder_new", _status, [c_char_p, _out_handle]),
    ("licentia_fingerprint_builder_add_machine_id", _status, [_handle]),
    ("licentia_fingerprint_builder_add_hostname", _status, [_handle]),
    ("licentia_fingerprint_builder_add_vendor", _status, [_handle, c_char_p, c_char_p]),
    ("licentia_fingerprint_builder_build", _status, [_handle, _out_handle]),
    ("licentia_fingerprint_builder_free", None, [_handle]),
    # issuer and documents
    ("licentia_issuer_from_pem", _status, [c_char_p, _out_handle]),
    ("licentia_issuer_from_key_file", _status, [c_char_p, _out_handle]),
    ("licentia_issuer_public_key_pem", _status, [_handle] + _string_out),
    ("licentia_issuer_issue_json", _status, [_handle, c_char_p, _out_handle]),
    ("licentia_issuer_free", None, [_handle]),
    ("licentia_document_armor", _status, [_handle] + _string_out),
    ("licentia_document_compact", _status, [_handle] + _string_out),
    ("licentia_document_free", None, [_handle]),
    # activation
    ("licentia_activation_request_new", _status, [c_char_p, c_char_p, _handle, c_int64, _out_handle]),
    ("licentia_activation_request_new_for_id", _status, [c_char_p, c_char_p, _handle, c_int64, _out_handle]),
    ("licentia_activation_request_parse", _status, [c_char_p, _out_handle]),
    ("licentia_activation_request_to_text", _status, [_handle] + _string_out),
    (
        "licentia_activation_request_accept",
        _status,
        [_handle, _handle, c_char_p, c_int64] + _string_out,
    ),
    ("licentia_activation_request_free", None, [_handle]),
]

for _name, _restype, _argtypes in _PROTOTYPES:
    _fn = getattr(lib, _name)
    _fn.restype = _restype
    _fn.argtypes = _argtypes


def status_message(status: int) -> str:
    """The library's static message for a status number."""
    message: bytes = lib.licentia_status_message(status)
    return message.decode("utf-8")


def read_string(
    fn: Callable[..., int], *args: Any, on_error: Callable[[int], None]
) -> Optional[str]:
    """Reads a string through the C buffer convention: a 256-byte buffer
    first, then one of the length the library asks for. ``NOT_FOUND`` gives
    None; any other failure goes to ``on_error``, which raises."""
    size = 256
    needed = c_size_t(0)
    buf = ctypes.create_string_buffer(size)
    status = fn(*args, buf, size, ctypes.byref(needed))
    if status == BUFFER_TOO_SMALL:
        size = needed.value + 1
        buf = ctypes.create_string_buffer(size)
        status = fn(*args, buf, size, ctypes.byref(needed))
    if status == NOT_FOUND:
        return None
    if status != OK:
        on_error(status)
    return buf.raw[: needed.value].decode("utf-8")
