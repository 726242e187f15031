"""schema.through_indexes plans one read through the GIN indexes and nothing after it: the
settings it changes are back as they were, whether the read worked or failed."""

import pytest
from django.db import connection, transaction

from casemgr.evidence.selectors import ExhibitFilters, exhibits_for
from casemgr.search import schema

pytestmark = pytest.mark.django_db


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')"
        )
        return cursor.fetchone()


def test_the_read_is_planned_through_the_index_and_the_settings_come_back():
    during = schema.through_indexes(connection, _settings)
    assert during == ("off", "off")
    assert _settings() == ("on", "on")


def test_a_failed_read_leaves_the_settings_as_they_were():
    def failing():
        raise LookupError("the read failed")

    with transaction.atomic():
        with pytest.raises(LookupError):
            schema.through_indexes(connection, failing)
        assert _settings() == ("on", "on")


def test_the_exhibit_list_search_leaves_nothing_behind(world):
    exhibits = exhibits_for(matter=world.matter, user=world.partner, filters=ExhibitFilters(q="x"))
    assert list(exhibits) == []
    assert _settings() == ("on", "on")
