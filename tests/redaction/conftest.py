"""Fixtures of the redaction workflow's tests (tests/redaction/making.py)."""

import pytest

from tests.redaction.making import FakeEngine, exhibit_file, install


@pytest.fixture
def fake(monkeypatch) -> FakeEngine:
    """The engine stood in for: the workflow, not what the engine removes, is under test."""
    return install(monkeypatch, FakeEngine())


@pytest.fixture
def memo(world):
    """A two-page PDF exhibit with its rendition ready."""
    return exhibit_file(world)
