"""The audit trail: sign-ins, failed sign-ins, lockouts, changes and refusals, kept for good."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent

LOGIN = "/accounts/login/"


def test_sign_in_and_sign_out_are_recorded_with_address(client, world):
    response = client.post(
        LOGIN,
        {"username": "paralegal", "password": "correct-horse-battery"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Firefox",
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.filter(actor=world.paralegal).order_by("pk"))
    assert [e.action for e in events] == [AuditAction.SIGN_IN, AuditAction.SIGN_OUT]
    assert events[0].ip_address == "203.0.113.9"
    assert events[0].user_agent == "Firefox"


def test_failed_sign_in_is_recorded_without_the_password(client, world):
    response = client.post(LOGIN, {"username": "paralegal", "password": "guess-123"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.actor_label == "paralegal"
    assert "guess-123" not in str(event.detail)


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "paralegal", "password": "wrong"})
    response = client.post(LOGIN, {"username": "paralegal", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()


def test_a_change_records_who_changed_what(client, world):
    client.force_login(world.paralegal)
    url = reverse("matters:party_edit", args=[world.matter.pk, world.defendant.pk])
    response = client.post(
        url,
        {
            "name": world.defendant.name,
            "kind": "company",
            "role": "defendant",
            "country": "GB",
            "solicitors": "Harcourt Vell LLP",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == world.paralegal
    assert event.matter == world.matter
    assert event.object_repr == world.defendant.name
    assert event.detail["changes"] == {"solicitors": {"from": "", "to": "Harcourt Vell LLP"}}


def test_read_only_refusal_is_recorded(client, world):
    client.force_login(world.expert)
    client.get(reverse("matters:party_create", args=[world.matter.pk]))
    event = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert event.actor == world.expert
    assert event.detail == {"reason": "read-only member"}


def test_audit_events_cannot_be_changed_or_deleted(world):
    event = AuditEvent.objects.create(action=AuditAction.SIGN_IN, actor_label="x")
    event.actor_label = "y"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(actor_label="z")


def test_database_refuses_to_rewrite_history(world):
    """Even raw SQL cannot change an audit row (PostgreSQL trigger)."""
    event = AuditEvent.objects.create(action=AuditAction.SIGN_IN, actor_label="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE access_auditevent SET actor_label = 'y' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM access_auditevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.actor_label == "x"
