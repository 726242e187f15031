"""Shared by the browser tests: Debian's Chromium through Playwright, and the demo data."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from casemgr.matters.demo import demo_load

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def demo_matter():
    # Before the browser starts: ORM calls made while Playwright's loop runs in this thread
    # would open a connection in another async context, left open past the test.
    demo_load(password="demo-pass-123")


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse ORM
    # calls here (the test database teardown among them); the live server's threads are
    # unaffected. Scoped to this fixture so nothing else inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
