"""Partners manage who is on a matter; the new member is told by e-mail, once."""

from django.core import mail
from django.urls import reverse

from casemgr.access.models import Clearance, MatterMembership, Role
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
