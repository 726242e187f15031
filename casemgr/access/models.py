from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from casemgr.access.querysets import matter_scoped_manager


class Role(models.TextChoices):
    PARTNER = "partner", "Partner"
    ASSOCIATE = "associate", "Associate"
    PARALEGAL = "paralegal", "Paralegal"
    EXPERT = "expert", "Expert"
    CLIENT = "client", "Client"


class Clearance(models.IntegerChoices):
    """How confidential a document a member may see. Ordered, so that "may see" is `<=`."""

    STANDARD = 1, "Standard"
    CONFIDENTIAL = 2, "Confidential"
    AEO = 3, "Highly confidential – attorneys' eyes only"


class MatterMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    clearance = models.PositiveSmallIntegerField(
        choices=Clearance.choices, default=Clearance.STANDARD
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Set when the "you have been added" e-mail is claimed for sending, so it goes once.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = matter_scoped_manager("matter")

    class Meta:
        ordering = ["matter", "user__last_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "matter"], name="one_membership_per_matter"),
            models.CheckConstraint(
                condition=models.Q(clearance__in=Clearance.values), name="clearance_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} on {self.matter}"


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Removed"
    VIEW = "view", "Viewed"
    DOWNLOAD = "download", "Downloaded"
    INTEGRITY_FAILED = "integrity", "Failed its integrity check"
    DENIED = "denied", "Access denied"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing that happened, kept for good: never updated, never deleted.

    On PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE too, so not even a
    raw query can rewrite history.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The name as typed, kept also for failed sign-ins with no such user.
    actor_label = models.CharField(max_length=150, blank=True)
    matter = models.ForeignKey(
        "matters.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["matter", "-at"])]

    def __str__(self) -> str:
        who = self.actor_label or "anonymous"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who}: {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")
