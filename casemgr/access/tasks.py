from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from casemgr.access.models import MatterMembership


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_membership_notice(membership_id: int) -> bool:
    """E-mail a new member that they have been added to a matter. Safe to run twice: the row
    is claimed with a conditional update before the e-mail goes, so two runs cannot both
    send; if sending fails the claim is released, so the retry can send."""
    claimed = MatterMembership.objects.filter(pk=membership_id, notified_at=None).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    membership = MatterMembership.objects.select_related("user", "matter").get(pk=membership_id)
    context = {
        "membership": membership,
        "matter": membership.matter,
        "user": membership.user,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("emails/membership_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/membership.txt", context),
        to=[membership.user.email],
    )
    message.attach_alternative(render_to_string("emails/membership.html", context), "text/html")
    try:
        message.send()
    except Exception:
        MatterMembership.objects.filter(pk=membership_id).update(notified_at=None)
        raise
    return True
