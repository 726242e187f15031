"""The queryset every matter-scoped model uses, so that `visible_to(user)` means one thing."""

from __future__ import annotations

from django.db import models


class MatterScopedQuerySet(models.QuerySet):
    """Rows that belong to a matter, reached from the row through `matter_path`."""

    matter_path: str = "matter"

    def _matter_lookup(self, suffix: str) -> str:
        return f"{self.matter_path}__{suffix}" if self.matter_path else suffix

    def visible_to(self, user) -> MatterScopedQuerySet:
        """Only rows in matters the user is a member of. A user has at most one membership
        per matter, so the join never duplicates rows."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(**{self._matter_lookup("memberships__user"): user})

    def in_matter(self, matter) -> MatterScopedQuerySet:
        return self.filter(**{self.matter_path or "pk": matter.pk})


class ClearanceScopedQuerySet(MatterScopedQuerySet):
    """Documents: visible to members whose clearance reaches the document's designation.
    A document above a member's clearance does not exist for them."""

    designation_path: str = "designation"

    def visible_to(self, user) -> MatterScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        # One filter() call, so both conditions apply to the same membership row.
        return self.filter(
            **{
                self._matter_lookup("memberships__user"): user,
                f"{self.designation_path}__lte": models.F(
                    self._matter_lookup("memberships__clearance")
                ),
            }
        )


def matter_scoped_manager(matter_path: str, *, designation_path: str = "") -> models.Manager:
    """A manager for a model whose matter is reached through `matter_path` ("" for Matter
    itself, "matter" for a direct foreign key, "claim__proceeding__matter"...). Documents
    also name the path to their designation, and are then filtered by clearance too."""
    base = ClearanceScopedQuerySet if designation_path else MatterScopedQuerySet
    attributes = {"matter_path": matter_path}
    if designation_path:
        attributes["designation_path"] = designation_path
    return type(base.__name__, (base,), attributes).as_manager()
