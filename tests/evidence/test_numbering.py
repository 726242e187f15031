"""Numbering uploads: the files of one drop take their numbers in the order they were
dropped, whatever order they arrive in, and never the same number twice."""

import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from casemgr.access.models import AuditEvent
from casemgr.evidence.models import Exhibit
from tests.evidence import files
from tests.evidence.pages import edit_post


def send(client, world, name: str, batch: str, position: int, prefix: str = "NWA"):
    return client.post(
        f"/api/matters/{world.matter.pk}/exhibits/upload/",
        {
            "file": SimpleUploadedFile(name, files.pdf(text=name)),
            "prefix": prefix,
            "batch": batch,
            "position": position,
        },
        format="multipart",
    )


def references_by_name() -> dict[str, str]:
    return {
        e.files.get().original_name: e.reference for e in Exhibit.objects.prefetch_related("files")
    }


def test_files_of_a_drop_are_numbered_in_drop_order_whatever_order_they_arrive(api, world):
    client = api(world.paralegal)
    batch = str(uuid.uuid4())
    # Dropped as 0…3; the small ones finish uploading first.
    for position in [2, 0, 3, 1]:
        response = send(client, world, f"file{position}.pdf", batch, position)
        assert response.status_code == 201, response.content
    assert references_by_name() == {
        "file0.pdf": "NWA-1",
        "file1.pdf": "NWA-2",
        "file2.pdf": "NWA-3",
        "file3.pdf": "NWA-4",
    }
    moved = AuditEvent.objects.filter(action="update", object_type="evidence.Exhibit")
    assert moved.exists()  # every number a file gave up is in the audit trail
    assert all("drop" in event.detail["reason"] for event in moved)


def test_a_refused_file_leaves_no_gap_and_others_numbers_are_not_moved(api, world):
    client = api(world.paralegal)
    batch = str(uuid.uuid4())
    assert send(client, world, "b.pdf", batch, 2).status_code == 201  # NWA-1
    # Somebody else's upload between two files of the batch keeps its number.
    other = api(world.partner).post(
        f"/api/matters/{world.matter.pk}/exhibits/upload/",
        {"file": SimpleUploadedFile("other.pdf", files.pdf(text="other")), "prefix": "NWA"},
        format="multipart",
    )
    assert other.json()["reference"] == "NWA-2"
    refused = client.post(
        f"/api/matters/{world.matter.pk}/exhibits/upload/",
        {
            "file": SimpleUploadedFile("tool.exe", b"MZ" + b"\0" * 100),
            "prefix": "NWA",
            "batch": batch,
            "position": 1,
        },
        format="multipart",
    )
    assert refused.status_code == 415
    assert send(client, world, "a.pdf", batch, 0).status_code == 201
    assert references_by_name() == {"a.pdf": "NWA-1", "other.pdf": "NWA-2", "b.pdf": "NWA-3"}


def test_an_exhibit_whose_details_were_saved_is_not_moved_by_a_late_file(api, client, world):
    uploader = api(world.paralegal)
    batch = str(uuid.uuid4())
    later = send(uploader, world, "later.pdf", batch, 1).json()
    client.force_login(world.paralegal)
    edit_post(client, later["id"], world.matter, {"title": "Reviewed already"})
    send(uploader, world, "retried.pdf", batch, 0)  # a retry of a file that failed
    assert references_by_name() == {"later.pdf": "NWA-1", "retried.pdf": "NWA-2"}


def test_one_batch_is_one_sequence_per_prefix(api, world):
    client = api(world.paralegal)
    batch = str(uuid.uuid4())
    send(client, world, "ma-late.pdf", batch, 3, prefix="MA")
    send(client, world, "nwa.pdf", batch, 1)
    send(client, world, "ma-early.pdf", batch, 0, prefix="MA")
    assert references_by_name() == {
        "ma-early.pdf": "MA-1",
        "ma-late.pdf": "MA-2",
        "nwa.pdf": "NWA-1",
    }


def test_another_members_batch_is_never_reordered_by_mine(api, world):
    batch = str(uuid.uuid4())  # the same key sent by two members: each has their own sequence
    send(api(world.partner), world, "partner.pdf", batch, 5)
    send(api(world.paralegal), world, "paralegal.pdf", batch, 0)
    assert references_by_name() == {"partner.pdf": "NWA-1", "paralegal.pdf": "NWA-2"}


def test_a_position_needs_its_batch(api, world):
    response = api(world.paralegal).post(
        f"/api/matters/{world.matter.pk}/exhibits/upload/",
        {"file": SimpleUploadedFile("a.pdf", files.pdf()), "position": 2},
        format="multipart",
    )
    assert response.status_code == 400
    assert "batch" in response.json()


@pytest.mark.django_db(transaction=True)
def test_files_sent_at_the_same_moment_get_distinct_numbers_in_drop_order(world):
    """Six uploads of one drop racing each other, each on its own connection: the matter's
    row lock, not the order they arrive in, decides, and no number is given twice."""
    batch = str(uuid.uuid4())
    start = threading.Barrier(6)
    answers: dict[int, int] = {}

    def upload(position: int) -> None:
        try:
            browser = Client()
            browser.force_login(world.paralegal)
            start.wait(timeout=30)
            response = browser.post(
                f"/api/matters/{world.matter.pk}/exhibits/upload/",
                {
                    "file": SimpleUploadedFile(f"f{position}.pdf", files.pdf(text=f"f{position}")),
                    "prefix": "NWA",
                    "batch": batch,
                    "position": str(position),
                },
            )
            answers[position] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(p,)) for p in reversed(range(6))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == dict.fromkeys(range(6), 201)
    assert references_by_name() == {f"f{n}.pdf": f"NWA-{n + 1}" for n in range(6)}
