"""A bundle of given exhibits, made through the services as a paralegal would, for tests
outside tests/bundles (whose conftest has fixtures for the same)."""

from casemgr.bundles import services
from casemgr.bundles.models import Bundle


def bundle_of(world, *exhibits, title: str = "Trial bundle") -> Bundle:
    """A bundle in the world's proceeding with `exhibits` in section D, in order."""
    bundle = services.bundle_create(
        bundle=Bundle(matter=world.matter, proceeding=world.proceeding, title=title),
        actor=world.paralegal,
    )
    section = bundle.sections.get(letter="D")
    for exhibit in exhibits:
        services.entry_add(bundle=bundle, section=section, exhibit=exhibit, actor=world.paralegal)
    return bundle
