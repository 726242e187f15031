"""casemgr deployed whole on loopback: gunicorn with three workers and production settings,
a Celery worker for each queue (beat with the mail one), an SMTP server and an S3 server,
each process with a disk of its own (nothing shared but PostgreSQL, Redis and the bucket).

A paralegal's day over HTTP: sign in, upload an exhibit, wait for its rendition, build a
bundle of it and download the PDF, and get a deadline's reminder by e-mail. Then a web worker
and the bundles worker are killed with SIGKILL while they work: the web keeps answering,
every upload ends as exactly one exhibit, the bundle is built and published exactly once,
and the reminder is not sent again.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
import redis
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse
from django.utils import timezone

from casemgr.access.models import Clearance, Role
from casemgr.bundles.models import Version
from casemgr.deadlines.models import Deadline, Reminder
from casemgr.evidence.models import ExhibitFile
from tests.bundles.making import bundle_of
from tests.bundles.test_worker_crash import DOCUMENTS, PAGES_EACH, large_bundle  # noqa: F401 (fixtures)
from tests.core.test_object_store import CREDENTIALS, bucket, s3_server  # noqa: F401 (fixtures)
from tests.deadlines.test_reliability import mailbox  # noqa: F401 (fixtures)
from tests.evidence import files
from tests.factories import member
from tests.gunicorn_process import Gunicorn, production_env
from tests.waiting import wait_for
from tests.worker_process import Worker, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-day-at-the-bundles"
QUEUES = ("default", "mail", "bundles", "analysis")
# Uploads going at once while a web worker is killed: one for each worker, so that the one
# killed is most likely in the middle of one.
UPLOADERS = 3
UPLOADS_EACH = 4


class Browser(requests.Session):
    """The paralegal's browser as gunicorn sees it through the proxy: over HTTPS (the
    trusted X-Forwarded-Proto), from the site's own pages (Origin, for the CSRF check), with
    the CSRF token the pages' script sends. The proxy ends TLS, so the Secure cookies reach
    gunicorn over plain HTTP: sent by hand, as requests keeps them for https:// URLs."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        origin = base.replace("http://", "https://")
        self.headers.update({"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin})

    def request(self, method, path, **kwargs):
        headers = {
            "Cookie": "; ".join(f"{c.name}={c.value}" for c in self.cookies),
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        } | kwargs.pop("headers", {})
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, self.base + path, headers=headers, **kwargs)

    def tab(self) -> Browser:
        """Another tab of the same browser, signed in alike, for requests made at once."""
        other = Browser(self.base)
        other.cookies.update(self.cookies)
        return other

    def sign_in(self, username: str, password: str) -> None:
        assert self.get("/accounts/login/").status_code == 200
        signed_in = self.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
            },
        )
        assert signed_in.status_code == 302, signed_in.text[:2000]
        assert self.get(signed_in.headers["Location"]).status_code == 200

    def upload(self, matter_pk: int, content: bytes, name: str) -> requests.Response:
        return self.post(
            f"/api/matters/{matter_pk}/exhibits/upload/",
            files={"file": (name, content, "application/pdf")},
        )

    def form_post(self, path: str) -> requests.Response:
        return self.post(path, data={"csrfmiddlewaretoken": self.cookies["csrftoken"]})

    def poll(self, path: str, done, *, seconds: float) -> dict:
        """The JSON at `path` once `done(json)` holds; the last one seen if it never does."""
        until = time.monotonic() + seconds
        while True:
            answer = self.get(path)
            assert answer.status_code == 200, answer.text[:2000]
            state = answer.json()
            if done(state) or time.monotonic() > until:
                return state
            time.sleep(0.2)


