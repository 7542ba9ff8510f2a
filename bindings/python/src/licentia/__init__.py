"""licentia: verify (and issue) signed offline software licenses.

Python bindings over liblicentia's C ABI, through ctypes. They add no license
logic: every call goes to the library. The library is found through the
``LICENTIA_LIBRARY`` environment variable (a path to ``liblicentia.so``),
then next to this package, then by the system loader.

Times are timezone-aware :class:`datetime.datetime` values (UTC when
returned), durations :class:`datetime.timedelta`. Objects holding a C handle
(:class:`Verifier`, :class:`License`, :class:`Fingerprint`, :class:`Issuer`,
:class:`ActivationRequest`) free it on ``close()``, at the end of a ``with``
block, or when garbage-collected. Failures raise a :class:`LicentiaError`
subclass per family, carrying ``.status``.
"""

from .client import Client, ClientStatus, MeterUsage, Standing, Validation
from .core import (
    ActivationRequest,
    Binding,
    BindingKind,
    Document,
    Entitlement,
    Environment,
    EnvironmentKind,
    Finding,
    Fingerprint,
    Issuer,
    Kind,
    License,
    ReleaseCatalogue,
    MatchRule,
    Meter,
    MeterPeriod,
    Report,
    Rule,
    Severity,
    State,
    Terms,
    Verifier,
    format_time,
    format_version,
    parse_time,
    rule_name,
    state_name,
    supported_format_versions,
    version,
)
from .errors import (
    ArgumentError,
    ClientError,
    DocumentError,
    FormatError,
    InternalError,
    LicentiaError,
    SignatureError,
    Status,
)

__all__ = [
    "ActivationRequest",
    "ArgumentError",
    "Binding",
    "BindingKind",
    "Client",
    "ClientError",
    "ClientStatus",
    "Document",
    "DocumentError",
    "Entitlement",
    "Environment",
    "EnvironmentKind",
    "Finding",
    "Fingerprint",
    "FormatError",
    "InternalError",
    "Issuer",
    "Kind",
    "License",
    "LicentiaError",
    "MatchRule",
    "Meter",
    "MeterPeriod",
    "MeterUsage",
    "ReleaseCatalogue",
    "Report",
    "Rule",
    "Severity",
    "SignatureError",
    "Standing",
    "State",
    "Status",
    "Terms",
    "Validation",
    "Verifier",
    "format_time",
    "format_version",
    "parse_time",
    "rule_name",
    "state_name",
    "supported_format_versions",
    "version",
]

__version__ = "0.1.0"
