"""Signing in to the API: tokens, sessions, and what an anonymous caller gets."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casemgr.access.models import AuditAction, AuditEvent
from tests.api.conftest import ALL_LISTS, ENDPOINTS, SCOPED, record_of

TOKEN_URL = "/api/auth/token/"
PASSWORD = "correct-horse-battery"
BAD_CREDENTIALS = {"non_field_errors": ["Unable to log in with provided credentials."]}
NOT_SIGNED_IN = {"detail": "Authentication credentials were not provided."}


def get_token(username, password=PASSWORD):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def with_token(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_right_password_gives_the_users_token(world):
    response = get_token("paralegal")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=world.paralegal).key}


def test_asking_twice_gives_the_same_token(world):
    assert get_token("paralegal").json() == get_token("paralegal").json()


def test_token_can_be_asked_for_with_a_form_post(world):
    response = APIClient().post(TOKEN_URL, {"username": "client", "password": PASSWORD})
    assert response.status_code == 200
    assert "token" in response.json()


def test_token_reads_the_users_matters(world):
    client = with_token(get_token("client").json()["token"])
    response = client.get("/api/matters/")
    assert response.status_code == 200
    assert [(m["reference"], m["my_role"]) for m in response.json()["results"]] == [
        ("NWA-0001", "client")
    ]


def test_token_of_an_outsider_does_not_open_other_matters(world):
    client = with_token(get_token("outsider").json()["token"])
    assert client.get(f"/api/matters/{world.matter.pk}/").status_code == 404
    assert client.get(f"/api/matters/{world.other_matter.pk}/").status_code == 200


def test_token_writes_without_a_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {get_token('associate').json()['token']}")
    response = client.patch(
        f"/api/parties/{world.claimant.pk}/", {"counsel": "Ms R. Okafor KC"}, format="json"
    )
    assert response.status_code == 200
    world.claimant.refresh_from_db()
    assert world.claimant.counsel == "Ms R. Okafor KC"


def test_token_of_a_read_only_member_cannot_write(world):
    client = with_token(get_token("expert").json()["token"])
    response = client.patch(f"/api/parties/{world.claimant.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 403


def test_wrong_password_gives_no_token_and_is_audited(world):
    response = get_token("paralegal", "guess-123")
    assert response.status_code == 400
    assert response.json() == BAD_CREDENTIALS
    assert not Token.objects.filter(user=world.paralegal).exists()
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.actor_label == "paralegal"
    assert "guess-123" not in str(event.detail)


def test_unknown_user_is_answered_like_a_wrong_password(world):
    assert get_token("nobody", "guess-123").json() == get_token("partner", "guess-123").json()


def test_missing_credentials_are_named(world):
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }


def test_deactivated_user_gets_no_token(world):
    world.paralegal.is_active = False
    world.paralegal.save()
    assert get_token("paralegal").json() == BAD_CREDENTIALS


def test_deactivated_users_existing_token_stops_working(world):
    key = get_token("paralegal").json()["token"]
    world.paralegal.is_active = False
    world.paralegal.save()
    response = with_token(key).get("/api/matters/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_locked_out_account_gets_no_token_even_with_the_right_password(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        get_token("paralegal", "wrong")
    response = get_token("paralegal")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.filter(user=world.paralegal).exists()


# --- Anonymous and bad credentials -----------------------------------------------------------


@pytest.mark.parametrize("endpoint", ALL_LISTS)
def test_anonymous_list_is_refused_with_no_data(world, endpoint):
    response = APIClient().get(f"/api/{endpoint}/")
    # 401 with the challenge: the token scheme comes first (settings.REST_FRAMEWORK).
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == NOT_SIGNED_IN


@pytest.mark.parametrize("endpoint", SCOPED)
def test_anonymous_detail_and_write_are_refused(world, endpoint):
    url = ENDPOINTS[endpoint].detail_url(record_of(world, endpoint).pk)
    client = APIClient()
    assert client.get(url).json() == NOT_SIGNED_IN
    assert client.patch(url, {"name": "X"}, format="json").json() == NOT_SIGNED_IN
    assert client.post(ENDPOINTS[endpoint].list_url(), {}, format="json").status_code == 401


def test_anonymous_write_changes_nothing(world):
    APIClient().patch(f"/api/parties/{world.claimant.pk}/", {"name": "X"}, format="json")
    world.claimant.refresh_from_db()
    assert world.claimant.name == "Northwind Intelligence Ltd"


def test_made_up_token_is_refused_with_no_data(world):
    response = with_token("0" * 40).get("/api/matters/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_token_without_the_keyword_is_not_accepted(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=get_token("partner").json()["token"])
    assert client.get("/api/matters/").json() == NOT_SIGNED_IN


# --- Sessions --------------------------------------------------------------------------------


def test_signed_in_browser_session_reads_the_api(world):
    client = APIClient()
    signed_in = client.post(
        "/accounts/login/", {"username": "associate", "password": PASSWORD}, format="multipart"
    )
    assert signed_in.status_code == 302
    assert client.get("/api/matters/").json()["count"] == 1


def test_session_write_needs_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.partner)
    response = client.patch(f"/api/parties/{world.claimant.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    world.claimant.refresh_from_db()
    assert world.claimant.name == "Northwind Intelligence Ltd"


def test_a_stale_token_sent_along_does_not_block_signing_in(world):
    """The token exchange reads the username and password only."""
    response = with_token("0" * 40).post(
        TOKEN_URL, {"username": "partner", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["token"]
