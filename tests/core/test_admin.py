"""The Django admin bypasses matter membership, so only superusers get in."""

from django.urls import reverse

from tests.factories import UserFactory


def test_staff_who_are_not_superusers_cannot_use_the_admin(client, world):
    staff = UserFactory(username="office-manager", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:matters_matter_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_superuser_reaches_the_admin(client, world):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get(reverse("admin:matters_matter_changelist")).status_code == 200
    assert client.get(reverse("admin:access_auditevent_changelist")).status_code == 200
