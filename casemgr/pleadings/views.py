from __future__ import annotations

from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from casemgr.access.mixins import MatterMixin
from casemgr.core.views import RecordCreateView, RecordUpdateView
from casemgr.pleadings.forms import AllegationForm, ClaimForm
from casemgr.pleadings.models import Allegation, Claim
from casemgr.pleadings.selectors import claims_of


class ClaimListView(MatterMixin, TemplateView):
    """Every claim in the matter with its allegations and the pleaded responses."""

    template_name = "pleadings/claims.html"

    def get_context_data(self, **kwargs):
        response = self.request.GET.get("response", "")
        if response not in Allegation.Response.values:
            response = ""
        return super().get_context_data(
            claims=claims_of(matter=self.matter, response=response),
            responses=Allegation.Response.choices,
            response_filter=response,
            **kwargs,
        )


class ClaimDetailView(MatterMixin, DetailView):
    template_name = "pleadings/claim.html"
    context_object_name = "claim"

    def get_object(self, queryset=None):
        return self.get_in_matter_or_404(claims_of(matter=self.matter), pk=self.kwargs["pk"])


class _ClaimMixin:
    model = Claim
    form_class = ClaimForm
    success_noun = "Claim"

    def new_instance(self) -> Claim:
        return Claim()

    def get_success_url(self) -> str:
        return reverse(
            "pleadings:claim", kwargs={"matter_pk": self.matter.pk, "pk": self.object.pk}
        )

    def cancel_url(self) -> str:
        return reverse("pleadings:claims", kwargs={"matter_pk": self.matter.pk})


class ClaimCreateView(_ClaimMixin, RecordCreateView):
    pass


class ClaimUpdateView(_ClaimMixin, RecordUpdateView):
    pass


class _AllegationMixin:
    model = Allegation
    form_class = AllegationForm
    success_noun = "Allegation"

    def get_success_url(self) -> str:
        return reverse(
            "pleadings:claim", kwargs={"matter_pk": self.matter.pk, "pk": self.object.claim_id}
        )


class AllegationCreateView(_AllegationMixin, RecordCreateView):
    def new_instance(self) -> Allegation:
        claim = self.get_in_matter_or_404(Claim.objects.all(), pk=self.kwargs["claim_pk"])
        return Allegation(claim=claim)

    def cancel_url(self) -> str:
        return reverse(
            "pleadings:claim", kwargs={"matter_pk": self.matter.pk, "pk": self.kwargs["claim_pk"]}
        )


class AllegationUpdateView(_AllegationMixin, RecordUpdateView):
    pass
