# Type stubs of the extension module glpi_key._native (python/src/lib.rs). Not the package's
# API: glpi_key/__init__.py wraps it in typed objects and GlpiKeyError.
from typing import Any, Optional, Tuple

class Failure(Exception):
    """A refusal: args are (code, message, typo dict or None)."""

    args: Tuple[str, str, Optional[dict[str, Any]]]

class TrustStore:
    def __init__(self) -> None: ...
    def add(self, public_key: bytes, valid_from: Optional[int] = None, valid_until: Optional[int] = None) -> str: ...
    def key_ids(self) -> list[str]: ...

class RawRevocationList:
    def contains(self, serial: str) -> bool: ...
    def file_bytes(self) -> bytes: ...

def parse(text: str, trust: TrustStore) -> dict[str, Any]: ...
def correct(text: str, trust: TrustStore) -> Optional[str]: ...
def verify(
    text: str,
    trust: TrustStore,
    kind: str,
    now: int,
    instance: Optional[str],
    accept_any_instance_unchecked: bool,
    glpi_version: Optional[str],
    grace_seconds: int,
    clock_tolerance_seconds: Optional[int],
    revocations: Optional[RawRevocationList],
) -> dict[str, Any]: ...
def read_revocation_list(
    text: Optional[str],
    file: Optional[bytes],
    trust: TrustStore,
    installed_sequence: Optional[int],
) -> Tuple[RawRevocationList, dict[str, Any]]: ...
