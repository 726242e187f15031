"""The timeline's pages: the chronology with its filters, inline editing of events and their
evidence (htmx, and plain forms without JavaScript), an allegation's proof, a claim's
evidence matrix and the gaps.

Every read goes through the selectors (scoped to the reader's clearance, a fixed number of
queries) and every write through the services (validated and audited). The inline forms
are progressive: each is also a page of its own that posts and redirects back to the
chronology, so the page works with JavaScript off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView, View

from casemgr.access import policy
from casemgr.access.mixins import MatterEditMixin, MatterMixin
from casemgr.pleadings.models import Allegation, Claim
from casemgr.timeline import dates, selectors, services
from casemgr.timeline.forms import EventForm, EvidenceLinkForm, TimelineFilterForm
from casemgr.timeline.models import Event, EvidenceLink

PAGE_SIZE = 100
_MONTHS = dates._MONTHS


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@dataclass
class Month:
    label: str  # "March 2026"; "" for entries dated only to the year
    items: list = field(default_factory=list)


@dataclass
class Year:
    year: int
    months: list[Month] = field(default_factory=list)


def group_by_month(items) -> list[Year]:
    """Entries in chronology order, under their year and month. An entry dated only to a
    year comes first in it, under the year alone; a range sits in the month it starts."""
    years: list[Year] = []
    for item in items:
        if not years or years[-1].year != item.date.year:
            years.append(Year(item.date.year))
        month = f"{_MONTHS[item.date.month - 1]} {item.date.year}"
        label = "" if item.precision == dates.YEAR else month
        months = years[-1].months
        if not months or months[-1].label != label:
            months.append(Month(label))
        months[-1].items.append(item)
    return years


def timeline_context(request, matter, query) -> dict:
    """What the chronology shows for this query string: the page's and the inline forms'
    answers share it, so a saved event reappears in the reader's filtered view."""
    form = TimelineFilterForm(query or None, matter=matter)
    filters = selectors.TimelineFilters(**form.applied())
    timeline = selectors.timeline_for(matter=matter, user=request.user, filters=filters)
    number = query.get("page")
    event = query.get("event", "")
    if number is None and event.isdigit():
        # A link to one event (a search hit) opens the page it is on.
        position = timeline.position(int(event))
        number = position // PAGE_SIZE + 1 if position is not None else None
    page = Paginator(timeline, PAGE_SIZE).get_page(number)
    items = list(page.object_list)
    rest = query.copy()
    rest.pop("page", None)
    rest.pop("event", None)
    return {
        "form": form,
        "filtered": bool(form.applied()),
        "page": page,
        "years": group_by_month(items),
        "query": rest.urlencode(),
        "timeline_url": _timeline_url(matter, query),
        "claims_by_id": {c.pk: c for c in form.claims},
        "several_claims": len(form.claims) > 1,
    }


def _timeline_url(matter, query) -> str:
    url = reverse("timeline:timeline", kwargs={"matter_pk": matter.pk})
    return f"{url}?{query.urlencode()}" if query else url


class TimelineView(MatterMixin, TemplateView):
    template_name = "timeline/timeline.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **timeline_context(self.request, self.matter, self.request.GET), **kwargs
        )


# --- Inline editing --------------------------------------------------------------------------


class _EventMixin:
    """An event of this matter the reader may see; anything else is 404."""

    def get_event(self, pk) -> Event:
        return self.get_in_matter_or_404(Event.objects.visible_to(self.request.user), pk=pk)

    def back_url(self) -> str:
        """The page the reader came from, filters and all (`next`, if it is on this site),
        else the default: the plain chronology."""
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=False
        ):
            return wanted
        return self.default_back_url()

    def default_back_url(self) -> str:
        return reverse("timeline:timeline", kwargs={"matter_pk": self.matter.pk})

    def render_item(self, event: Event, *, mode: str = "view", form=None, status=200, **extra):
        """One entry of the chronology, as the page shows it, or with a form open inside."""
        item = _item_of(self.request.user, event)
        context = {
            "matter": self.matter,
            "item": item,
            "mode": mode,
            "focus_item": mode == "view",
            "inline_form": form,
            "can_edit": policy.can_edit(self.request.user, self.matter),
            "next": self.back_url(),
            "timeline_url": self.back_url(),
            "claims_by_id": {c.pk: c for c in Claim.objects.in_matter(self.matter)},
        }
        context["several_claims"] = len(context["claims_by_id"]) > 1
        context.update(extra)
        return TemplateResponse(self.request, "timeline/_item.html", context, status=status)


