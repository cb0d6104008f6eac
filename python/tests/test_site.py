"""The site verifier: every scenario of spec/vectors/site-scenarios.json (spec/SITE.md
section 8), step by step, with the state carried from step to step (and through
to_bytes/from_bytes on ``reopen``), plus the package's own cases."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from glpi_key import GlpiKeyError, Site, TrustedKey, TrustStore

from conftest import VECTORS

SCENARIOS = json.loads((VECTORS / "site-scenarios.json").read_text(encoding="utf-8"))


def key_id_of(public_key_hex: str) -> str:
    return TrustStore([public_key_hex]).key_ids[0]


def new_site(block: dict) -> Site:
    trust = TrustStore(
        TrustedKey(SCENARIOS["issuers"][t["issuer"]], t.get("valid_from"), t.get("valid_until"))
        for t in block["trust"]
    )
    site = Site.create(
        trust, grace_seconds=block["grace_secs"], clock_tolerance_seconds=block["clock_tolerance_secs"]
    )
    for t in block["trust"]:
        if t.get("distrusted_from") is not None:
            site.distrust(key_id_of(SCENARIOS["issuers"][t["issuer"]]), t["distrusted_from"])
    return site


def outcome(f: Callable[[], Any]) -> tuple[Any, GlpiKeyError | None]:
    try:
        return f(), None
    except GlpiKeyError as e:
        return None, e


def test_scenarios_are_there() -> None:
    assert SCENARIOS["format"] == "glpi-key site scenarios v1"
    assert len(SCENARIOS["scenarios"]) >= 9


@pytest.mark.parametrize("scenario", SCENARIOS["scenarios"], ids=lambda s: s["name"])
def test_site_scenario(scenario: dict) -> None:
    site = new_site(scenario["site"])
    for i, step in enumerate(scenario["steps"], 1):
        where = f"{scenario['name']} step {i} ({step['op']})"
        op = step["op"]
        if op == "install":
            ok, err = outcome(lambda: site.install_revocations(SCENARIOS["lists"][step["list"]], step["now"]))
            if err is not None:
                assert err.code == step["expect"], f"{where}: {err.message}"
            else:
                assert ok.outcome == step["expect"], where
        elif op == "verify":
            ok, err = outcome(
                lambda: site.verify(
                    SCENARIOS["keys"][step["key"]],
                    kind=step["kind"],
                    now=step["now"],
                    instance=step.get("instance"),
                    insecure_skip_instance=bool(step.get("insecure_skip_instance")),
                    glpi_version=step.get("glpi"),
                )
            )
            if err is not None:
                assert err.code == step["expect"], f"{where}: {err.message}"
            else:
                assert step["expect"] == "valid", where
                if "warnings" in step:
                    assert list(ok.warnings) == step["warnings"], where
                if "tier" in step:
                    assert ok.license.claims.tier == step["tier"], where
        elif op == "distrust":
            site.distrust(key_id_of(SCENARIOS["issuers"][step["issuer"]]), step["from"])
            assert step["expect"] == "ok", where
        elif op == "reopen":
            site = Site.from_bytes(site.to_bytes(), site.installed_lists())
            assert not site.changed, where
        elif op == "status":
            s = site.status()
            if "mark" in step:
                assert s.clock_mark == step["mark"], where
            if "sequences" in step:
                by_key = {t.public_key: t for t in s.trust}
                seqs = {
                    name: by_key[hex_.lower()].list.sequence  # type: ignore[union-attr]
                    for name, hex_ in SCENARIOS["issuers"].items()
                    if hex_.lower() in by_key and by_key[hex_.lower()].list is not None
                }
                assert seqs == step["sequences"], where
            if "superseded" in step:
                want = [x if isinstance(x, str) else f"{x:016x}" for x in step["superseded"]]
                assert [old for old, _ in s.superseded] == want, where
        else:
            pytest.fail(f"{where}: unknown op")
