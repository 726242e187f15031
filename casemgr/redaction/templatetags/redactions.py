"""The exhibit page's redactions card: per file, the state of its redactions and "Redact"."""

from __future__ import annotations

from django import template

from casemgr.evidence.models import ExhibitFile
from casemgr.redaction import selectors

register = template.Library()


@register.inclusion_tag("redaction/_exhibit_redactions.html", takes_context=True)
def exhibit_redactions(context, files):
    pdfs = [f for f in files if f.rendition == ExhibitFile.Rendition.READY]
    found = selectors.redactions_of_files(files=pdfs, user=context["user"]) if pdfs else {}
    return {
        "matter": context["matter"],
        "can_edit": context.get("can_edit", False),
        "user": context["user"],
        "rows": [{"file": f, "redactions": found.get(f.pk, [])} for f in pdfs],
        "csrf_token": context.get("csrf_token"),
    }
