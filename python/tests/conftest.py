"""Shared data: spec/vectors of the repository (two levels up from this file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glpi_key import TrustStore

VECTORS = Path(__file__).resolve().parents[2] / "spec" / "vectors"
KEYS = json.loads((VECTORS / "keys.json").read_text(encoding="utf-8"))
INSTANCE = "5c9e8f4a-3b2d-4e1f-9a8b-7c6d5e4f3a2b"
NOW = 1811808000


def vector(name: str) -> dict:
    return next(v for v in KEYS["vectors"] if v["name"] == name)


@pytest.fixture
def trust() -> TrustStore:
    return TrustStore(t["public_key_hex"] for t in KEYS["trust"])


@pytest.fixture
def sample() -> str:
    return (VECTORS / "sample-standard.key").read_text(encoding="utf-8")
