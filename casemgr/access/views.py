from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView

from casemgr.access import policy
from casemgr.access.forms import MembershipForm
from casemgr.access.mixins import MatterMixin
from casemgr.access.services import membership_grant
from casemgr.matters.selectors import members_of


class MembersView(MatterMixin, FormView):
    """Who is on the matter; partners add people or change their role and clearance."""

    template_name = "access/members.html"
    form_class = MembershipForm

    def post(self, request, *args, **kwargs):
        if not policy.can_manage_members(request.user, self.matter):
            policy.audit_forbidden(
                request, matter=self.matter, reason="not a partner on the matter"
            )
            raise PermissionDenied("Only the matter's partners manage its members.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        membership = membership_grant(
            matter=self.matter,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
            clearance=form.cleaned_data["clearance"],
            actor=self.request.user,
            request=self.request,
        )
        role = membership.get_role_display().lower()
        messages.success(
            self.request, f"{membership.user.get_username()} is now {role} on this matter."
        )
        return HttpResponseRedirect(reverse("access:members", kwargs={"matter_pk": self.matter.pk}))

    def get_context_data(self, **kwargs):
        return super().get_context_data(members=members_of(matter=self.matter), **kwargs)
