"""Test data. fixtures/ holds the demo and reference data; tests build their own here."""

from datetime import UTC, date, datetime

import factory
from django.contrib.auth import get_user_model

from casemgr.access.models import Clearance, MatterMembership, Role
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.matters.models import (
    Court,
    Hearing,
    Jurisdiction,
    Matter,
    Party,
    PartyRole,
    Person,
    Proceeding,
)
from casemgr.pleadings.models import Allegation, Claim
from casemgr.timeline.models import Event, EvidenceLink


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ["code"]

    code = "ew"
    name = "England and Wales"
    time_zone = "Europe/London"
    holiday_calendar = "GB-ENG"
    rule_set = "cpr"


class CourtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Court
        django_get_or_create = ["jurisdiction", "name", "division"]

    name = "High Court of Justice"
    division = "Intellectual Property List"
    jurisdiction = factory.SubFactory(JurisdictionFactory)


class MatterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Matter

    reference = factory.Sequence(lambda n: f"TST-{n:04d}")
    title = factory.Sequence(lambda n: f"Test matter {n}")
    opened_on = date(2026, 1, 5)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    matter = factory.SubFactory(MatterFactory)
    name = factory.Sequence(lambda n: f"Party {n} Ltd")
    role = PartyRole.CLAIMANT
    country = "GB"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    matter = factory.SubFactory(MatterFactory)
    name = factory.Sequence(lambda n: f"Witness {n}")


class ProceedingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proceeding

    matter = factory.SubFactory(MatterFactory)
    court = factory.SubFactory(CourtFactory)
    case_number = factory.Sequence(lambda n: f"IL-2026-{n:06d}")
    title = "Claimant v Defendant"
    our_side = PartyRole.CLAIMANT
    issued_on = date(2026, 3, 2)


class HearingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hearing

    proceeding = factory.SubFactory(ProceedingFactory)
    kind = Hearing.Kind.CMC
    starts_at = datetime(2027, 3, 9, 10, 30, tzinfo=UTC)
    venue = "Rolls Building, Court 17"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    proceeding = factory.SubFactory(ProceedingFactory)
    cause_of_action = "Breach of confidence"


class AllegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allegation

    claim = factory.SubFactory(ClaimFactory)
    paragraph = factory.Sequence(lambda n: str(n + 1))
    text = "The Defendant accessed the API under a pretext."


def member(user, matter, role: Role, clearance: Clearance = Clearance.STANDARD):
    return MatterMembership.objects.create(user=user, matter=matter, role=role, clearance=clearance)


class ExhibitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exhibit

    matter = factory.SubFactory(MatterFactory)
    prefix = "MA"
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Document {n}")
    document_type = Exhibit.DocumentType.LETTER
    designation = Clearance.STANDARD
    created_by = factory.SubFactory(UserFactory)


class ExhibitFileFactory(factory.django.DjangoModelFactory):
    """A file row without stored bytes: enough for what links and pinpoints read."""

    class Meta:
        model = ExhibitFile

    exhibit = factory.SubFactory(ExhibitFactory)
    matter = factory.SelfAttribute("exhibit.matter")
    original_name = factory.Sequence(lambda n: f"document-{n}.pdf")
    size = 1024
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    kind = "pdf"
    mime = "application/pdf"
    storage_key = factory.LazyAttribute(lambda f: f"sha256/{f.sha256}")
    uploaded_by = factory.SelfAttribute("exhibit.created_by")
    rendition = ExhibitFile.Rendition.READY
    page_count = 20


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    matter = factory.SubFactory(MatterFactory)
    date = date(2025, 11, 3)
    title = factory.Sequence(lambda n: f"Event {n}")
    created_by = factory.SubFactory(UserFactory)


class EvidenceLinkFactory(factory.django.DjangoModelFactory):
    """Give `allegation=` or `event=`: a link points at exactly one of them."""

    class Meta:
        model = EvidenceLink

    exhibit = factory.SubFactory(ExhibitFactory)
    matter = factory.SelfAttribute("exhibit.matter")
    created_by = factory.SelfAttribute("exhibit.created_by")
