"""Which rows belong to a matter, found by walking the model relations rather than listed by
hand, so that a model added later travels with its matter without anyone remembering to add
it here. A model belongs to matters if it has a foreign key to Matter or to a model that
belongs; its rows are those whose key points at a row already taken.

Two kinds of foreign target are not copied: users (matched by e-mail on import) and shared
reference data such as courts (matched by natural key, see REFERENCE). A foreign key to
anything else makes the walk fail loudly, rather than export a matter that cannot be put
back together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from casemgr.access.models import AuditEvent
from casemgr.matters.models import Matter

# Columns nobody writes: PostgreSQL derives them (a trigger, casemgr.search.schema; a
# generated column) from the row, and does so again when the row is inserted elsewhere.
DERIVED = {("evidence.ExhibitPage", "search_vector")}

# Blobs a record names: (key field, SHA-256 field). Keys are kept as they are: evidence and
# renditions are addressed by their hash, a bundle's by its hash's prefix.
BLOB_FIELDS = {
    "evidence.ExhibitFile": (("storage_key", "sha256"), ("rendition_key", "rendition_sha256")),
    "bundles.Version": (("storage_key", "sha256"), ("open_storage_key", "open_sha256")),
    "redaction.Redaction": (("storage_key", "sha256"),),
    "productions.Production": (("storage_key", "sha256"),),
}


@dataclass(frozen=True)
class Reference:
    """Shared data named by what it is, not by its id in one database."""

    natural_key: Callable[[models.Model], dict]
    lookup: Callable[[dict], Q]
    describe: Callable[[dict], str]


REFERENCE: dict[str, Reference] = {
    "matters.Court": Reference(
        natural_key=lambda court: {
            "jurisdiction": court.jurisdiction.code,
            "name": court.name,
            "division": court.division,
        },
        lookup=lambda key: Q(
            jurisdiction__code=key["jurisdiction"], name=key["name"], division=key["division"]
        ),
        describe=lambda key: (
            f"{key['name']}"
            + (f" ({key['division']})" if key["division"] else "")
            + f", jurisdiction {key['jurisdiction']!r}"
        ),
    ),
}


class GraphError(Exception):
    """The models relate in a way an export cannot carry."""


def label(model: type[models.Model]) -> str:
    return model._meta.label


def is_user(model) -> bool:
    return model is get_user_model()


def relations(model: type[models.Model]) -> list[models.Field]:
    """The model's foreign keys and many-to-many fields (one-to-one keys included)."""
    return [f for f in model._meta.get_fields() if f.concrete and f.is_relation and f.related_model]


def stored_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns an archive carries: concrete, not the key, not derived."""
    return [
        f
        for f in model._meta.local_concrete_fields
        if not f.primary_key
        and not f.generated
        and (label(model), f.name) not in DERIVED
        and not f.many_to_many
    ]


@functools.cache
def matter_models() -> tuple[type[models.Model], ...]:
    """Every model whose rows belong to a matter, each after the models it points to.
    The audit trail is history, not a record of the matter: it travels apart."""
    candidates = [
        m
        for m in apps.get_models()
        if m.__module__.startswith("casemgr.") and m is not AuditEvent and m is not Matter
    ]
    owned: set[type[models.Model]] = {Matter}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model not in owned and any(
                f.related_model in owned and f.related_model is not model
                for f in relations(model)
                if not f.many_to_many
            ):
                owned.add(model)
                grew = True
    for model in owned:
        for field in relations(model):
            target = field.related_model
            if target not in owned and not is_user(target) and label(target) not in REFERENCE:
                raise GraphError(
                    f"{label(model)}.{field.name} points to {label(target)}, which is neither "
                    "part of a matter, a user, nor reference data with a natural key "
                    "(casemgr.core.portability.graph.REFERENCE)."
                )
    ordered: list[type[models.Model]] = []
    waiting = [Matter, *(m for m in candidates if m in owned)]
    while waiting:
        ready = [
            m
            for m in waiting
            if all(
                f.related_model in ordered or f.related_model not in owned or f.related_model is m
                for f in relations(m)
            )
        ]
        if not ready:
            raise GraphError(f"The models {[label(m) for m in waiting]} point at each other.")
        ordered.extend(ready)
        waiting = [m for m in waiting if m not in ready]
    return tuple(ordered)


def rows_of(matter: Matter, *, using: str = "default") -> dict[type[models.Model], models.QuerySet]:
    """For each model of the matter, the queryset of its rows (as subqueries, not id lists:
    a matter may have a hundred thousand pages)."""
    querysets: dict[type[models.Model], models.QuerySet] = {}
    for model in matter_models():
        manager = model._base_manager.db_manager(using)
        if model is Matter:
            querysets[model] = manager.filter(pk=matter.pk)
            continue
        condition = Q()
        for field in relations(model):
            target = field.related_model
            if not field.many_to_many and target in querysets and target is not model:
                condition |= Q(**{f"{field.name}__in": querysets[target].values("pk")})
        querysets[model] = manager.filter(condition)
    return querysets


def audit_of(matter: Matter, *, using: str = "default") -> models.QuerySet:
    return AuditEvent._base_manager.db_manager(using).filter(matter=matter).order_by("at", "pk")
