"""evidence_verify reads every published production zip and names one whose bytes changed."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.evidence import files

pytestmark = pytest.mark.django_db


def test_an_altered_production_is_named_by_evidence_verify(world, add_exhibit, produce, tmp_path):
    production = produce(add_exhibit(files.pdf(text="verified"), "verified.pdf"))
    state = ["--state", str(tmp_path / "state.json")]
    call_command("evidence_verify", *state, stdout=StringIO(), stderr=StringIO())

    Path(default_storage.path(production.storage_key)).write_bytes(b"PK not the set produced")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("evidence_verify", *state, stdout=out, stderr=StringIO())

    assert f"ALTERED {production.storage_key}: productions.Production {production.pk}" in (
        out.getvalue()
    )
    assert f"production 'Tranche', file '{production.file_name}'" in out.getvalue()
