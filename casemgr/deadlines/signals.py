"""A user deactivated (or given a new address) changes who can be reminded: their matters'
reminders follow at once, so a deadline named to someone who left falls to the team."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from casemgr.deadlines.reminders import reminders_sync_user

WATCHED = {"is_active", "email"}


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _user_changed(sender, instance, created, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and not WATCHED & set(update_fields)):
        return  # e.g. a sign-in saving last_login
    with transaction.atomic():
        reminders_sync_user(instance)
