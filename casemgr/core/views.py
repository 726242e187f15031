"""Building blocks shared by the pages of every app."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views.generic import CreateView, UpdateView

from casemgr.access.mixins import MatterEditMixin
from casemgr.core.services import record_save


class RecordFormMixin(MatterEditMixin):
    """Create or edit one of a matter's records through `record_save`.

    Subclasses name `model`, `form_class` and `success_noun`; `new_instance()` returns the
    unsaved row a create form starts from, already attached to its matter (or parent), so
    that model validation runs against the right matter.
    """

    template_name = "core/record_form.html"
    success_noun = "Record"
    # The service that writes the record; a model whose saving has consequences (a hearing
    # moves its reminders) names its own.
    save_service = staticmethod(record_save)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["matter"] = self.matter
        if kwargs.get("instance") is None:
            kwargs["instance"] = self.new_instance()
        return kwargs

    def new_instance(self):
        return self.model(matter=self.matter)

    def form_valid(self, form):
        creating = form.instance._state.adding
        try:
            self.object = self.save_service(
                instance=form.instance,
                actor=self.request.user,
                request=self.request,
                m2m=form.many_to_many_data(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        verb = "added" if creating else "saved"
        messages.success(self.request, f"{self.success_noun} “{self.object}” {verb}.")
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = (
            f"Edit {self.success_noun.lower()}"
            if self.object
            else f"New {self.success_noun.lower()}"
        )
        context["cancel_url"] = self.get_success_url() if self.object else self.cancel_url()
        return context

    def cancel_url(self) -> str:
        return self.matter.get_absolute_url()


class RecordCreateView(RecordFormMixin, CreateView):
    pass


class RecordUpdateView(RecordFormMixin, UpdateView):
    def get_queryset(self):
        return self.model.objects.all()

    def get_object(self, queryset=None):
        return self.get_in_matter_or_404(self.get_queryset(), pk=self.kwargs["pk"])
