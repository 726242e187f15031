"""Saving a matter's records: validated, in one transaction, with the change audited.

Pages and the API both write through `record_save`, so a change made either way is checked
and recorded the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction, MatterMembership
from casemgr.access.policy import matter_of


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value (instants in UTC, dates as ISO text, countries as
    codes...), the same however the value was produced, so that only real changes show."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value if isinstance(value, str | int | float | bool | None) else str(value)


def _snapshot(instance: models.Model) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.editable and not field.primary_key:
            values[field.attname] = _plain(field.value_from_object(instance))
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            values[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return values


def _check_same_matter(instance: models.Model, m2m: dict[str, Iterable[models.Model]]) -> None:
    """Links stay inside the matter: to its own records, or to its members."""
    matter = matter_of(instance)
    for name, related in m2m.items():
        people = [item.pk for item in related if item._meta.label == settings.AUTH_USER_MODEL]
        records = [item for item in related if item._meta.label != settings.AUTH_USER_MODEL]
        strangers = [item for item in records if matter_of(item).pk != matter.pk]
        if strangers:
            kind = strangers[0]._meta.verbose_name_plural
            raise ValidationError({name: f"Choose only {kind} in this matter."})
        members = MatterMembership.objects.filter(matter=matter, user__in=people).count()
        if people and members != len(set(people)):
            raise ValidationError({name: "Choose only members of this matter."})


@transaction.atomic
def record_save(
    *,
    instance: models.Model,
    actor,
    request=None,
    m2m: dict[str, Iterable[models.Model]] | None = None,
    before: models.Model | None = None,
) -> models.Model:
    """Validate and save one of a matter's records, and audit what changed. `before` is the
    row as it stood, for a caller that has already moved it within this transaction (exhibits
    exchanging references step aside first), so the audit shows the change that was asked."""
    m2m = {name: list(items) for name, items in (m2m or {}).items()}
    creating = instance._state.adding
    if creating:
        previous = {}
    else:
        previous = _snapshot(before or type(instance)._base_manager.get(pk=instance.pk))
    instance.full_clean()
    _check_same_matter(instance, m2m)
    instance.save()
    for name, items in m2m.items():
        getattr(instance, name).set(items)
    after = _snapshot(instance)
    changes = {
        name: {"from": previous.get(name), "to": value}
        for name, value in after.items()
        if creating or previous.get(name) != value
    }
    if creating or changes:
        audit_record(
            action=AuditAction.CREATE if creating else AuditAction.UPDATE,
            request=request,
            actor=actor,
            matter=matter_of(instance),
            obj=instance,
            detail={"changes": changes},
        )
    return instance


@transaction.atomic
def record_delete(*, instance: models.Model, actor, request=None) -> None:
    """Remove one of a matter's records; the audit trail keeps what it held."""
    audit_record(
        action=AuditAction.DELETE,
        request=request,
        actor=actor,
        matter=matter_of(instance),
        obj=instance,
        detail={"removed": _snapshot(instance)},
    )
    instance.delete()
