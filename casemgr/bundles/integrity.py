"""Built bundles as a source for evidence_verify (casemgr.evidence.integrity): each published
version's PDF is in the evidence store beside the exhibits, under the hash it was built with."""

from __future__ import annotations

from django.db import models

from casemgr.bundles.models import Version
from casemgr.evidence.integrity import Part
from casemgr.matters.models import Matter


class BundleVersions:
    label = "bundles.Version"

    def records(self, matter: Matter | None) -> models.QuerySet:
        # A version that is queued, building or failed has published nothing.
        versions = Version.objects.select_related("bundle__matter").exclude(storage_key="")
        return versions if matter is None else versions.filter(bundle__matter=matter)

    def count(self, matter: Matter | None) -> int:
        return self.records(matter).count()

    def parts(self, record: Version) -> list[Part]:
        return [Part(0, "bundle", record.storage_key, record.sha256)]

    def describe(self, record: Version) -> str:
        return f"bundle {record.bundle} v{record.number}, file {record.file_name!r}"

    def matter_of(self, record: Version) -> Matter:
        return record.bundle.matter
