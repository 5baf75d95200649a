"""Helpers shared by the real-browser tests (the browser, server and site fixtures live in tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def site_data(built_site: Path):
    """The JSON downloads of the built site, the same files the compare page fetches."""
    def load(name: str):
        return json.loads((built_site / "data" / name).read_text(encoding="utf-8"))
    return {name: load(f"{name}.json") for name in ("tasks", "documents", "themes", "jurisdictions")}


@pytest.fixture
def errors(page):
    """Uncaught page errors; a test asserts it stays empty."""
    seen: list[str] = []
    page.on("pageerror", lambda exc: seen.append(str(exc)))
    return seen


@pytest.fixture
def page(page, served_site):
    """The shared page, kept off the network: only the served site loads."""
    page.route(lambda url: not url.startswith(served_site), lambda route: route.abort())
    return page
