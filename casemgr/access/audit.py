"""Writing the audit trail. Every AuditEvent is created here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from casemgr.access.models import AuditAction, AuditEvent


def client_ip(request) -> str | None:
    """The client's address, from settings.CLIENT_IP_HEADER. A proxy appends the address it
    saw to X-Forwarded-For, so the last entry is the one it vouches for; earlier ones are
    whatever the client claimed."""
    value = request.META.get(settings.CLIENT_IP_HEADER, "")
    return value.split(",")[-1].strip() or None


def _request_facts(request) -> dict[str, Any]:
    if request is None:
        return {}
    return {
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        "path": request.get_full_path()[:500],
    }


def audit_record(
    *,
    action: AuditAction,
    request=None,
    actor=None,
    actor_label: str = "",
    matter=None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not actor_label:
        actor_label = actor.get_username()
    object_fields = {}
    if obj is not None:
        object_fields = {
            "object_type": obj._meta.label,
            "object_id": str(obj.pk),
            "object_repr": str(obj)[:200],
        }
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label[:150],
        matter=matter,
        detail=detail or {},
        **object_fields,
        **_request_facts(request),
    )
