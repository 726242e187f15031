import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casemgr.access.models import Clearance
from tests.evidence import files


@pytest.fixture
def upload(api, world, django_capture_on_commit_callbacks):
    """POST one file through the API as `user` (default: the paralegal), and run what it
    queues on commit (its rendition), as a worker would."""

    def send(content: bytes, name: str, user=None, **fields):
        client = api(user or world.paralegal)
        data = {"file": SimpleUploadedFile(name, content), **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/api/matters/{world.matter.pk}/exhibits/upload/", data, format="multipart"
            )

    return send


@pytest.fixture
def aeo_exhibit(upload, world):
    """An attorneys'-eyes-only exhibit in the shared matter, uploaded by the partner."""
    response = upload(
        files.pdf(text="Model weights summary"),
        "weights.pdf",
        user=world.partner,
        designation=int(Clearance.AEO),
        prefix="AEO",
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def new_exhibits(upload):
    """`new_exhibits(n)`: the ids of n exhibits just uploaded by the paralegal, from doc0.pdf,
    doc1.pdf… in that order."""

    def make(count=3):
        return [
            upload(files.pdf(text=f"Doc {n}"), f"doc{n}.pdf").json()["id"] for n in range(count)
        ]

    return make
