"""Picking exhibits into a bundle: several at once from the bundle page, in one transaction,
under the rules that hold for one (the audience, clearance, no exhibit twice)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.bundles import services
from casemgr.bundles.models import Entry

pytestmark = pytest.mark.django_db


def _add_url(bundle) -> str:
    return reverse("bundles:entry_add", kwargs={"matter_pk": bundle.matter_id, "pk": bundle.pk})


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _in(bundle, letter="D") -> list[str]:
    return [
        entry.exhibit.reference
        for entry in Entry.objects.filter(bundle=bundle, section__letter=letter).order_by(
            "position"
        )
    ]


def test_several_exhibits_go_in_at_once_in_the_order_given(world, add_exhibit, make_bundle):
    bundle = make_bundle()
    one, two, three = (add_exhibit(title=title) for title in ("One", "Two", "Three"))
    services.entry_add(
        bundle=bundle, section=bundle.sections.get(letter="D"), exhibit=two, actor=world.partner
    )
    section = bundle.sections.get(letter="D")

    entries = services.entries_add(
        bundle=bundle, section=section, exhibits=[three, one], actor=world.paralegal
    )

    assert [entry.position for entry in entries] == [2, 3]
    assert _in(bundle) == [two.reference, three.reference, one.reference]
    added = AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__has_key="added")
    assert sorted(event.detail["added"] for event in added) == sorted(
        [one.reference, two.reference, three.reference]
    )


def test_one_exhibit_the_audience_refuses_keeps_all_of_them_out(world, add_exhibit, make_bundle):
    bundle = make_bundle()  # for all parties
    letter = add_exhibit(title="Letter")
    advice = add_exhibit(title="Counsel's advice", privileged=True)
    in_already = add_exhibit(title="Reply")
    services.entry_add(
        bundle=bundle,
        section=bundle.sections.get(letter="A"),
        exhibit=in_already,
        actor=world.partner,
    )

    for refused, reason in ((advice, "privileged"), (in_already, "already in the bundle")):
        with pytest.raises(ValidationError) as raised:
            services.entries_add(
                bundle=bundle,
                section=bundle.sections.get(letter="D"),
                exhibits=[letter, refused],
                actor=world.paralegal,
            )
        assert reason in " ".join(raised.value.messages)
        assert "None of the ticked exhibits was added." in raised.value.messages
        assert _in(bundle) == []


def test_the_picker_adds_the_ticked_exhibits_to_the_chosen_section(
    world, client, add_exhibit, make_bundle
):
    bundle = make_bundle()
    one, two = add_exhibit(title="Letter one"), add_exhibit(title="Letter two")
    add_exhibit(title="Counsel's advice", privileged=True)
    client.force_login(world.paralegal)
    page = client.get(bundle.get_absolute_url()).content.decode()
    assert f'name="exhibit" value="{one.pk}"' in page
    assert "Cannot go in: privileged" in page
    assert page.count('name="exhibit"') == 2  # the privileged one cannot be ticked
    section = bundle.sections.get(letter="C")

    response = client.post(_add_url(bundle), {"exhibit": [two.pk, one.pk], "section": section.pk})

    assert response.status_code == 302
    assert _in(bundle, "C") == [two.reference, one.reference]
    assert _messages(response) == [
        f"2 exhibits added to section C: {two.reference}, {one.reference}."
    ]
    page = client.get(bundle.get_absolute_url()).content.decode()
    assert f'name="exhibit" value="{one.pk}"' not in page  # in the bundle now


def test_one_exhibit_is_still_added_on_its_own(world, client, add_exhibit, make_bundle):
    bundle = make_bundle()
    letter = add_exhibit(title="Letter")
    client.force_login(world.paralegal)

    response = client.post(
        _add_url(bundle), {"exhibit": letter.pk, "section": bundle.sections.get(letter="D").pk}
    )

    assert response.status_code == 302
    assert _in(bundle) == [letter.reference]
    assert _messages(response) == [f"{letter.reference} added to section D."]


def test_nothing_ticked_is_explained(world, client, make_bundle):
    bundle = make_bundle()
    client.force_login(world.paralegal)

    response = client.post(_add_url(bundle), {"section": bundle.sections.get(letter="D").pk})

    assert response.status_code == 302
    assert _messages(response) == ["Tick the exhibits to add."]


def test_an_exhibit_above_the_members_clearance_among_the_ticked_is_404_and_none_go_in(
    world, client, add_exhibit, make_bundle
):
    bundle = make_bundle()
    letter = add_exhibit(title="Letter")
    weights = add_exhibit(title="Weights", designation=Clearance.AEO, user=world.partner)
    client.force_login(world.paralegal)  # cleared to confidential

    response = client.post(
        _add_url(bundle),
        {"exhibit": [letter.pk, weights.pk], "section": bundle.sections.get(letter="D").pk},
    )

    assert response.status_code == 404
    assert _in(bundle) == []
    denied = AuditEvent.objects.get(action=AuditAction.DENIED, actor=world.paralegal)
    assert denied.object_id == str(weights.pk)
