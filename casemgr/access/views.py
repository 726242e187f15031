from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, View

from casemgr.access import policy
from casemgr.access.forms import MembershipForm
from casemgr.access.mixins import MatterMixin
from casemgr.access.models import MatterMembership
from casemgr.access.services import membership_grant, membership_revoke
from casemgr.matters.selectors import members_of


class _ManageMembersMixin(MatterMixin):
    """Any member sees who is on the matter; only its partners change that."""

    def authorize(self, request) -> None:
        if request.method == "POST" and not policy.can_manage_members(request.user, self.matter):
            policy.audit_forbidden(
                request, matter=self.matter, reason="not a partner on the matter"
            )
            raise PermissionDenied("Only the matter's partners manage its members.")

    def members_url(self) -> str:
        return reverse("access:members", kwargs={"matter_pk": self.matter.pk})


class MembersView(_ManageMembersMixin, FormView):
    """Who is on the matter; partners add people or change their role and clearance."""

    template_name = "access/members.html"
    form_class = MembershipForm

    def form_valid(self, form):
        try:
            membership = membership_grant(
                matter=self.matter,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                clearance=form.cleaned_data["clearance"],
                actor=self.request.user,
                request=self.request,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        role = membership.get_role_display().lower()
        messages.success(
            self.request, f"{membership.user.get_username()} is now {role} on this matter."
        )
        return HttpResponseRedirect(self.members_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(members=members_of(matter=self.matter), **kwargs)


class MemberRemoveView(_ManageMembersMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = self.get_in_matter_or_404(
            MatterMembership.objects.select_related("user"), pk=kwargs["pk"]
        )
        try:
            membership_revoke(membership=membership, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{membership.user.get_username()} is off this matter.")
        return HttpResponseRedirect(self.members_url())
