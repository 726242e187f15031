"""Filling in the evidence pages' forms as a browser would: every field the page shows, with
the values it shows, and a test's changes on top."""

from __future__ import annotations

import lxml.html
from django.urls import reverse


def form_values(html: str) -> dict[str, str]:
    """What the page's own POST form (in its main content, not the sign-out button's) would
    send if submitted untouched."""
    (form,) = lxml.html.fromstring(html).xpath("//main//form[@method='post']")
    return dict(form.form_values())


def bulk_url(matter, ids) -> str:
    return reverse("evidence:bulk_edit", args=[matter.pk]) + "?ids=" + ",".join(map(str, ids))


def bulk_post(client, matter, ids, rows: dict[int, dict]):
    """Open the details page for `ids` and save it with `rows` changed: {row index: {field:
    value}}; a value of None leaves the field out (an unticked checkbox)."""
    url = bulk_url(matter, ids)
    data = form_values(client.get(url).content.decode())
    for n, changes in rows.items():
        for field, value in changes.items():
            key = f"form-{n}-{field}"
            if value is None:
                data.pop(key, None)
            else:
                data[key] = str(value)
    return client.post(url, data)


def edit_post(client, exhibit_id, matter, changes: dict):
    """Save the single exhibit's details page with `changes`."""
    url = reverse("evidence:exhibit_edit", args=[matter.pk, exhibit_id])
    data = form_values(client.get(url).content.decode())
    for field, value in changes.items():
        if value is None:
            data.pop(field, None)
        else:
            data[field] = str(value)
    return client.post(url, data)


def field_element(html: str, name: str):
    """The input or select named `name`, or None."""
    found = lxml.html.fromstring(html).xpath(f"//*[@name='{name}']")
    return found[0] if found else None
