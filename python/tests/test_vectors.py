"""Every vector of spec/vectors (keys.json and revocation/vectors.txt) through the package."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from glpi_key import GlpiKeyError, RevocationList, TrustStore, parse, verify

from conftest import KEYS, VECTORS


def kind_for(v: dict) -> str:
    """The kind to require: the vector's, else what the key says (the vectors' null is "any")."""
    if v["kind"]:
        return v["kind"]
    if v["claims"]:
        return v["claims"]["kind"]
    try:
        return parse(v["key"]).unverified_kind
    except GlpiKeyError:
        return "instance-registration"


def expected_claims(c: dict) -> dict:
    out = dict(c)
    out["entitlements"] = tuple(c["entitlements"])
    out["glpi_versions"] = (
        None if c["glpi_versions"] is None else (c["glpi_versions"]["min"], c["glpi_versions"]["max"])
    )
    out["extensions"] = tuple((e["tag"], bytes.fromhex(e["value_hex"])) for e in c["extensions"])
    return out


@pytest.mark.parametrize("v", KEYS["vectors"], ids=lambda v: v["name"])
def test_key_vector(v: dict, trust: TrustStore) -> None:
    options = dict(kind=kind_for(v), now=v["now"], glpi_version=v["glpi_version"])
    # The vectors check no binding unless they give an instance; say so explicitly.
    if v["instance"]:
        options["instance"] = v["instance"]
    else:
        options["accept_any_instance_unchecked"] = True
    if v["expect"] == "valid":
        license = verify(v["key"], trust, **options)
        assert license.status == "active"
        assert license.issuer_key_id == KEYS["trust"][0]["key_id"]
        assert asdict(license.claims) == expected_claims(v["claims"])
    else:
        with pytest.raises(GlpiKeyError) as e:
            verify(v["key"], trust, **options)
        assert e.value.code == v["expect"]
        if v["message"] is not None:
            assert e.value.message == v["message"]
            assert str(e.value) == v["message"]


REVOCATION = VECTORS / "revocation"
LINES = (REVOCATION / "vectors.txt").read_text(encoding="utf-8").splitlines()
LIST_TRUST_HEX = [line[len("# trust ") :].strip() for line in LINES if line.startswith("# trust ")]
REVOCATION_VECTORS = [
    dict(zip(("name", "kind", "file", "installed", "now", "expect", "description"), line.split("\t")))
    for line in LINES
    if line.strip() and not line.startswith("#")
]


def read_list_file(name: str) -> str | bytes:
    path = REVOCATION / name
    return path.read_text(encoding="utf-8") if name.endswith(".txt") else path.read_bytes()


def test_revocation_vectors_are_there() -> None:
    assert len([v for v in REVOCATION_VECTORS if v["kind"] == "list"]) >= 10
    assert len([v for v in REVOCATION_VECTORS if v["kind"] == "key"]) >= 3


@pytest.mark.parametrize("v", REVOCATION_VECTORS, ids=lambda v: v["name"])
def test_revocation_vector(v: dict) -> None:
    trust = TrustStore(LIST_TRUST_HEX)
    if v["kind"] == "list":
        installed = None if v["installed"] == "-" else int(v["installed"])

        def run():
            return RevocationList.read(read_list_file(v["file"]), trust, installed_sequence=installed)
    else:
        revocations = RevocationList.read(read_list_file(v["installed"]), trust)
        key = read_list_file(v["file"])

        def run():
            return verify(
                key,
                trust,
                kind="instance-registration",
                now=int(v["now"]),
                accept_any_instance_unchecked=True,
                revocations=revocations,
            )

    if v["expect"] == "valid":
        result = run()
        if v["kind"] == "list":
            assert isinstance(result, RevocationList)
            # Every valid list vector revokes serials, except the one that is empty on purpose.
            assert (len(result.serials) == 0) == (v["name"] == "valid-empty")
            assert result.issuer_key_id == KEYS["trust"][0]["key_id"]
        else:
            assert result.status == "active"
    else:
        with pytest.raises(GlpiKeyError) as e:
            run()
        assert e.value.code == v["expect"]
