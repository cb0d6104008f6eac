"""Verify GLPI registration keys offline.

The glpi-key Rust core as a Python extension: every check (the text, the check symbols, the
Ed25519 signature, the claims, revocation lists) is made by the core in ``glpi_key._native``;
this module only converts arguments and results into typed objects.

>>> trust = TrustStore([open("test-issuer.pub.hex").read()])          # doctest: +SKIP
>>> lic = verify(open("sample-standard.key").read(), trust,           # doctest: +SKIP
...              kind="instance-registration", instance="5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b")
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
import os
from typing import Any, Iterable, Literal, Mapping, Optional, Tuple, Union

from . import _native

__all__ = [
    "Claims",
    "GlpiKeyError",
    "KeyKind",
    "License",
    "ParsedKey",
    "InstallOutcome",
    "InstalledListInfo",
    "RevocationList",
    "Site",
    "SiteDirectory",
    "SiteStatus",
    "SiteTrustedKey",
    "SiteVerdict",
    "Time",
    "TrustStore",
    "TrustedKey",
    "Typo",
    "correct",
    "parse",
    "verify",
]

KeyKind = Literal["instance-registration", "agent-enrollment"]
"""Which kind of key: what it lets its holder do. ``verify`` requires one (there is no "any")."""

Time = Union[int, datetime]
"""Unix seconds, or a timezone-aware ``datetime`` (rounded down to the second)."""


@dataclass(frozen=True)
class Typo:
    """Where a mistyped key is probably wrong: exactly one single-symbol change fixes its check."""

    position: int
    """1-based position of the suspect character in the text as given."""
    group: int
    """1-based number of the group (symbols between hyphens or spaces after ``GLPI-``)."""
    position_in_group: int
    """1-based position of the suspect character within its group."""
    found: str
    """The character as given."""
    replacement: str
    """The symbol that makes the check pass."""
    confirmed: bool
    """Whether the corrected key's signature verifies under a trusted issuer key."""


