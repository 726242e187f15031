"""Built production sets as a source for evidence_verify (casemgr.evidence.integrity): each
published zip is in the evidence store, under the hash it was built with."""

from __future__ import annotations

from django.db import models

from casemgr.evidence.integrity import Part
from casemgr.matters.models import Matter
from casemgr.productions.models import Production


class ProductionSets:
    label = "productions.Production"

    def records(self, matter: Matter | None) -> models.QuerySet:
        # A production queued, building or failed has published nothing.
        productions = Production.objects.select_related("matter").exclude(storage_key="")
        return productions if matter is None else productions.filter(matter=matter)

    def count(self, matter: Matter | None) -> int:
        return self.records(matter).count()

    def parts(self, record: Production) -> list[Part]:
        return [Part(0, "production", record.storage_key, record.sha256)]

    def describe(self, record: Production) -> str:
        return f"production {record.title!r}, file {record.file_name!r}"

    def matter_of(self, record: Production) -> Matter:
        return record.matter
