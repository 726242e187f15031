from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import CreateView, DetailView, TemplateView

from casemgr.access import policy
from casemgr.access.mixins import MatterMixin
from casemgr.core.views import RecordCreateView, RecordUpdateView
from casemgr.matters import selectors, services
from casemgr.matters.forms import HearingForm, MatterForm, PartyForm, PersonForm, ProceedingForm
from casemgr.matters.models import Hearing, Matter, Party, Person, Proceeding


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "matters/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            matters=selectors.matters_for(user=user),
            hearings=selectors.upcoming_hearings(user=user, limit=10),
            can_open_matter=policy.can_open_matter(user),
            **kwargs,
        )


class MatterCreateView(LoginRequiredMixin, CreateView):
    model = Matter
    form_class = MatterForm
    template_name = "core/record_form.html"
    extra_context = {"title": "Open a new matter"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not policy.can_open_matter(request.user):
            raise PermissionDenied("Only firm staff may open matters.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "matter": None}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("dashboard"), **kwargs)

    def form_valid(self, form):
        self.object = services.matter_open(
            actor=self.request.user, request=self.request, matter=form.instance
        )
        messages.success(self.request, f"Matter {self.object.reference} opened.")
        return HttpResponseRedirect(self.object.get_absolute_url())


class MatterUpdateView(RecordUpdateView):
    model = Matter
    form_class = MatterForm
    success_noun = "Matter"

    def get_object(self, queryset=None):
        return self.matter

    def get_success_url(self) -> str:
        return self.matter.get_absolute_url()


class MatterOverviewView(MatterMixin, TemplateView):
    template_name = "matters/overview.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **selectors.matter_overview(matter=self.matter, user=self.request.user), **kwargs
        )


class PartyListView(MatterMixin, TemplateView):
    """Parties with their corporate groups, and the dramatis personae."""

    template_name = "matters/parties.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            parties=selectors.parties_of(matter=self.matter),
            people=selectors.people_of(matter=self.matter),
            **kwargs,
        )


class _PartiesPageMixin:
    def get_success_url(self) -> str:
        return reverse("matters:parties", kwargs={"matter_pk": self.matter.pk})

    cancel_url = get_success_url


class PartyCreateView(_PartiesPageMixin, RecordCreateView):
    model = Party
    form_class = PartyForm
    success_noun = "Party"


class PartyUpdateView(_PartiesPageMixin, RecordUpdateView):
    model = Party
    form_class = PartyForm
    success_noun = "Party"


class PersonCreateView(_PartiesPageMixin, RecordCreateView):
    model = Person
    form_class = PersonForm
    success_noun = "Person"


class PersonUpdateView(_PartiesPageMixin, RecordUpdateView):
    model = Person
    form_class = PersonForm
    success_noun = "Person"


class ProceedingListView(MatterMixin, TemplateView):
    template_name = "matters/proceedings.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            proceedings=selectors.proceedings_of(matter=self.matter), **kwargs
        )


class ProceedingDetailView(MatterMixin, DetailView):
    """A proceeding and its hearings; its triggers and deadlines come from the deadlines
    app's own tag (templatetags/deadlines.py), so that matters does not reach up into it."""

    template_name = "matters/proceeding.html"
    context_object_name = "proceeding"

    def get_object(self, queryset=None):
        return self.get_in_matter_or_404(
            selectors.proceedings_of(matter=self.matter), pk=self.kwargs["pk"]
        )


class _ProceedingMixin:
    model = Proceeding
    form_class = ProceedingForm
    success_noun = "Proceeding"

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()

    def cancel_url(self) -> str:
        return reverse("matters:proceedings", kwargs={"matter_pk": self.matter.pk})


class ProceedingCreateView(_ProceedingMixin, RecordCreateView):
    pass


class ProceedingUpdateView(_ProceedingMixin, RecordUpdateView):
    pass


class _HearingMixin:
    model = Hearing
    form_class = HearingForm
    success_noun = "Hearing"
    save_service = staticmethod(services.hearing_save)

    def get_success_url(self) -> str:
        return self.object.proceeding.get_absolute_url()


class HearingCreateView(_HearingMixin, RecordCreateView):
    def new_instance(self) -> Hearing:
        proceeding = self.get_in_matter_or_404(
            Proceeding.objects.select_related("court__jurisdiction"),
            pk=self.kwargs["proceeding_pk"],
        )
        return Hearing(proceeding=proceeding)

    def cancel_url(self) -> str:
        return reverse(
            "matters:proceeding",
            kwargs={"matter_pk": self.matter.pk, "pk": self.kwargs["proceeding_pk"]},
        )


class HearingUpdateView(_HearingMixin, RecordUpdateView):
    def get_queryset(self):
        return super().get_queryset().select_related("proceeding__court__jurisdiction")
