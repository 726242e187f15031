"""Evidence in a real S3-compatible object store (moto's standalone server on loopback, a
process of its own), with the web process (this one) and the worker each given a MEDIA_ROOT
of its own: anything that passed between them through a shared disk would be lost. Upload,
the rendition made on the worker, preview and download with the hash checked, a tampered
object refused, and a bundle built on the worker and downloaded."""

from __future__ import annotations

import hashlib
import io
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import pikepdf
import pytest
import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casemgr.bundles import services as bundles
from casemgr.bundles.models import Version
from casemgr.evidence.models import ExhibitFile
from tests.bundles.making import bundle_of
from tests.evidence import files
from tests.worker_process import Worker, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MOTO = Path(sys.executable).parent / "moto_server"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "casemgr-test",
    "AWS_SECRET_ACCESS_KEY": "casemgr-test-secret",
    "AWS_DEFAULT_REGION": "eu-west-2",
}


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w+")
    process = subprocess.Popen(
        [str(MOTO), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    until = time.monotonic() + 30
    while True:
        try:
            requests.get(url, timeout=1)
            break
        except requests.ConnectionError:
            assert process.poll() is None and time.monotonic() < until, log.seek(0) or log.read()
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings, monkeypatch, tmp_path):
    """A fresh bucket, and this (web) process storing evidence in it, with a MEDIA_ROOT of
    its own that nothing should be written to."""
    settings.MEDIA_ROOT = str(tmp_path / "web-media")
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"casemgr-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server)
    client.create_bucket(
        Bucket=name,
        CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["AWS_DEFAULT_REGION"]},
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_server,
                "default_acl": "private",
                "querystring_auth": True,
            },
        },
    }
    return name, client


def _upload(api, world, content: bytes, name: str) -> ExhibitFile:
    """Through the API, as the paralegal: the stored file."""
    response = api(world.paralegal).post(
        f"/api/matters/{world.matter.pk}/exhibits/upload/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return ExhibitFile.objects.get(exhibit_id=response.json()["id"])


def _keys(bucket) -> set[str]:
    name, client = bucket
    listing = client.list_objects_v2(Bucket=name)
    return {item["Key"] for item in listing.get("Contents", [])}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _files_under(folder: str | Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def test_evidence_lives_in_the_object_store_from_upload_to_bundle(
    bucket, s3_server, world, api, client, tasks_via_redis, tmp_path
):
    worker_media = tempfile.mkdtemp(prefix="casemgr-worker-media-")
    env = {
        **worker_env(),
        **CREDENTIALS,
        "MEDIA_ROOT": worker_media,
        "AWS_STORAGE_BUCKET_NAME": bucket[0],
        "AWS_S3_ENDPOINT_URL": s3_server,
    }
    original = files.pdf(pages=3, text="Teacher logits harvested through the API")
    with Worker(env=env, folder=tmp_path, queues="default,bundles", beat=False) as worker:
        worker.start()

        # Upload through the API: stored in the bucket under its hash, nothing on a disk.
        stored = _upload(api, world, original, "logits.pdf")
        assert stored.storage_key in _keys(bucket)

        # The rendition is made by the worker, from the bucket, into the bucket.
        row = ExhibitFile.objects.filter(pk=stored.pk)
        ready = worker.wait_until(
            lambda: row.filter(rendition=ExhibitFile.Rendition.READY).exists(),
            seconds=90,
            every=0.1,
        )
        assert ready, f"no rendition: {row.values('rendition', 'rendition_error').first()}"
        stored.refresh_from_db()
        assert stored.rendition_key in _keys(bucket)
        assert stored.pages.count() == 3  # its page text, read by the worker

        # Preview and download from the bucket, each with its hash checked on the way.
        client.force_login(world.paralegal)
        matter = world.matter.pk
        preview = client.get(reverse("evidence:file_preview", args=[matter, stored.pk]))
        assert preview.status_code == 200
        assert hashlib.sha256(_body(preview)).hexdigest() == stored.rendition_sha256
        download = client.get(reverse("evidence:file_download", args=[matter, stored.pk]))
        assert download.status_code == 200 and _body(download) == original

        # A bundle of it, built by the worker and published to the bucket.
        bundle = bundle_of(world, stored.exhibit)
        version = bundles.version_request(bundle=bundle, actor=world.paralegal)
        built = worker.wait_until(
            lambda: Version.objects.filter(pk=version.pk, status=Version.Status.READY).exists(),
            seconds=120,
            every=0.2,
        )
        assert built, Version.objects.filter(pk=version.pk).values().first()
        version.refresh_from_db()
        assert version.storage_key in _keys(bucket)
        pdf = client.get(
            reverse("bundles:version_download", args=[matter, bundle.pk, version.number])
        )
        assert pdf.status_code == 200
        content = _body(pdf)
        assert hashlib.sha256(content).hexdigest() == version.sha256
        with pikepdf.open(io.BytesIO(content)) as opened:
            assert len(opened.pages) > 3  # cover and index before the exhibit's pages

    # Nothing passed through either process's disk.
    assert _files_under(worker_media) == []
    assert _files_under(settings.MEDIA_ROOT) == []


def test_an_object_changed_in_the_store_is_refused(bucket, world, api, client):
    original = files.pdf(text="Rate-limit evasion log")
    stored = _upload(api, world, original, "log.pdf")
    name, s3 = bucket
    s3.put_object(
        Bucket=name, Key=stored.storage_key, Body=original + b"\n% one line added after upload\n"
    )

    client.force_login(world.paralegal)
    refused = client.get(reverse("evidence:file_download", args=[world.matter.pk, stored.pk]))
    assert refused.status_code == 500
    assert b"failed its integrity check" in refused.content
