# The compiled module (_native.c): the verify-and-check call made from C.
from datetime import datetime
from typing import Any, Optional, Tuple, Union

Text = Union[str, bytes]

def bind(
    verify_and_check: int, report_state: int, report_free: int, report: type, states: Tuple[Any, ...]
) -> None: ...
def check(
    verifier: Any,
    text: Text,
    now: datetime,
    product: Text,
    machine: Any,
    user: Optional[Text],
    release_date: Optional[datetime],
    last_check_in: Optional[datetime],
    revocations: Any,
    environment: Any,
) -> Optional[Tuple[int, Any]]: ...
def own_report(report: int) -> Any: ...
