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
    # Designations of documents the row may also point to (an evidence link to a
    # confidential event, an entry in a confidentiality-ring bundle): where the link is set,
    # it must be within clearance too, or the row would tell what the hidden document is.
    optional_designation_paths: tuple[str, ...] = ()

    def visible_to(self, user) -> MatterScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        clearance = models.F(self._matter_lookup("memberships__clearance"))
        condition = models.Q(
            **{
                self._matter_lookup("memberships__user"): user,
                f"{self.designation_path}__lte": clearance,
            }
        )
        for path in self.optional_designation_paths:
            link = path.rpartition("__")[0]
            condition &= models.Q(**{f"{link}__isnull": True}) | models.Q(
                **{f"{path}__lte": clearance}
            )
        # One filter() call, so every condition applies to the same membership row.
        return self.filter(condition)


def matter_scoped_manager(
    matter_path: str,
    *,
    designation_path: str = "",
    optional_designation_paths: tuple[str, ...] = (),
) -> models.Manager:
    """A manager for a model whose matter is reached through `matter_path` ("" for Matter
    itself, "matter" for a direct foreign key, "claim__proceeding__matter"...). Documents
    also name the path to their designation, and are then filtered by clearance too; rows
    that may also point to another document name its designation in
    `optional_designation_paths` ("event__designation")."""
    base = ClearanceScopedQuerySet if designation_path else MatterScopedQuerySet
    attributes: dict = {"matter_path": matter_path}
    if designation_path:
        attributes["designation_path"] = designation_path
        attributes["optional_designation_paths"] = tuple(optional_designation_paths)
    elif optional_designation_paths:
        raise ValueError("Optional designations need the row's own designation_path.")
    return type(base.__name__, (base,), attributes).as_manager()
