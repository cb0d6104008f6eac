"""The package's API beyond the vectors: typo location, the required kind, the instance
binding, grace, the clock tolerance, arguments, trust stores and revocation lists."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

import glpi_key
from glpi_key import (
    GlpiKeyError,
    RevocationList,
    TrustedKey,
    TrustStore,
    Typo,
    correct,
    parse,
    verify,
)

from conftest import INSTANCE, KEYS, NOW, VECTORS, vector

KIND = "instance-registration"


def refused(code: str, f, *args, **kwargs) -> GlpiKeyError:
    with pytest.raises(GlpiKeyError) as e:
        f(*args, **kwargs)
    assert e.value.code == code, e.value.message
    return e.value


def test_sample_key_verifies_for_its_instance(trust, sample) -> None:
    lic = verify(sample, trust, kind=KIND, instance=INSTANCE, now=NOW)
    assert lic.status == "active"
    assert lic.claims.owner == "ACME Corp"
    assert lic.claims.tier == "standard"
    assert lic.claims.short_id == "GLPI-28T5CY4TQKFF-ZNJMKB"
    assert lic.claims.entitlements == ("marketplace", "network-plugins", "l3-support")
    assert lic.grace_until is None and lic.warning is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        lic.claims.tier = "advanced"  # type: ignore[misc]


def test_now_as_datetime_or_default(trust, sample) -> None:
    at = datetime.fromtimestamp(NOW + 0.9, tz=timezone.utc)
    assert verify(sample, trust, kind=KIND, instance=INSTANCE, now=at).status == "active"
    # Default: the system clock (the sample key is valid from 2026-11-02 to 2031-01-01).
    if datetime(2026, 11, 2, tzinfo=timezone.utc) < datetime.now(timezone.utc) < datetime(2031, 1, 1, tzinfo=timezone.utc):
        assert verify(sample, trust, kind=KIND, instance=INSTANCE).status == "active"
    refused("invalid-argument", verify, sample, trust, kind=KIND, instance=INSTANCE, now=datetime(2027, 1, 1))
    refused("invalid-argument", verify, sample, trust, kind=KIND, instance=INSTANCE, now=-1)
    refused("invalid-argument", verify, sample, trust, kind=KIND, instance=INSTANCE, now=1.5)
    refused("invalid-argument", verify, sample, trust, kind=KIND, instance=INSTANCE, now=True)


def test_typo_is_located_and_confirmed_by_the_signature(trust, sample) -> None:
    v = vector("typo-one-symbol")
    e = refused("checksum", verify, v["key"], trust, kind=KIND, instance=INSTANCE, now=NOW)
    assert e.typo == Typo(position=31, group=1, position_in_group=26, found="Q", replacement="C", confirmed=True)
    assert e.message == v["message"]
    e = refused("checksum", parse, v["key"])
    assert e.typo is not None and e.typo.position == 31 and not e.typo.confirmed
    assert correct(v["key"], trust) == sample.strip()
    assert correct(sample, trust) is None
    swapped = vector("typo-adjacent-transposition")["key"]
    assert refused("checksum", parse, swapped, trust).typo is None
    refused("checksum", correct, swapped, trust)


def test_parse_reads_without_verifying(trust, sample) -> None:
    p = parse(vector("valid-standard-grouped-lowercase-wrapped")["key"])
    assert p.unverified_kind == KIND
    assert p.unverified_key_id == "6cea30f2"
    assert p.unverified_short_id == "GLPI-28T5CY4TQKFF-ZNJMKB"
    assert p.text == sample.strip()
    assert parse(p.grouped).text == p.text
    tampered = vector("tampered-tier")["key"]
    assert parse(tampered).unverified_kind == KIND
    refused("bad-signature", verify, tampered, trust, kind=KIND, now=NOW, accept_any_instance_unchecked=True)


def test_kind_is_required_and_checked(trust, sample) -> None:
    with pytest.raises(TypeError):
        verify(sample, trust, instance=INSTANCE, now=NOW)  # type: ignore[call-arg]
    refused("invalid-argument", verify, sample, trust, kind="any", instance=INSTANCE, now=NOW)
    refused("wrong-object-kind", verify, sample, trust, kind="agent-enrollment", instance=INSTANCE, now=NOW)
    agent = vector("valid-agent-enrollment")["key"]
    refused("wrong-object-kind", verify, agent, trust, kind=KIND, now=NOW)
    lic = verify(agent, trust, kind="agent-enrollment", now=NOW)
    assert (lic.claims.entity, lic.claims.max_assets) == (7, 5000)


def test_bound_key_needs_the_instance_or_an_explicit_opt_out(trust, sample) -> None:
    refused("instance-required", verify, sample, trust, kind=KIND, now=NOW)
    refused("wrong-instance", verify, sample, trust, kind=KIND, now=NOW, instance="00000000-0000-4000-8000-000000000001")
    refused("invalid-argument", verify, sample, trust, kind=KIND, now=NOW, instance="not-a-uuid")
    refused("invalid-argument", verify, sample, trust, kind=KIND, now=NOW, instance=INSTANCE, accept_any_instance_unchecked=True)
    assert verify(sample, trust, kind=KIND, now=NOW, accept_any_instance_unchecked=True).claims.instance == INSTANCE
    free = vector("valid-free-perpetual")["key"]
    assert verify(free, trust, kind=KIND, now=NOW).claims.expires_at is None


def test_grace_after_expiry_then_expired(trust, sample) -> None:
    expiry = 1924992000
    lic = verify(sample, trust, kind=KIND, instance=INSTANCE, grace_seconds=86400, now=expiry + 10)
    assert lic.status == "in-grace"
    assert lic.grace_until == expiry + 86400
    assert lic.warning
    refused("expired", verify, sample, trust, kind=KIND, instance=INSTANCE, grace_seconds=86400, now=expiry + 86400)
    refused("expired", verify, sample, trust, kind=KIND, instance=INSTANCE, now=expiry)


def test_clock_tolerance_refuses_keys_issued_after_now(trust, sample) -> None:
    issued = 1793577600
    refused("issued-in-future", verify, sample, trust, kind=KIND, instance=INSTANCE, now=issued - 3600, clock_tolerance_seconds=60)
    refused("not-yet-valid", verify, sample, trust, kind=KIND, instance=INSTANCE, now=issued - 3600)


def test_glpi_version_is_checked_when_given(trust) -> None:
    every = vector("valid-every-claim")["key"]
    lic = verify(every, trust, kind=KIND, instance=INSTANCE, now=NOW, glpi_version="10.0")
    assert lic.claims.glpi_versions == ("10.0", "11.0")
    assert lic.claims.extensions == ((2, bytes.fromhex("cafe01")),)
    refused("unsupported-glpi-version", verify, every, trust, kind=KIND, instance=INSTANCE, now=NOW, glpi_version="11.1")
    refused("invalid-argument", verify, every, trust, kind=KIND, instance=INSTANCE, now=NOW, glpi_version="ten")


def test_trust_stores(sample) -> None:
    pub = KEYS["trust"][0]["public_key_hex"]
    s = TrustStore()
    assert s.key_ids == []
    refused("no-trusted-keys", verify, sample, s, kind=KIND, now=NOW, instance=INSTANCE)
    assert s.add(bytes.fromhex(pub)) == "6cea30f2"
    assert s.key_ids == ["6cea30f2"]
    refused("duplicate-trusted-key", s.add, pub)
    refused("invalid-argument", s.add, "abcd")
    refused("invalid-argument", s.add, "zz" * 32)
    refused("invalid-argument", s.add, b"\0" * 31)
    refused("invalid-argument", verify, sample, None, kind=KIND)
    with pytest.raises(GlpiKeyError) as e:
        TrustStore([b"\0" * 32])
    assert e.value.code.startswith("trusted-key-")
    windowed = TrustStore([TrustedKey(pub, valid_until=datetime(2026, 1, 1, tzinfo=timezone.utc))])
    refused("issuer-key-not-valid", verify, sample, windowed, kind=KIND, now=NOW, instance=INSTANCE)
    wide = TrustStore([TrustedKey(pub, valid_from=0, valid_until=2**40)])
    assert verify(sample, wide, kind=KIND, now=NOW, instance=INSTANCE).status == "active"


def test_wrong_argument_types(trust, sample) -> None:
    refused("invalid-argument", parse, 42)
    refused("invalid-argument", verify, None, trust, kind=KIND)
    refused("invalid-argument", verify, sample, object(), kind=KIND)
    refused("invalid-argument", verify, sample, trust, kind=KIND, now=NOW, instance=INSTANCE, revocations="list")
    refused("invalid-argument", RevocationList.read, 42, trust)
    with pytest.raises(TypeError):
        RevocationList()
    assert isinstance(GlpiKeyError("x", "y"), ValueError)


def test_revocation_lists(trust) -> None:
    text = (VECTORS / "revocation" / "list-15.txt").read_text(encoding="utf-8")
    lst = RevocationList.read(text, trust)
    assert lst.sequence == 15
    assert lst.issuer_key_id == "6cea30f2"
    assert len(lst.serials) == 3 and list(lst.serials) == sorted(lst.serials)
    assert all(s in lst for s in lst.serials)
    assert not lst.contains("0000000000000001")
    refused("not-a-glpi-key", lst.contains, "xyz")
    data = lst.to_file_bytes()
    assert data.startswith(b"GLPI-RL\n")
    assert RevocationList.read(data, trust, installed_sequence=15).serials == lst.serials
    refused("revocation-list-rollback", RevocationList.read, data, trust, installed_sequence=16)
    refused("unknown-issuer", RevocationList.read, text, TrustStore())
    revoked = (VECTORS / "revocation" / "key-revoked.txt").read_text(encoding="utf-8")
    assert parse(revoked).unverified_short_id in lst
    refused("revoked", verify, revoked, trust, kind=KIND, now=1798761600, accept_any_instance_unchecked=True, revocations=lst)


def test_everything_exported_exists() -> None:
    for name in glpi_key.__all__:
        assert hasattr(glpi_key, name), name
