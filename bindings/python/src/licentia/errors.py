"""Statuses and exceptions: one exception class per family of the C ABI's
status numbers, all under :class:`LicentiaError`, which carries ``.status``.

- :class:`FormatError`: 1xxx, the text is not a well-formed document;
- :class:`SignatureError`: 2xxx, signatures and keys (forged, unknown key...);
- :class:`DocumentError`: 3xxx, a well-signed document that does not fit
  (bad spec, renewal for another license...);
- :class:`ArgumentError`: 4xxx, I/O and arguments (a file that cannot be
  read, a bad date, a closed object); also a :class:`ValueError`;
- :class:`InternalError`: 5xxx, a bug inside the library caught at its
  boundary.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NoReturn, Optional, Type, Union

from ._ffi import status_message


class Status(IntEnum):
    """The C ABI's ``licentia_status`` numbers (stable; never reused)."""

    OK = 0
    TOO_LARGE = 1001
    NOT_LICENTIA_TEXT = 1002
    ARMOR_UNTERMINATED = 1003
    TRAILING_DATA = 1004
    BASE64 = 1005
    TRUNCATED = 1006
    UNSUPPORTED_VERSION = 1007
    UNKNOWN_DOCUMENT_KIND = 1008
    WRONG_DOCUMENT_KIND = 1009
    MALFORMED_BODY = 1010
    UNKNOWN_KEY_ID = 2001
    BAD_SIGNATURE = 2002
    KEY_NOT_VALID_AT = 2003
    WEAK_KEY = 2004
    KEY_FORMAT = 2005
    INSECURE_KEY_FILE = 2006
    SIGNER_FAILED = 2007
    INVALID_SPEC = 3001
    RENEWAL_MISMATCH = 3002
    STALE_REVOCATION_LIST = 3003
    WRONG_PRODUCT = 3004
    ACTIVATION_MISMATCH = 3005
    CLOCK_STATE_TAMPERED = 3006
    FINGERPRINT = 3007
    CLOCK_STATE_MISSING = 3008
    CLOCK_STATE_RESTORED = 3009
    STALE_ROLLOVER = 3010
    RECEIPT_MISMATCH = 3011
    IO = 4001
    INVALID_ARGUMENT = 4002
    NULL_ARGUMENT = 4003
    INVALID_UTF8 = 4004
    BUFFER_TOO_SMALL = 4005
    NOT_FOUND = 4006
    PANIC = 5001
    UNREACHABLE = 6001
    REFUSED = 6002
    BAD_ANSWER = 6003
    NOT_ACTIVATED = 6004


class LicentiaError(Exception):
    """A call into licentia failed; ``status`` says why."""

    status: Union[Status, int]

    def __init__(self, status: Union[Status, int], message: Optional[str] = None) -> None:
        self.status = _as_status(status)
        super().__init__(message if message is not None else status_message(int(status)))

    @property
    def code(self) -> int:
        """The status as its stable number, e.g. 2002."""
        return int(self.status)


class FormatError(LicentiaError):
    """The text is not a well-formed licentia document (1xxx)."""


class SignatureError(LicentiaError):
    """A signature or a key is refused: forged or edited document, unknown
    or weak key, unreadable key (2xxx)."""


class DocumentError(LicentiaError):
    """A document is well signed but does not fit: an invalid spec, a
    renewal or activation answer for something else, a stale revocation
    list, a tampered clock state, a bad fingerprint (3xxx)."""


class ArgumentError(LicentiaError, ValueError):
    """An I/O or argument error: a file that cannot be read, a bad date or
    id, text that is not UTF-8, a closed object (4xxx)."""


class ClientError(LicentiaError):
    """The back office could not be reached, refused the request (its own
    words are the message), or answered what the API does not promise; or
    the client holds no activation to act on (6xxx)."""


class InternalError(LicentiaError):
    """A bug inside the library, caught at its boundary (5xxx), or a status
    this package does not know."""


_FAMILIES = {
    1: FormatError,
    2: SignatureError,
    3: DocumentError,
    4: ArgumentError,
    6: ClientError,
}


def _as_status(status: Union[Status, int]) -> Union[Status, int]:
    try:
        return Status(status)
    except ValueError:
        return int(status)


def error_class(status: int) -> Type[LicentiaError]:
    """The exception class of a status's family."""
    return _FAMILIES.get(int(status) // 1000, InternalError)


def raise_status(status: int) -> NoReturn:
    """Raises the exception of ``status``'s family."""
    raise error_class(status)(status)


def check(status: int) -> None:
    """Raises unless ``status`` is OK."""
    if status != Status.OK:
        raise_status(status)