class GlpiKeyError(ValueError):
    """Every refusal of this package.

    ``code`` is the stable error class (the core's ``Error::code()``, the ``expect`` of
    ``spec/vectors``; plus ``invalid-argument``, ``instance-required``, ``no-trusted-keys`` and the
    trust store's ``trusted-key-*``); ``message`` is the core's text for the administrator.
    """

    code: str
    message: str
    typo: Optional[Typo]

    def __init__(self, code: str, message: str, typo: Optional[Typo] = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.typo = typo

    def __repr__(self) -> str:
        return f"GlpiKeyError({self.code!r}, {self.message!r})"


def _raise_from(f: _native.Failure) -> GlpiKeyError:
    code, message, typo = f.args
    return GlpiKeyError(code, message, Typo(**typo) if typo is not None else None)


def _argument(message: str) -> GlpiKeyError:
    return GlpiKeyError("invalid-argument", message)


def _u64(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _argument(f"{what} must be a whole number of seconds (int), not {type(value).__name__}")
    if not 0 <= value < 1 << 64:
        raise _argument(f"{what} must be between 0 and 2**64-1")
    return value


def _seconds(value: object, what: str) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise _argument(f"{what} must be a timezone-aware datetime (for example with tzinfo=timezone.utc)")
        return _u64(int(value.timestamp() // 1), what)
    return _u64(value, what)


def _public_key(key: object) -> bytes:
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key)
    if isinstance(key, str):
        text = key.strip()
        if len(text) != 64:
            raise _argument("an issuer public key in hex is 64 hex digits (32 bytes)")
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise _argument("an issuer public key in hex is 64 hex digits (32 bytes)") from None
    raise _argument("an issuer public key is 32 bytes or 64 hex digits")


@dataclass(frozen=True)
class TrustedKey:
    """An issuer public key trusted only for keys issued in ``[valid_from, valid_until)``."""

    public_key: Union[bytes, str]
    valid_from: Optional[Time] = None
    valid_until: Optional[Time] = None


class TrustStore:
    """The issuer public keys this verifier trusts (at most 16)."""

    def __init__(self, keys: Iterable[Union[bytes, str, TrustedKey]] = ()) -> None:
        self._native = _native.TrustStore()
        for key in keys:
            self.add(key)

    def add(self, key: Union[bytes, str, TrustedKey]) -> str:
        """Trusts one more key (bytes, hex, or a ``TrustedKey``); returns its key id (8 hex digits)."""
        valid_from = valid_until = None
        if isinstance(key, TrustedKey):
            if key.valid_from is not None:
                valid_from = _seconds(key.valid_from, "valid_from")
            if key.valid_until is not None:
                valid_until = _seconds(key.valid_until, "valid_until")
            key = key.public_key
        public_key = _public_key(key)
        try:
            return self._native.add(public_key, valid_from, valid_until)
        except _native.Failure as f:
            raise _raise_from(f) from None

    @property
    def key_ids(self) -> list[str]:
        """The key ids of the trusted keys, in the order added."""
        return self._native.key_ids()


_EMPTY: Optional[TrustStore] = None


def _store(trust: Optional[TrustStore], required: bool) -> _native.TrustStore:
    global _EMPTY
    if trust is None:
        if required:
            raise _argument("a TrustStore holding the vendor public key is required")
        if _EMPTY is None:
            _EMPTY = TrustStore()
        return _EMPTY._native
    if not isinstance(trust, TrustStore):
        raise _argument("trust must be a TrustStore")
    return trust._native


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise _argument(f"{what} must be a str, not {type(value).__name__}")
    return value


@dataclass(frozen=True)
class ParsedKey:
    """What a key's text says before verification: nothing here can be trusted."""

    unverified_kind: KeyKind
    unverified_key_id: str
    unverified_short_id: Optional[str]
    """``GLPI-XXXXXXXXXXXX-YYYYYY``, or None if the serial is out of range."""
    text: str
    """Canonical compact form."""
    grouped: str
    """Grouped form, for display."""


@dataclass(frozen=True)
class Claims:
    """The signed claims of a verified key. Times are Unix seconds."""

    serial: str
    """16 hex digits."""
    short_id: str
    kind: KeyKind
    tier: Literal["free", "starter", "basic", "standard", "advanced"]
    owner: str
    issued_at: int
    not_before: int
    expires_at: Optional[int]
    """None: perpetual."""
    instance: Optional[str]
    """The instance UUID the key is bound to, or None."""
    entitlements: Tuple[str, ...]
    """Named entitlements (``marketplace``, ``network-plugins``, ``l3-support``)."""
    entitlement_bits: int
    glpi_versions: Optional[Tuple[str, str]]
    """``(min, max)`` GLPI versions covered, or None for any."""
    max_assets: Optional[int]
    entity: Optional[int]
    """Agent enrollment keys: the entity agents enroll into."""
    supersedes: Optional[str]
    """The serial (16 hex digits) this key replaces, or None."""
    extensions: Tuple[Tuple[int, bytes], ...]
    """``(tag, value)`` pairs."""


@dataclass(frozen=True)
class License:
    """A verified key."""

    claims: Claims
    issuer_key_id: str
    status: Literal["active", "in-grace"]
    """``in-grace``: expired but within the grace period; usable, warn the administrator."""
    grace_until: Optional[int]
    """When ``in-grace``: the first second the key is refused."""
    warning: Optional[str]
    """When ``in-grace``: the core's message for the administrator."""


def _claims(d: Mapping[str, object]) -> Claims:
    c = dict(d)
    c["entitlements"] = tuple(c["entitlements"])  # type: ignore[arg-type]
    c["extensions"] = tuple(c["extensions"])  # type: ignore[arg-type]
    return Claims(**c)  # type: ignore[arg-type]


def parse(text: str, trust: Optional[TrustStore] = None) -> ParsedKey:
    """Reads a key without verifying it.

    A mistyped key raises ``GlpiKeyError`` with code ``checksum`` and, when one symbol is off,
    ``typo``; with ``trust``, ``typo.confirmed`` says whether the corrected key's signature verifies.
    """
    _text(text, "the key")
    try:
        return ParsedKey(**_native.parse(text, _store(trust, False)))
    except _native.Failure as f:
        raise _raise_from(f) from None


def correct(text: str, trust: Optional[TrustStore] = None) -> Optional[str]:
    """The key text with its one-symbol typo fixed, or None when it reads as given.

    Raises when one symbol cannot fix it. The result is a suggestion: verify it.
    """
    _text(text, "the key")
    try:
        return _native.correct(text, _store(trust, False))
    except _native.Failure as f:
        raise _raise_from(f) from None


class RevocationList:
    """A revocation list whose signature verified under a trusted issuer key."""

    issuer_key_id: str
    sequence: int
    issued_at: int
    next_update: Optional[int]
    serials: Tuple[str, ...]
    """Revoked serials, 16 hex digits each, ascending."""
    _raw: _native.RawRevocationList

    def __init__(self) -> None:
        raise TypeError("use RevocationList.read(data, trust)")

    @classmethod
    def read(
        cls,
        data: Union[str, bytes],
        trust: TrustStore,
        *,
        installed_sequence: Optional[int] = None,
    ) -> RevocationList:
        """Reads and verifies a list in text form (str) or file form (bytes, ``GLPI-RL\\n``...).

        With ``installed_sequence``, an older list is refused (``revocation-list-rollback``).
        """
        store = _store(trust, True)
        installed = None if installed_sequence is None else _u64(installed_sequence, "installed_sequence")
        if isinstance(data, str):
            text, file = data, None
        elif isinstance(data, (bytes, bytearray, memoryview)):
            text, file = None, bytes(data)
        else:
            raise _argument("a revocation list is a str (text form) or bytes (file form)")
        try:
            raw, facts = _native.read_revocation_list(text, file, store, installed)
        except _native.Failure as f:
            raise _raise_from(f) from None
        self = object.__new__(cls)
        self._raw = raw
        self.issuer_key_id = facts["issuer_key_id"]
        self.sequence = facts["sequence"]
        self.issued_at = facts["issued_at"]
        self.next_update = facts["next_update"]
        self.serials = tuple(facts["serials"])
        return self

    def __contains__(self, serial: object) -> bool:
        return isinstance(serial, str) and self.contains(serial)

    def contains(self, serial: str) -> bool:
        """Whether this list revokes the serial (16 hex digits) or short ID (``GLPI-…-…``)."""
        _text(serial, "the serial")
        try:
            return self._raw.contains(serial)
        except _native.Failure as f:
            raise _raise_from(f) from None

    def to_file_bytes(self) -> bytes:
        """The list in file form (``GLPI-RL\\n``, then the signed body)."""
        return self._raw.file_bytes()

    def __repr__(self) -> str:
        return f"<RevocationList {self.sequence} by {self.issuer_key_id}: {len(self.serials)} serials>"


def verify(
    text: str,
    trust: TrustStore,
    *,
    kind: KeyKind,
    now: Optional[Time] = None,
    instance: Optional[str] = None,
    accept_any_instance_unchecked: bool = False,
    glpi_version: Optional[str] = None,
    grace_seconds: int = 0,
    clock_tolerance_seconds: Optional[int] = None,
    revocations: Optional[RevocationList] = None,
) -> License:
    """Verifies a key offline (strict Ed25519, then the claims) and returns the license.

    ``kind`` is required. ``instance`` is this GLPI instance's UUID: a key bound to an instance is
    refused (``instance-required``) when it is not given, unless ``accept_any_instance_unchecked``
    says the binding is checked elsewhere. ``now`` defaults to the system clock. Raises
    ``GlpiKeyError``.
    """
    _text(text, "the key")
    store = _store(trust, True)
    if kind not in ("instance-registration", "agent-enrollment"):
        raise _argument('kind is required: "instance-registration" or "agent-enrollment" (no default)')
    seconds = _seconds(int(time.time()) if now is None else now, "now")
    if instance is not None:
        _text(instance, "instance")
    if glpi_version is not None:
        _text(glpi_version, "glpi_version")
    grace = _u64(grace_seconds, "grace_seconds")
    tolerance = None if clock_tolerance_seconds is None else _u64(clock_tolerance_seconds, "clock_tolerance_seconds")
    raw_list = None
    if revocations is not None:
        if not isinstance(revocations, RevocationList):
            raise _argument("revocations must be a RevocationList")
        raw_list = revocations._raw
    try:
        d = _native.verify(
            text,
            store,
            kind,
            seconds,
            instance,
            bool(accept_any_instance_unchecked),
            glpi_version,
            grace,
            tolerance,
            raw_list,
        )
    except _native.Failure as f:
        raise _raise_from(f) from None
    return License(
        claims=_claims(d["claims"]),
        issuer_key_id=d["issuer_key_id"],
        status=d["status"],
        grace_until=d["grace_until"],
        warning=d["warning"],
    )


@dataclass(frozen=True)
class InstalledListInfo:
    """What a site remembers of the list installed from one issuer key."""

    issuer_key_id: str
    sequence: int
    issued_at: int
    next_update: Optional[int]
    serials: int
    """How many serials it revokes."""


@dataclass(frozen=True)
class InstallOutcome:
    """The result of ``Site.install_revocations``."""

    outcome: Literal["installed", "unchanged"]
    """``unchanged``: this very list was already installed (nothing changed)."""
    list: InstalledListInfo


@dataclass(frozen=True)
class SiteVerdict:
    """A key accepted by a site."""

    license: License
    checked_at: int
    """The site's time the key was checked at (its clock mark)."""
    warnings: Tuple[str, ...]
    """Sorted: ``in-grace``, ``instance-not-checked``, ``list-update-due``, ``no-revocation-list``."""
    list_update_due: Optional[int]
    """With ``list-update-due``: the announced next update that has passed."""


@dataclass(frozen=True)
class SiteTrustedKey:
    """One trusted issuer key of a site."""

    key_id: str
    public_key: str
    """64 hex digits."""
    valid_from: Optional[int]
    valid_until: Optional[int]
    distrusted_from: Optional[int]
    """From this site time on, nothing signed by the key is honoured."""
    list: Optional[InstalledListInfo]


@dataclass(frozen=True)
class SiteStatus:
    """A site's state."""

    grace_seconds: int
    clock_tolerance_seconds: int
    clock_mark: Optional[int]
    """The latest time the site has seen; None before its first operation."""
    trust: Tuple[SiteTrustedKey, ...]
    superseded: Tuple[Tuple[str, str], ...]
    """``(serial, by)`` pairs (16 hex digits each), serials increasing."""


def _verdict(d: Mapping[str, Any]) -> SiteVerdict:
    lic = d["license"]
    return SiteVerdict(
        license=License(
            claims=_claims(lic["claims"]),
            issuer_key_id=lic["issuer_key_id"],
            status=lic["status"],
            grace_until=lic["grace_until"],
            warning=lic["warning"],
        ),
        checked_at=d["checked_at"],
        warnings=tuple(d["warnings"]),
        list_update_due=d["list_update_due"],
    )


def _status(d: Mapping[str, Any]) -> SiteStatus:
    return SiteStatus(
        grace_seconds=d["grace_seconds"],
        clock_tolerance_seconds=d["clock_tolerance_seconds"],
        clock_mark=d["clock_mark"],
        trust=tuple(
            SiteTrustedKey(**{**t, "list": InstalledListInfo(**t["list"]) if t["list"] else None})
            for t in d["trust"]
        ),
        superseded=tuple((a, b) for a, b in d["superseded"]),
    )


def _site_check(kind: object, instance: Optional[str], glpi_version: Optional[str]) -> None:
    if kind not in ("instance-registration", "agent-enrollment"):
        raise _argument('kind is required: "instance-registration" or "agent-enrollment" (no default)')
    if instance is not None:
        _text(instance, "instance")
    if glpi_version is not None:
        _text(glpi_version, "glpi_version")


def _trusted_key_args(key: Union[bytes, str, TrustedKey]) -> Tuple[bytes, Optional[int], Optional[int]]:
    valid_from = valid_until = None
    if isinstance(key, TrustedKey):
        if key.valid_from is not None:
            valid_from = _seconds(key.valid_from, "valid_from")
        if key.valid_until is not None:
            valid_until = _seconds(key.valid_until, "valid_until")
        key = key.public_key
    return _public_key(key), valid_from, valid_until


def _now(now: Optional[Time]) -> int:
    return _seconds(int(time.time()) if now is None else now, "now")


class Site:
    """The offline site of spec/SITE.md: one verifier with the whole policy and its own state.

    The clock guard, revocation lists with one sequence per issuer key, issuer key distrust,
    supersession, the required kind and the instance binding are all the core's. The caller
    stores the state: ``to_bytes()`` (the core's record) and ``installed_lists()`` (the
    installed lists' files), whenever ``changed`` -- refused operations included, since the
    clock mark moves forward on them too.
    """

    _raw: _native.RawSite

    def __init__(self) -> None:
        raise TypeError("use Site.create(trust, ...) or Site.from_bytes(state, lists)")

    @classmethod
    def _wrap(cls, raw: _native.RawSite) -> Site:
        site = object.__new__(cls)
        site._raw = raw
        return site

    @classmethod
    def create(cls, trust: TrustStore, *, grace_seconds: int = 0, clock_tolerance_seconds: int = 0) -> Site:
        """A new site trusting the keys of ``trust``."""
        store = _store(trust, True)
        grace = _u64(grace_seconds, "grace_seconds")
        tolerance = _u64(clock_tolerance_seconds, "clock_tolerance_seconds")
        return cls._wrap(_native.RawSite.create(store, grace, tolerance))

    @classmethod
    def from_bytes(cls, state: bytes, lists: Iterable[bytes] = ()) -> Site:
        """A site from its stored record and installed lists. Damage is an error, never a reset."""
        if not isinstance(state, (bytes, bytearray, memoryview)):
            raise _argument("the site state is bytes")
        files = [bytes(x) for x in lists]
        try:
            return cls._wrap(_native.RawSite.from_bytes(bytes(state), files))
        except _native.Failure as f:
            raise _raise_from(f) from None

    def to_bytes(self) -> bytes:
        """The state record to store (spec/SITE.md section 7)."""
        return self._raw.save()

    def installed_lists(self) -> list[bytes]:
        """The installed lists in file form, to store with the record."""
        return self._raw.list_files()

    @property
    def changed(self) -> bool:
        """Whether the state differs from the record last taken with ``to_bytes`` or loaded."""
        return self._raw.changed()

    def install_revocations(self, data: Union[str, bytes], now: Optional[Time] = None) -> InstallOutcome:
        """Installs a revocation list (text form or file bytes).

        An older list from the same issuer key is refused (``revocation-list-rollback``).
        """
        at = _now(now)
        if isinstance(data, str):
            text, file = data, None
        elif isinstance(data, (bytes, bytearray, memoryview)):
            text, file = None, bytes(data)
        else:
            raise _argument("a revocation list is a str (text form) or bytes (file form)")
        try:
            outcome, info = self._raw.install_revocations(text, file, at)
        except _native.Failure as f:
            raise _raise_from(f) from None
        return InstallOutcome(outcome="installed" if outcome == "installed" else "unchanged", list=InstalledListInfo(**info))

    def verify(
        self,
        text: str,
        *,
        kind: KeyKind,
        now: Optional[Time] = None,
        instance: Optional[str] = None,
        insecure_skip_instance: bool = False,
        glpi_version: Optional[str] = None,
    ) -> SiteVerdict:
        """Verifies a key with the site's whole policy.

        ``kind`` is required. Without ``instance`` a bound key is refused (``instance-required``)
        unless ``insecure_skip_instance`` (warning ``instance-not-checked``).
        """
        _text(text, "the key")
        _site_check(kind, instance, glpi_version)
        at = _now(now)
        try:
            d = self._raw.verify(text, kind, at, instance, bool(insecure_skip_instance), glpi_version)
        except _native.Failure as f:
            raise _raise_from(f) from None
        return _verdict(d)

    def observe_clock(self, now: Optional[Time] = None) -> int:
        """Moves the clock mark forward; refused (``clock-rollback``) when set back."""
        try:
            return self._raw.observe_clock(_now(now))
        except _native.Failure as f:
            raise _raise_from(f) from None

    def distrust(self, key_id: str, from_: Time) -> int:
        """Distrusts an issuer key (8 hex digits) from ``from_`` on; returns the date in force."""
        _text(key_id, "the key id")
        try:
            return self._raw.distrust(key_id, _seconds(from_, "from_"))
        except _native.Failure as f:
            raise _raise_from(f) from None

    def add_trusted_key(self, key: Union[bytes, str, TrustedKey]) -> str:
        """Trusts one more issuer key (a rotation); returns its key id."""
        try:
            return self._raw.add_trusted_key(*_trusted_key_args(key))
        except _native.Failure as f:
            raise _raise_from(f) from None

    def status(self) -> SiteStatus:
        """The state: policy, clock mark, trusted keys with their lists, superseded serials."""
        return _status(self._raw.status())


class SiteDirectory:
    """A site kept in a directory by the core (spec/SITE.md section 6).

    Every operation takes an exclusive lock on the directory, reads the state, acts, and writes
    it back atomically (exclusive temporary file, fsync, rename, directory fsync), so several
    processes (web server workers) can share one site. A damaged state is an error that says
    what to do, never a reset.
    """

    _raw: _native.RawSiteDir

    def __init__(self) -> None:
        raise TypeError("use SiteDirectory.create(path, trust, ...) or SiteDirectory.open(path)")

    @classmethod
    def create(
        cls,
        path: Union[str, os.PathLike[str]],
        trust: TrustStore,
        *,
        grace_seconds: int = 0,
        clock_tolerance_seconds: int = 0,
    ) -> SiteDirectory:
        """Creates a site in ``path`` (refused, ``site-exists``, when it already holds one)."""
        store = _store(trust, True)
        grace = _u64(grace_seconds, "grace_seconds")
        tolerance = _u64(clock_tolerance_seconds, "clock_tolerance_seconds")
        try:
            raw = _native.RawSiteDir.create(os.fspath(path), store, grace, tolerance)
        except _native.Failure as f:
            raise _raise_from(f) from None
        site = object.__new__(cls)
        site._raw = raw
        return site

    @classmethod
    def open(cls, path: Union[str, os.PathLike[str]]) -> SiteDirectory:
        """Opens the site in ``path`` (``not-a-site`` when there is none)."""
        try:
            raw = _native.RawSiteDir.open(os.fspath(path))
        except _native.Failure as f:
            raise _raise_from(f) from None
        site = object.__new__(cls)
        site._raw = raw
        return site

    def install_revocations(self, data: Union[str, bytes], now: Optional[Time] = None) -> InstallOutcome:
        """Installs a revocation list (text form or file bytes) and stores it with the state."""
        at = _now(now)
        if isinstance(data, str):
            raw = data.encode("utf-8")
        elif isinstance(data, (bytes, bytearray, memoryview)):
            raw = bytes(data)
        else:
            raise _argument("a revocation list is a str (text form) or bytes (file form)")
        try:
            outcome, info = self._raw.install_revocations(raw, at)
        except _native.Failure as f:
            raise _raise_from(f) from None
        return InstallOutcome(outcome="installed" if outcome == "installed" else "unchanged", list=InstalledListInfo(**info))

    def verify(
        self,
        text: str,
        *,
        kind: KeyKind,
        now: Optional[Time] = None,
        instance: Optional[str] = None,
        insecure_skip_instance: bool = False,
        glpi_version: Optional[str] = None,
    ) -> SiteVerdict:
        """Verifies a key with the site's whole policy (see ``Site.verify``)."""
        _text(text, "the key")
        _site_check(kind, instance, glpi_version)
        at = _now(now)
        try:
            d = self._raw.verify(text, kind, at, instance, bool(insecure_skip_instance), glpi_version)
        except _native.Failure as f:
            raise _raise_from(f) from None
        return _verdict(d)

    def distrust(self, key_id: str, from_: Time) -> int:
        """Distrusts an issuer key (8 hex digits) from ``from_`` on; returns the date in force."""
        _text(key_id, "the key id")
        try:
            return self._raw.distrust(key_id, _seconds(from_, "from_"))
        except _native.Failure as f:
            raise _raise_from(f) from None

    def add_trusted_key(self, key: Union[bytes, str, TrustedKey]) -> str:
        """Trusts one more issuer key (a rotation); returns its key id."""
        try:
            return self._raw.add_trusted_key(*_trusted_key_args(key))
        except _native.Failure as f:
            raise _raise_from(f) from None

    def status(self) -> SiteStatus:
        """The state as stored in the directory."""
        try:
            return _status(self._raw.status())
        except _native.Failure as f:
            raise _raise_from(f) from None
