"""Two productions with the same prefix built at the same moment, by two workers: each gets
numbers of its own, one set after the other, never the same number twice."""

import threading

import pytest
from django.db import connection

from casemgr.productions import services
from casemgr.productions.models import NumberRange, Production
from tests.evidence import files


@pytest.mark.django_db(transaction=True)
def test_two_builds_at_once_take_ranges_that_never_overlap(world, add_exhibit, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    one = add_exhibit(files.pdf(pages=3, text="one"), "one.pdf")
    two = add_exhibit(files.pdf(pages=2, text="two"), "two.pdf")
    # Numbers already given by an earlier production: the builds contend for that row.
    NumberRange.objects.create(matter=world.matter, prefix="NWA", padding=6, last_number=10)
    productions = []
    monkeypatch.setattr(services, "_queue", lambda production: None)  # built below, in threads
    for exhibit in (one, two):
        production = Production(
            matter=world.matter,
            proceeding=world.proceeding,
            title=f"Tranche {exhibit.reference}",
            prefix="NWA",
            produced_to=world.defendant,
        )
        services.production_create(
            production=production, exhibits=[exhibit], order="reference", actor=world.partner
        )
        productions.append(production)

    # Both builds reach the numbering together, as two workers could.
    together = threading.Barrier(2, timeout=30)
    take_numbers = services._take_numbers

    def in_step(claim, items):
        together.wait()
        return take_numbers(claim, items)

    monkeypatch.setattr(services, "_take_numbers", in_step)
    outcomes = {}

    def build(production):
        try:
            outcomes[production.pk] = services.production_build(production.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=build, args=(p,)) for p in productions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes.values()) == ["ready", "ready"]
    ranges = sorted(
        (p.first_number, p.last_number)
        for p in Production.objects.filter(pk__in=[p.pk for p in productions])
    )
    # One after the other, in whichever order the lock let them.
    assert ranges in ([(11, 12), (13, 15)], [(11, 13), (14, 15)])
    assert NumberRange.objects.get(matter=world.matter, prefix="NWA").last_number == 15
