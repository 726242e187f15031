"""Every model whose rows belong to a matter is read through the scoped manager
(access/querysets.py), so that `Model.objects.visible_to(user)` exists and means "in the
user's matters, within their clearance". A new model that reaches a matter and forgets it
fails here, before any view can leak its rows."""

import pytest
from django.apps import apps
from django.db import models

from casemgr.access.querysets import ClearanceScopedQuerySet, MatterScopedQuerySet
from casemgr.matters.models import Matter

# Models that reach a matter but are deliberately not read through visible_to, and why.
NOT_SCOPED = {
    "access.AuditEvent": (
        "the append-only trail; read one matter at a time, after the reader's membership is"
        " checked, through access.policy.audit_events_visible, which also leaves out entries"
        " about documents above their clearance"
    ),
    "deadlines.Reminder": (
        "the reminder sweep's own rows, never listed to a user; one belongs to a deadline or"
        " to a hearing (two paths to the matter), and the sweep checks its user's membership"
        " and clearance when it sends (tests/deadlines/test_reminders.py)"
    ),
}


def _casemgr_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("casemgr.")]


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _reaches_matter(model, depth: int = 4) -> bool:
    """Whether following foreign keys from `model` leads to Matter."""
    if model is Matter:
        return True
    if depth == 0:
        return False
    return any(
        _reaches_matter(field.related_model, depth - 1)
        for field in model._meta.get_fields()
        if field.many_to_one or (field.one_to_one and field.concrete)
        if field.related_model is not None and field.related_model is not model
    )


def _follow(model, path: str):
    for name in filter(None, path.split("__")):
        model = model._meta.get_field(name).related_model
    return model


SCOPED = [m for m in _casemgr_models() if _reaches_matter(m) and _label(m) not in NOT_SCOPED]


def test_the_walk_finds_the_models_it_should():
    labels = {_label(m) for m in SCOPED}
    assert {"matters.Matter", "evidence.Exhibit", "bundles.Entry", "deadlines.Deadline"} <= labels
    assert "matters.Jurisdiction" not in labels  # shared by every matter


@pytest.mark.parametrize("model", SCOPED, ids=_label)
def test_a_model_that_reaches_a_matter_has_the_scoped_manager(model):
    queryset = model._default_manager.get_queryset()
    assert isinstance(queryset, MatterScopedQuerySet), (
        f"{_label(model)} reaches a matter but its manager is not matter_scoped_manager()"
    )
    assert _follow(model, queryset.matter_path) is Matter, (
        f"{_label(model)}'s matter_path {queryset.matter_path!r} does not lead to Matter"
    )
    designated = any(field.name == "designation" for field in model._meta.concrete_fields)
    if designated:
        assert isinstance(queryset, ClearanceScopedQuerySet), (
            f"{_label(model)} has a designation but is not filtered by clearance"
        )


def test_every_exception_still_exists_and_still_reaches_a_matter():
    by_label = {_label(m): m for m in _casemgr_models()}
    for label in NOT_SCOPED:
        assert label in by_label, f"{label} is listed in NOT_SCOPED but no longer exists"
        assert _reaches_matter(by_label[label])