def _keys(bucket, prefix: str) -> list[str]:  # noqa: F811 (the fixture's value)
    name, client = bucket
    listing = client.list_objects_v2(Bucket=name, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def _reminder_due_now(world) -> Reminder:
    """A deadline a week off, whose reminder to the paralegal is due now."""
    due_date = timezone.localdate() + timedelta(days=7)
    deadline = Deadline.objects.create(
        proceeding=world.proceeding,
        title="Serve the trial bundle",
        citation="CPR PD 39A 3.2",
        due_date=due_date,
        designation=Clearance.STANDARD,
    )
    return Reminder.objects.create(
        deadline=deadline,
        user=world.paralegal,
        offset_days=7,
        for_date=due_date,
        send_at=timezone.now(),
    )


class Uploader(threading.Thread):
    """Uploads distinct files one after another while processes are being killed. A request
    whose connection breaks is sent again, as a browser's script would: the server says 409
    if the first attempt had in fact been stored."""

    def __init__(self, browser: Browser, matter_pk: int, first: int) -> None:
        super().__init__(daemon=True)
        self.browser, self.matter_pk = browser, matter_pk
        self.contents = [
            files.pdf(pages=2, text=f"Witness statement {n}")
            for n in range(first, first + UPLOADS_EACH)
        ]
        self.answers: list[int] = []
        self.broken = 0

    def run(self) -> None:
        for n, content in enumerate(self.contents):
            for _ in range(10):
                try:
                    answer = self.browser.upload(self.matter_pk, content, f"statement-{n}.pdf")
                except requests.ConnectionError:
                    self.broken += 1
                    continue
                self.answers.append(answer.status_code)
                break
            time.sleep(0.1)


def test_a_paralegals_day_survives_a_web_worker_and_the_bundle_worker_killed(
    bucket,  # noqa: F811
    s3_server,  # noqa: F811
    mailbox,  # noqa: F811
    large_bundle,  # noqa: F811
    world,
    settings,
):
    inbox, smtp_port = mailbox
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.flushdb()
    # The production hasher: the web processes know nothing of the suite's fast one.
    hasher = PBKDF2PasswordHasher()
    world.paralegal.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    world.paralegal.save(update_fields=["password"])
    member(world.paralegal, large_bundle.matter, Role.PARALEGAL, Clearance.CONFIDENTIAL)

    store = {
        **CREDENTIALS,
        "AWS_STORAGE_BUCKET_NAME": bucket[0],
        "AWS_S3_ENDPOINT_URL": s3_server,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "REMINDER_SWEEP_SECONDS": "1",
    }

    def own_folder(name: str) -> Path:
        # Short, outside pytest's deep tmp_path: a build's sockets live under TEMP_DIR, and
        # an AF_UNIX path has room for about a hundred bytes.
        folder = Path(tempfile.mkdtemp(prefix=f"casemgr-{name}-"))
        folders.append(folder)
        return folder

    folders: list[Path] = []

    web_folder = own_folder("web")
    web_env = {
        **production_env(settings, web_folder, workers=3),
        **store,
        "MEDIA_ROOT": str(web_folder / "media"),
        "TEMP_DIR": str(web_folder / "tmp"),
    }
    workers = {}
    for queue in QUEUES:
        folder = own_folder(queue)
        env = {
            **worker_env(visibility_timeout=4),
            **store,
            "MEDIA_ROOT": str(folder / "media"),
            "TEMP_DIR": str(folder / "tmp"),
        }
        workers[queue] = Worker(env=env, folder=folder, queues=queue, beat=queue == "mail")

    try:
        with Gunicorn(web_env, web_folder) as web:
            # After collectstatic, whose compression would otherwise share the cores with
            # the workers' start.
            for worker in workers.values():
                worker.start()
            browser = Browser(web.base)
            _walk_the_day(browser, world, workers, inbox)
            _kill_mid_work(browser, web, world, workers, inbox, large_bundle, bucket)
    except BaseException:
        for queue, worker in workers.items():
            print(f"--- {queue} worker\n{worker.output()}")
        raise
    finally:
        for worker in workers.values():
            worker.close()
        broker.flushdb()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def _walk_the_day(browser: Browser, world, workers, inbox) -> None:
    matter = world.matter.pk
    browser.sign_in(world.paralegal.username, PASSWORD)

    original = files.pdf(pages=3, text="Expert report on the teacher model")
    uploaded = browser.upload(matter, original, "expert-report.pdf")
    assert uploaded.status_code == 201, uploaded.text
    stored = ExhibitFile.objects.get(exhibit_id=uploaded.json()["id"])
    status = browser.poll(
        reverse("evidence:file_status", args=[matter, stored.pk]),
        lambda state: state["rendition"] != ExhibitFile.Rendition.PENDING,
        seconds=60,
    )
    assert status["rendition"] == ExhibitFile.Rendition.READY, status

    bundle = bundle_of(world, stored.exhibit)
    built = browser.form_post(reverse("bundles:build", args=[matter, bundle.pk]))
    assert built.status_code == 302
    version = browser.poll(
        reverse("bundles:version_status", args=[matter, bundle.pk, 1]),
        lambda state: state["finished"],
        seconds=90,
    )
    assert version["status"] == Version.Status.READY, version
    pdf = browser.get(reverse("bundles:version_download", args=[matter, bundle.pk, 1]))
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == bundle.versions.get(number=1).sha256
    with pikepdf.open(io.BytesIO(pdf.content)) as opened:
        assert len(opened.pages) > 3  # cover and index before the report's pages

    reminder = _reminder_due_now(world)
    arrived = workers["mail"].wait_until(lambda: len(inbox) >= 1, seconds=30, every=0.1)
    assert arrived, Reminder.objects.filter(pk=reminder.pk).values().first()
    assert inbox.ids() == [reminder.pk]


def _kill_mid_work(browser, web, world, workers, inbox, large_bundle, bucket) -> None:  # noqa: F811
    bundles = workers["bundles"]
    bundle = large_bundle
    matter = bundle.matter.pk
    assert browser.form_post(reverse("bundles:build", args=[matter, bundle.pk])).status_code == 302
    row = Version.objects.filter(bundle=bundle)
    started = bundles.wait_until(
        lambda: row.filter(status=Version.Status.BUILDING).exists(), seconds=60
    )
    assert started, f"the build never got going: {row.values().first()}"

    uploaders = [
        Uploader(browser.tab(), world.matter.pk, first=n * UPLOADS_EACH) for n in range(UPLOADERS)
    ]
    for uploader in uploaders:
        uploader.start()
    before = web.workers()
    time.sleep(0.3)  # uploads and the build both under way
    killed = web.kill_worker()
    bundles.kill()
    assert row.get().status == Version.Status.BUILDING, "killed too late to prove anything"
    bundles.start()

    # The master replaces the web worker; the pages keep being served meanwhile.
    assert wait_for(lambda: len(web.workers()) == 3 and killed not in web.workers(), 30)
    assert len(web.workers() - before) == 1
    for uploader in uploaders:
        uploader.join(timeout=120)
        assert not uploader.is_alive(), "uploads stopped answering"
    answers = [answer for uploader in uploaders for answer in uploader.answers]
    broken = sum(uploader.broken for uploader in uploaders)
    assert len(answers) == UPLOADERS * UPLOADS_EACH, answers
    # A 409 only for an upload whose connection broke after it was stored.
    assert set(answers) <= {201, 409} and answers.count(409) <= broken, (answers, broken)
    after = browser.upload(world.matter.pk, files.pdf(text="Late skeleton argument"), "late.pdf")
    assert after.status_code == 201, after.text
    hashes = [hashlib.sha256(c).hexdigest() for u in uploaders for c in u.contents]
    stored = ExhibitFile.objects.filter(exhibit__matter=world.matter, sha256__in=hashes)
    assert Counter(stored.values_list("sha256", flat=True)) == Counter(hashes)

    finished = bundles.wait_until(
        lambda: row.filter(status__in=[Version.Status.READY, Version.Status.FAILED]).exists(),
        seconds=120,
        every=0.2,
    )
    assert finished, "the build was never picked up again after the kill"
    done = row.get()  # one version only: the redelivered task built the same one
    assert done.status == Version.Status.READY, done.error
    assert done.attempts >= 2
    assert done.page_count > DOCUMENTS * PAGES_EACH
    assert _keys(bucket, f"bundles/{bundle.pk}/") == [done.storage_key]
    downloaded = browser.get(
        reverse("bundles:version_download", args=[matter, bundle.pk, done.number])
    )
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == done.sha256

    # Every upload's rendition was made, and the reminder was sent once only.
    ready = ExhibitFile.objects.filter(
        sha256__in=hashes, rendition=ExhibitFile.Rendition.READY
    ).count
    assert workers["default"].wait_until(lambda: ready() == len(hashes), seconds=60, every=0.2)
    time.sleep(2)  # a sweep or two more, time for a repeat to arrive
    assert len(inbox) == 1
    assert not Reminder.objects.filter(sent_at=None).exists()
