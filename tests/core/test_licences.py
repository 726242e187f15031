"""casemgr's own licence, and every dependency's licence read from the installed packages:
nothing GPL or AGPL, and the README's table is the one the command generates."""

import io
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from casemgr.core import licences
from casemgr.core.management.commands import dependency_licences

BASE = Path(settings.BASE_DIR)


def test_casemgr_is_apache_2_0():
    assert "Apache License" in (BASE / "LICENSE").read_text()
    assert "Version 2.0, January 2004" in (BASE / "LICENSE").read_text()
    project = tomllib.loads((BASE / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"


def test_every_installed_dependency_has_a_licence_casemgr_may_use():
    runtime = licences.packages(BASE / "requirements.txt")
    assert {"Django", "celery", "weasyprint", "pikepdf"} <= {p.name for p in runtime}
    everything = runtime + licences.packages(BASE / "requirements-dev.txt")
    assert [p for p in everything if p.verdict == licences.REFUSED] == []


def test_the_readme_table_is_the_generated_one():
    out = io.StringIO()
    call_command("dependency_licences", "--check", stdout=out)
    assert "allows casemgr's Apache-2.0 use" in out.getvalue()
    assert dependency_licences.block() in (BASE / "README.md").read_text()


@pytest.mark.parametrize(
    ("licence", "verdict"),
    [
        ("MIT", "permissive"),
        ("BSD-3-Clause AND 0BSD AND MIT", "permissive"),
        ("LGPL-3.0-only", "weak copyleft, used as published"),
        ("MPL-2.0 AND MIT", "weak copyleft, used as published"),
        ("GPL-3.0-only", "refused"),
        ("AGPL-3.0-only", "refused"),
        ("MIT AND GPL-2.0-or-later", "refused"),
        ("GPL-2.0-or-later OR MIT", "permissive"),
        ("GPL-2.0-or-later OR LGPL-2.1-or-later", "weak copyleft, used as published"),
        ("", "refused"),  # a package that does not say is not taken on trust
        ("Proprietary", "refused"),
    ],
)
def test_what_each_licence_allows(licence, verdict):
    assert licences.Package("p", "1", licence, pinned=True).verdict == verdict


def test_a_refused_licence_fails_the_check(monkeypatch):
    refused = licences.Package("agpl-thing", "1.0", "AGPL-3.0-only", pinned=False)
    real = licences.packages
    monkeypatch.setattr(licences, "packages", lambda path: [*real(path), refused])
    # the README's table lists pinned packages only: an unpinned one is refused all the same
    with pytest.raises(CommandError, match="agpl-thing"):
        call_command("dependency_licences", "--check", stdout=io.StringIO())
