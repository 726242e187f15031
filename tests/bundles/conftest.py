import pytest

from casemgr.access.models import Clearance
from casemgr.bundles import services
from casemgr.bundles.models import Bundle
from casemgr.evidence.services import IncomingFile, exhibit_file_ingest
from tests.evidence import files


@pytest.fixture
def add_exhibit(world, django_capture_on_commit_callbacks):
    """Store a file as a new exhibit of the shared matter and make its PDF rendition, as a
    paralegal's upload and the rendition worker would."""

    def add(
        content: bytes | None = None,
        name: str = "document.pdf",
        *,
        title: str = "",
        designation=Clearance.STANDARD,
        privileged: bool = False,
        user=None,
    ):
        content = content if content is not None else files.pdf(pages=2, text=title or name)
        with (
            IncomingFile.from_bytes(content, name) as incoming,
            django_capture_on_commit_callbacks(execute=True),
        ):
            result = exhibit_file_ingest(
                matter=world.matter,
                uploaded_by=user or world.partner,
                incoming=incoming,
                metadata={"title": title or name, "designation": designation},
            )
        assert result.status == "stored", result.reason
        exhibit = result.exhibit
        if privileged:
            exhibit.privileged = True
            exhibit.save(update_fields=["privileged"])
        return exhibit

    return add


@pytest.fixture
def make_bundle(world):
    def make(audience=Bundle.Audience.ALL_PARTIES, **fields) -> Bundle:
        bundle = Bundle(
            matter=world.matter,
            proceeding=world.proceeding,
            title=fields.pop("title", "Bundle for the CMC"),
            audience=audience,
            **fields,
        )
        return services.bundle_create(bundle=bundle, actor=world.paralegal)

    return make


@pytest.fixture
def build(world, django_capture_on_commit_callbacks):
    """Ask for a version and run its build (eagerly, as the worker would)."""

    def run(bundle, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            version = services.version_request(bundle=bundle, actor=user or world.paralegal)
        version.refresh_from_db()
        return version

    return run
