"""The search page of a matter: the hits for what was typed, grouped by kind, within the
reader's clearance (the selector applies it), with filters read from the query string so that
a search can be shared as a link."""

from __future__ import annotations

from django.views.generic import TemplateView

from casemgr.access import policy
from casemgr.access.mixins import MatterMixin
from casemgr.search.forms import SearchForm
from casemgr.search.selectors import search_for


class SearchView(MatterMixin, TemplateView):
    template_name = "search/results.html"

    def get_context_data(self, **kwargs):
        form = SearchForm(
            self.request.GET or None,
            matter=self.matter,
            clearance=policy.clearance(self.request.user, self.matter),
        )
        form.is_valid()
        query = form.cleaned_data.get("q", "") if form.is_bound else ""
        results = None
        if query:
            results = search_for(
                matter=self.matter,
                user=self.request.user,
                query=query,
                filters=form.filters(),
                page=_page_number(self.request.GET.get("page")),
            )
        return super().get_context_data(
            form=form,
            query=query,
            results=results,
            one_kind=len(form.filters().kinds) == 1,
            # What was typed, even when too long to search, stays in the header's box.
            search_typed=self.request.GET.get("q", ""),
            **kwargs,
        )


def _page_number(value: str | None) -> int:
    """?page=, where anything but a positive number is the first page."""
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
