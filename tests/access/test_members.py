"""Partners manage who is on a matter; the new member is told by e-mail, once."""

import pytest
from django.core import mail
from django.urls import reverse

from casemgr.access.models import AuditEvent, Clearance, MatterMembership, Role
from casemgr.access.tasks import send_membership_notice
from tests.factories import UserFactory


def test_partner_adds_a_member_who_gets_one_email(
    client, world, django_capture_on_commit_callbacks
):
    newcomer = UserFactory(username="trainee", email="trainee@example.com")
    client.force_login(world.partner)
    url = reverse("access:members", args=[world.matter.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"user": "trainee@example.com", "role": "associate", "clearance": "2"}
        )
    assert response.status_code == 302
    membership = MatterMembership.objects.get(user=newcomer, matter=world.matter)
    assert (membership.role, membership.clearance) == (Role.ASSOCIATE, Clearance.CONFIDENTIAL)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["trainee@example.com"]
    assert world.matter.reference in message.subject
    assert f"/matters/{world.matter.pk}/" in message.body
    assert message.alternatives[0][1] == "text/html"
    # The task may run again (a retry, a redelivered message): still one e-mail.
    assert send_membership_notice(membership.pk) is False
    assert len(mail.outbox) == 1


def test_the_new_member_can_then_see_the_matter(client, world):
    newcomer = UserFactory(username="trainee")
    client.force_login(world.partner)
    client.post(
        reverse("access:members", args=[world.matter.pk]),
        {"user": "trainee", "role": "paralegal", "clearance": "1"},
    )
    client.force_login(newcomer)
    assert client.get(reverse("matters:overview", args=[world.matter.pk])).status_code == 200


def test_unknown_user_is_explained(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("access:members", args=[world.matter.pk]),
        {"user": "nobody", "role": "paralegal", "clearance": "1"},
    )
    assert response.status_code == 200
    assert "No single active user" in response.content.decode()


def test_only_partners_manage_members(client, world):
    client.force_login(world.associate)
    url = reverse("access:members", args=[world.matter.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Add a member" not in page.content.decode()
    response = client.post(url, {"user": "outsider", "role": "partner", "clearance": "3"})
    assert response.status_code == 403
    assert not MatterMembership.objects.filter(user=world.outsider, matter=world.matter).exists()


def test_partner_removes_a_member_who_then_gets_404(client, world):
    membership = MatterMembership.objects.get(user=world.expert, matter=world.matter)
    client.force_login(world.partner)
    url = reverse("access:member_remove", args=[world.matter.pk, membership.pk])
    response = client.post(url, follow=True)
    assert "expert is off this matter" in response.content.decode()
    client.force_login(world.expert)
    assert client.get(reverse("matters:overview", args=[world.matter.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="delete", actor=world.partner).exists()


def test_the_last_partner_can_neither_leave_nor_be_demoted(client, world):
    own = MatterMembership.objects.get(user=world.partner, matter=world.matter)
    client.force_login(world.partner)
    response = client.post(
        reverse("access:member_remove", args=[world.matter.pk, own.pk]), follow=True
    )
    assert "only partner" in response.content.decode()
    response = client.post(
        reverse("access:members", args=[world.matter.pk]),
        {"user": "partner", "role": "expert", "clearance": "1"},
    )
    assert "only partner" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.PARTNER


def test_client_is_never_given_attorneys_eyes_only(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("access:members", args=[world.matter.pk]),
        {"user": "client", "role": "client", "clearance": "3"},
    )
    assert "never shown to the client" in response.content.decode()
    membership = MatterMembership.objects.get(user=world.client, matter=world.matter)
    assert membership.clearance == Clearance.STANDARD


def test_role_must_be_chosen(client, world):
    client.force_login(world.partner)
    response = client.post(
        reverse("access:members", args=[world.matter.pk]),
        {"user": "outsider", "role": "", "clearance": "1"},
    )
    assert "This field is required." in response.content.decode()
    assert not MatterMembership.objects.filter(user=world.outsider, matter=world.matter).exists()


def test_non_partner_cannot_remove_members(client, world):
    membership = MatterMembership.objects.get(user=world.expert, matter=world.matter)
    client.force_login(world.associate)
    url = reverse("access:member_remove", args=[world.matter.pk, membership.pk])
    assert client.post(url).status_code == 403
    assert MatterMembership.objects.filter(pk=membership.pk).exists()


def test_failed_send_leaves_the_notice_for_the_retry(world, settings):
    """If the mail server refuses, the claim on the row is released so a retry can send."""
    newcomer = UserFactory(username="trainee", email="trainee@example.com")
    membership = MatterMembership.objects.create(
        user=newcomer, matter=world.matter, role=Role.PARALEGAL
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with pytest.raises(ConnectionError):
        send_membership_notice(membership.pk)
    membership.refresh_from_db()
    assert membership.notified_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_membership_notice(membership.pk) is True
    assert len(mail.outbox) == 1
