"""View mixins: every page inside a matter resolves the matter through here."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from casemgr.access import policy
from casemgr.matters.models import Matter


class MatterMixin(LoginRequiredMixin):
    """A page inside a matter (`matter_pk` in the URL). Not a member: 404, audited."""

    matter: Matter

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.matter = policy.get_visible_or_404(
            Matter.objects.all(), request=request, pk=kwargs["matter_pk"]
        )
        self.authorize(request)
        return super().dispatch(request, *args, **kwargs)

    def authorize(self, request) -> None:
        """Further checks once the matter is known to be visible; raise to refuse."""

    def get_in_matter_or_404(self, queryset, **lookup):
        """One row of this matter; anything else is 404 (see policy.get_in_matter_or_404)."""
        return policy.get_in_matter_or_404(
            queryset, matter=self.matter, request=self.request, **lookup
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["matter"] = self.matter
        context["can_edit"] = policy.can_edit(self.request.user, self.matter)
        context["can_manage_members"] = policy.can_manage_members(self.request.user, self.matter)
        return context


class MatterEditMixin(MatterMixin):
    """A page that changes a matter's records: members who only read get 403, audited."""

    def authorize(self, request) -> None:
        if not policy.can_edit(request.user, self.matter):
            policy.audit_forbidden(request, matter=self.matter, reason="read-only member")
            raise PermissionDenied("Your role on this matter is read-only.")