def _item_of(user, event: Event) -> selectors.TimelineItem:
    item = selectors._event_item(event)
    selectors._event_details([event], user)
    return item


class EventItemView(_EventMixin, MatterMixin, View):
    """One entry, for htmx to put back after a cancelled form; a plain visit goes to it on
    the chronology."""

    def get(self, request, *args, **kwargs):
        event = self.get_event(kwargs["pk"])
        if not is_htmx(request):
            return HttpResponseRedirect(f"{self.back_url()}#event-{event.pk}")
        return self.render_item(event)


class _EventFormView(_EventMixin, MatterEditMixin, TemplateView):
    """An event's form: inline in its entry (htmx) or as a page of its own."""

    template_name = "timeline/event_form.html"

    def get_event_or_new(self) -> Event:
        raise NotImplementedError

    def get_form(self, data=None):
        # Ids of their own: the page holds the filters and perhaps other entries' forms.
        return EventForm(
            data,
            auto_id=f"event-{self.event.pk or 'new'}-%s",
            instance=self.event,
            matter=self.matter,
            clearance=policy.clearance(self.request.user, self.matter),
        )

    def get(self, request, *args, **kwargs):
        self.event = self.get_event_or_new()
        return self.respond(self.get_form())

    def post(self, request, *args, **kwargs):
        self.event = self.get_event_or_new()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                event = services.event_save(
                    event=form.instance,
                    actor=request.user,
                    request=request,
                    m2m=form.many_to_many_data(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self.saved(event)
        return self.respond(form, status=422 if is_htmx(request) else 200)

    def respond(self, form, status=200):
        return self.render_to_response(
            self.get_context_data(inline_form=form, event=self.event, next=self.back_url()),
            status=status,
        )


class EventCreateView(_EventFormView):
    def get_event_or_new(self) -> Event:
        return Event(matter=self.matter)

    def respond(self, form, status=200):
        if is_htmx(self.request):
            return TemplateResponse(
                self.request,
                "timeline/_event_new.html",
                {"matter": self.matter, "inline_form": form, "next": self.back_url()},
                status=status,
            )
        return super().respond(form, status)

    def saved(self, event: Event):
        if not is_htmx(self.request):
            return HttpResponseRedirect(f"{self.back_url()}#event-{event.pk}")
        # The new entry takes its place in the reader's chronology, which is redrawn.
        back = self.back_url()
        query = back.partition("?")[2]
        context = timeline_context(self.request, self.matter, QueryDict(query))
        context.update(
            matter=self.matter,
            can_edit=True,
            focus=f"event-{event.pk}",
            saved_message=f"Event “{event.title}” added.",
        )
        response = TemplateResponse(self.request, "timeline/_chronology.html", context)
        response["HX-Retarget"] = "#chronology"
        response["HX-Reswap"] = "outerHTML"
        return response


class EventUpdateView(_EventFormView):
    def get_event_or_new(self) -> Event:
        return self.get_event(self.kwargs["pk"])

    def respond(self, form, status=200):
        if is_htmx(self.request):
            return self.render_item(self.event, mode="edit", form=form, status=status)
        return super().respond(form, status)

    def saved(self, event: Event):
        if not is_htmx(self.request):
            return HttpResponseRedirect(f"{self.back_url()}#event-{event.pk}")
        return self.render_item(event)


class _LinkFormView(_EventMixin, MatterEditMixin, TemplateView):
    """An evidence link's form. A link to an event opens inline in its entry (htmx) or as a
    page of its own, and goes back to the chronology; a link to an allegation is a page that
    goes back to the allegation's proof."""

    template_name = "timeline/link_form.html"

    def get_link(self) -> EvidenceLink:
        raise NotImplementedError

    def action(self) -> str:
        return self.request.path

    def default_back_url(self) -> str:
        if self.link.allegation_id:
            return proof_url(self.matter, self.link.allegation_id)
        return super().default_back_url()

    def anchor(self) -> str:
        """Where on the page to land: the event's entry, or the proof's evidence."""
        if self.link.event_id:
            return f"#event-{self.link.event_id}"
        back = self.back_url()
        return "#evidence" if back == proof_url(self.matter, self.link.allegation_id) else ""

    def get_form(self, data=None):
        target = f"event-{self.link.event_id}" if self.link.event_id else "allegation"
        return EvidenceLinkForm(
            data,
            auto_id=f"link-{target}-%s",
            instance=self.link,
            matter=self.matter,
            user=self.request.user,
        )

    def get(self, request, *args, **kwargs):
        self.link = self.get_link()
        return self.respond(self.get_form())

    def post(self, request, *args, **kwargs):
        self.link = self.get_link()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                services.evidence_link_save(link=form.instance, actor=request.user, request=request)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self.done()
        return self.respond(form, status=422 if is_htmx(request) else 200)

    def done(self):
        if is_htmx(self.request) and self.link.event_id:
            return self.render_item(self.link.event)
        return HttpResponseRedirect(f"{self.back_url()}{self.anchor()}")

    def respond(self, form, status=200):
        link = self.link
        context = {"inline_form": form, "link": link, "link_action": self.action()}
        if is_htmx(self.request) and link.event_id:
            return self.render_item(link.event, mode="link", form=form, status=status, **context)
        context.update(event=link.event, allegation=link.allegation, next=self.back_url())
        return self.render_to_response(self.get_context_data(**context), status=status)


class _ExistingLinkMixin:
    """A link of this matter the reader may see (its exhibit, and its event, within their
    clearance); anything else is 404."""

    def get_link(self) -> EvidenceLink:
        return self.get_in_matter_or_404(
            EvidenceLink.objects.visible_to(self.request.user).select_related(
                "exhibit", "exhibit_file", "event", "allegation__claim"
            ),
            pk=self.kwargs["pk"],
        )


class EvidenceLinkCreateView(_LinkFormView):
    """Pin an exhibit to an event."""

    def get_link(self) -> EvidenceLink:
        return EvidenceLink(matter=self.matter, event=self.get_event(self.kwargs["pk"]))


class AllegationLinkCreateView(_LinkFormView):
    """Pin an exhibit to an allegation: its proof, from the proof page or the gaps list."""

    def get_link(self) -> EvidenceLink:
        allegation = self.get_in_matter_or_404(
            Allegation.objects.select_related("claim"), pk=self.kwargs["pk"]
        )
        return EvidenceLink(matter=self.matter, allegation=allegation)


class EvidenceLinkUpdateView(_ExistingLinkMixin, _LinkFormView):
    """Change a link's file, pinpoint, stance or note. Its exhibit and what it is pinned to
    stay (as in the API): pinning another exhibit is a new link."""


class EvidenceLinkRemoveView(_ExistingLinkMixin, _LinkFormView):
    """Unpin an exhibit: a page that asks first (without JavaScript), or straight from the
    entry, where the button asks (htmx)."""

    template_name = "timeline/link_remove.html"

    def get(self, request, *args, **kwargs):
        self.link = self.get_link()
        return self.render_to_response(self.get_context_data(link=self.link, next=self.back_url()))

    def post(self, request, *args, **kwargs):
        self.link = self.get_link()
        services.evidence_link_remove(link=self.link, actor=request.user, request=request)
        return self.done()


def proof_url(matter, allegation_id: int) -> str:
    return reverse(
        "timeline:allegation_proof", kwargs={"matter_pk": matter.pk, "pk": allegation_id}
    )


# --- Proof, matrix and gaps ------------------------------------------------------------------


class AllegationProofView(MatterMixin, TemplateView):
    template_name = "timeline/proof.html"

    def get_context_data(self, **kwargs):
        allegation = self.get_in_matter_or_404(
            Allegation.objects.select_related("claim__proceeding", "against"),
            pk=self.kwargs["pk"],
        )
        return super().get_context_data(
            proof=selectors.allegation_proof(allegation=allegation, user=self.request.user),
            allegation=allegation,
            **kwargs,
        )


class ClaimMatrixView(MatterMixin, TemplateView):
    template_name = "timeline/matrix.html"

    def get_context_data(self, **kwargs):
        claim = self.get_in_matter_or_404(
            Claim.objects.select_related("proceeding"), pk=self.kwargs["pk"]
        )
        return super().get_context_data(
            claim=claim,
            matrix=selectors.claim_evidence_matrix(claim=claim, user=self.request.user),
            **kwargs,
        )


class GapsView(MatterMixin, TemplateView):
    template_name = "timeline/gaps.html"

    def get_context_data(self, **kwargs):
        claims = list(Claim.objects.in_matter(self.matter))
        return super().get_context_data(
            gaps=selectors.evidence_gaps(matter=self.matter, user=self.request.user),
            claims=claims,
            several_claims=len(claims) > 1,
            **kwargs,
        )
