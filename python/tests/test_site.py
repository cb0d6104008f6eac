"""The site verifier: every scenario of spec/vectors/site-scenarios.json (spec/SITE.md
section 8), step by step, with the state carried from step to step (and through
to_bytes/from_bytes on ``reopen``), plus the package's own cases."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from pathlib import Path

from glpi_key import GlpiKeyError, Site, SiteDirectory, TrustedKey, TrustStore

from conftest import VECTORS

SCENARIOS = json.loads((VECTORS / "site-scenarios.json").read_text(encoding="utf-8"))


def key_id_of(public_key_hex: str) -> str:
    return TrustStore([public_key_hex]).key_ids[0]


def new_site(block: dict, directory: Path | None = None) -> Site | SiteDirectory:
    trust = TrustStore(
        TrustedKey(SCENARIOS["issuers"][t["issuer"]], t.get("valid_from"), t.get("valid_until"))
        for t in block["trust"]
    )
    policy = dict(grace_seconds=block["grace_secs"], clock_tolerance_seconds=block["clock_tolerance_secs"])
    site: Site | SiteDirectory = (
        Site.create(trust, **policy) if directory is None else SiteDirectory.create(directory, trust, **policy)
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


@pytest.mark.parametrize("store", ["bytes", "directory"])
@pytest.mark.parametrize("scenario", SCENARIOS["scenarios"], ids=lambda s: s["name"])
def test_site_scenario(scenario: dict, store: str, tmp_path: Path) -> None:
    directory = tmp_path / "site" if store == "directory" else None
    site = new_site(scenario["site"], directory)
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
            if isinstance(site, Site):
                site = Site.from_bytes(site.to_bytes(), site.installed_lists())
                assert not site.changed, where
            else:
                assert directory is not None
                site = SiteDirectory.open(directory)
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


# The package's own cases, on the scenarios' keys and lists (issuer B).
B = SCENARIOS["issuers"]["B"]
KEYS = SCENARIOS["keys"]
LISTS = SCENARIOS["lists"]
T = 1814400000
KIND = "instance-registration"


def refused(code: str, f: Callable[..., Any], *args: Any, **kwargs: Any) -> GlpiKeyError:
    with pytest.raises(GlpiKeyError) as e:
        f(*args, **kwargs)
    assert e.value.code == code, e.value.message
    return e.value


def fresh_site() -> Site:
    return Site.create(TrustStore([B]), clock_tolerance_seconds=600)


def test_state_round_trips_with_its_lists() -> None:
    site = fresh_site()
    assert site.changed  # never stored yet
    assert site.to_bytes().startswith(b"GLPISITE")
    assert not site.changed
    assert site.install_revocations(LISTS["b5"], T).outcome == "installed"
    assert site.changed
    assert site.install_revocations(LISTS["b5"], T).outcome == "unchanged"
    refused("revoked", site.verify, KEYS["revoked-by-b5"], kind=KIND, now=T)
    state, lists = site.to_bytes(), site.installed_lists()
    assert len(lists) == 1 and lists[0].startswith(b"GLPI-RL\n")
    again = Site.from_bytes(state, lists)
    assert not again.changed
    assert again.status() == site.status()
    refused("revoked", again.verify, KEYS["revoked-by-b5"], kind=KIND, now=T)
    site.install_revocations(LISTS["b6"], T)
    assert len(site.installed_lists()) == 1
    assert site.status().trust[0].list is not None and site.status().trust[0].list.sequence == 6
    refused("installed-list-missing", Site.from_bytes(state).verify, KEYS["good"], kind=KIND, now=T)


def test_damaged_state_is_an_error_never_a_reset() -> None:
    state = fresh_site().to_bytes()
    refused("site-state-corrupted", Site.from_bytes, state[:-1] + bytes([state[-1] ^ 1]))
    refused("site-state-corrupted", Site.from_bytes, state[:20])
    refused("site-state-corrupted", Site.from_bytes, b"")
    with pytest.raises(GlpiKeyError) as e:
        Site.from_bytes(state[:8] + b"\x02" + state[9:])
    assert e.value.code in ("site-state-version", "site-state-corrupted")
    refused("invalid-argument", Site.from_bytes, "GLPISITE")


def test_clock_mark_kept_on_refusals_not_moved_by_unreadable_keys() -> None:
    site = fresh_site()
    assert site.status().clock_mark is None
    refused("instance-required", site.verify, KEYS["bound"], kind=KIND, now=T)
    assert site.status().clock_mark == T
    key = KEYS["good"]
    typo = key[:20] + ("1" if key[20] == "0" else "0") + key[21:]
    e = refused("checksum", site.verify, typo, kind=KIND, now=T + 100)
    assert e.typo is not None and e.typo.position == 21 and e.typo.confirmed
    assert site.status().clock_mark == T
    refused("clock-rollback", site.verify, key, kind=KIND, now=T - 601)
    assert site.observe_clock(T + 50) == T + 50
    refused("clock-rollback", site.observe_clock, T - 1000)
    refused("clock-rollback", site.install_revocations, "GLPI-nonsense", T - 5000)


def test_site_verify_arguments() -> None:
    site = fresh_site()
    with pytest.raises(TypeError):
        site.verify(KEYS["good"], now=T)  # type: ignore[call-arg]
    refused("invalid-argument", site.verify, KEYS["good"], kind="any", now=T)
    refused("invalid-argument", site.verify, KEYS["bound"], kind=KIND, now=T, instance="x", insecure_skip_instance=True)
    v = site.verify(KEYS["bound"], kind=KIND, now=T, insecure_skip_instance=True)
    assert v.warnings == ("instance-not-checked", "no-revocation-list")
    assert v.checked_at == T
    with pytest.raises(TypeError):
        Site()


def test_distrust_and_rotation() -> None:
    a = SCENARIOS["issuers"]["A"]
    site = fresh_site()
    refused("issuer-key-not-trusted", site.distrust, "00000000", T)
    id_a = site.add_trusted_key(TrustedKey(a, valid_until=1798675200))
    refused("duplicate-trusted-key", site.add_trusted_key, a)
    assert [k.key_id for k in site.status().trust] == [key_id_of(B), id_a]
    assert site.distrust(id_a, T + 10) == T + 10
    assert site.distrust(id_a, T + 99) == T + 10
    assert site.status().trust[1].distrusted_from == T + 10


def test_site_directory(tmp_path: Path) -> None:
    where = tmp_path / "site"
    site = SiteDirectory.create(where, TrustStore([B]), clock_tolerance_seconds=600)
    refused("site-exists", SiteDirectory.create, where, TrustStore([B]))
    refused("not-a-site", SiteDirectory.open, tmp_path / "nothing")
    assert site.install_revocations(LISTS["b5"], T).outcome == "installed"
    assert site.install_revocations(LISTS["b5"].encode(), T).outcome == "unchanged"
    refused("revoked", site.verify, KEYS["revoked-by-b5"], kind=KIND, now=T)
    again = SiteDirectory.open(str(where))
    assert again.status() == site.status()
    assert again.status().clock_mark == T
    v = again.verify(KEYS["good"], kind=KIND, now=T + 60)
    assert v.warnings == () and v.license.claims.tier == "standard"
    refused("clock-rollback", site.verify, KEYS["good"], kind=KIND, now=T - 601)
    state = where / "state"
    data = state.read_bytes()
    state.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    e = refused("site-state-corrupted", SiteDirectory.open, where)
    refused("site-state-corrupted", again.status)
    assert "backup" in e.message or "re-create" in e.message


def test_site_directory_shared_by_processes(tmp_path: Path) -> None:
    """Four processes verify on one site directory at once: none fails, the mark is the latest."""
    import subprocess
    import sys

    where = tmp_path / "site"
    SiteDirectory.create(where, TrustStore([B]), clock_tolerance_seconds=10**6)
    script = (
        "import sys\n"
        "from glpi_key import SiteDirectory\n"
        "site = SiteDirectory.open(sys.argv[1])\n"
        "for i in range(25):\n"
        "    site.verify(sys.argv[2], kind='instance-registration', now=int(sys.argv[3]) + i)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(where), KEYS["good"], str(T + 1000 * n)])
        for n in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert SiteDirectory.open(where).status().clock_mark == T + 3000 + 24
