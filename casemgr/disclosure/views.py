"""The Disclosure pages of a proceeding: its two lists, adding, editing and removing an
entry, and the exports. Every read goes through the selectors with the user, so a document
above their clearance is on no list of theirs and its entry is 404 to them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView, View

from casemgr.access.audit import audit_record
from casemgr.access.mixins import MatterEditMixin, MatterMixin
from casemgr.access.models import AuditAction
from casemgr.core import layout
from casemgr.disclosure import exports, selectors, services
from casemgr.disclosure.columns import COLUMNS, TITLES
from casemgr.disclosure.forms import AddForm, EntryForm
from casemgr.disclosure.grounds import FORM_LABELS, Form
from casemgr.disclosure.models import DisclosureEntry
from casemgr.matters.models import Proceeding
from casemgr.timeline.export_views import download


def disclosure_url(proceeding: Proceeding, form: Form | None = None) -> str:
    url = reverse("disclosure:disclosure", args=[proceeding.matter_id, proceeding.pk])
    return f"{url}?form={form}" if form else url


class _ProceedingMixin:
    """The proceeding in the URL, and the form its lists are shown in: the court's own,
    unless the page was asked for the other (?form=frcp)."""

    proceeding: Proceeding
    form: Form

    def authorize(self, request) -> None:
        super().authorize(request)
        self.proceeding = self.get_in_matter_or_404(
            Proceeding.objects.select_related("court__jurisdiction", "matter"),
            pk=self.kwargs["proceeding_pk"],
        )
        asked = request.GET.get("form") or request.POST.get("form") or ""
        default = selectors.default_form(self.proceeding)
        self.form = Form(asked) if asked in Form._value2member_map_ else default
        self.chosen = self.form if self.form != default else None

    def back_url(self) -> str:
        return disclosure_url(self.proceeding, self.chosen)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            proceeding=self.proceeding,
            form_kind=self.form,
            form_label=FORM_LABELS[self.form],
            chosen=self.chosen or "",
            back_url=self.back_url(),
        )
        return context


class DisclosureIndexView(MatterMixin, TemplateView):
    """The matter's proceedings, each with the size of its lists: the way into each."""

    template_name = "disclosure/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        proceedings = list(
            Proceeding.objects.visible_to(self.request.user)
            .filter(matter=self.matter)
            .select_related("court__jurisdiction")
        )
        for proceeding in proceedings:
            lists = selectors.lists_for(proceeding=proceeding, user=self.request.user)
            proceeding.disclosed_count = len(lists.disclosed)
            proceeding.withheld_count = len(lists.withheld)
            proceeding.form_label = FORM_LABELS[lists.form]
            proceeding.disclosure_url = disclosure_url(proceeding)
        context["proceedings"] = proceedings
        return context


class DisclosureView(_ProceedingMixin, MatterMixin, TemplateView):
    template_name = "disclosure/disclosure.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lists = selectors.lists_for(
            proceeding=self.proceeding, user=self.request.user, form=self.form
        )
        sections = []
        for which in exports.LISTS:
            sections.append(
                {
                    "which": which,
                    "title": TITLES[self.form, which],
                    "columns": [c.heading for c in COLUMNS[self.form, which]],
                    "rows": [
                        (row, [c.value(row) for c in COLUMNS[self.form, which]])
                        for row in lists.rows(which)
                    ],
                    "exports": [
                        (
                            label,
                            reverse(
                                "disclosure:export",
                                args=[self.matter.pk, self.proceeding.pk, which, fmt],
                            )
                            + (f"?form={self.chosen}" if self.chosen else ""),
                        )
                        for fmt, label in (("pdf", "PDF"), ("xlsx", "Excel"), ("csv", "CSV"))
                    ],
                }
            )
        context["sections"] = sections
        context["other_forms"] = [
            (FORM_LABELS[form], disclosure_url(self.proceeding, form)) for form in Form
        ]
        return context


class EntryAddView(_ProceedingMixin, MatterEditMixin, TemplateView):
    template_name = "disclosure/entry_form.html"

    def get_form(self, data=None, initial=None):
        return AddForm(
            data,
            initial=initial,
            kind=self.kwargs["kind"],
            form=self.form,
            proceeding=self.proceeding,
            user=self.request.user,
            matter=self.matter,
            instance=DisclosureEntry(matter=self.matter, kind=self.kwargs["kind"]),
        )

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        # "State the ground" on a row made from a redaction names its exhibit.
        prefix, _, number = request.GET.get("exhibit", "").partition("-")
        if number.isdigit():
            found = form.fields["exhibit"].queryset.filter(prefix=prefix, number=number).first()
            if found is not None:
                initial = {"exhibit": found.pk, "withholding": "redacted"}
                form = self.get_form(initial=initial)
        return self.respond(form)

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                entry = services.entry_add(
                    proceeding=self.proceeding,
                    exhibit=form.cleaned_data["exhibit"],
                    kind=self.kwargs["kind"],
                    actor=request.user,
                    request=request,
                    **form.entry_fields(),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"{entry.exhibit.reference} added to the list.")
                return HttpResponseRedirect(self.back_url())
        return self.respond(form, status=400)

    def respond(self, form, status=200):
        kind = self.kwargs["kind"]
        context = self.get_context_data(
            entry_form=form,
            title=f"Add a document to “{TITLES[self.form, kind]}”",
            kind=kind,
        )
        return self.render_to_response(context, status=status)


def _add_errors(form, error: ValidationError) -> None:
    """The service's complaint on the field it names, if the form shows it; else on top."""
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


class _EntryMixin(_ProceedingMixin):
    def get_entry(self) -> DisclosureEntry:
        entry = self.get_in_matter_or_404(
            DisclosureEntry.objects.select_related("exhibit"), pk=self.kwargs["pk"]
        )
        if entry.proceeding_id != self.proceeding.pk:
            raise Http404("No such entry.")
        return entry


class EntryEditView(_EntryMixin, MatterEditMixin, TemplateView):
    template_name = "disclosure/entry_form.html"

    def get_form(self, entry, data=None):
        return EntryForm(data, kind=entry.kind, form=self.form, matter=self.matter, instance=entry)

    def get(self, request, *args, **kwargs):
        entry = self.get_entry()
        return self.respond(entry, self.get_form(entry))

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        form = self.get_form(entry, request.POST)
        if form.is_valid():
            try:
                services.entry_save(entry=form.instance, actor=request.user, request=request)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"{entry.exhibit.reference}: entry saved.")
                return HttpResponseRedirect(self.back_url())
        return self.respond(entry, form, status=400)

    def respond(self, entry, form, status=200):
        context = self.get_context_data(
            entry_form=form,
            entry=entry,
            title=f"{entry.exhibit.reference}: {TITLES[self.form, entry.kind]}",
            kind=entry.kind,
        )
        return self.render_to_response(context, status=status)


class EntryRemoveView(_EntryMixin, MatterEditMixin, TemplateView):
    template_name = "disclosure/entry_remove.html"

    def get(self, request, *args, **kwargs):
        entry = self.get_entry()
        context = self.get_context_data(entry=entry, list_title=TITLES[self.form, entry.kind])
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        reference = entry.exhibit.reference
        services.entry_remove(entry=entry, actor=request.user, request=request)
        messages.success(request, f"{reference} removed from the list.")
        return HttpResponseRedirect(self.back_url())


class ExportView(_ProceedingMixin, MatterMixin, View):
    """One list as a download, in the form asked for; each download is audited."""

    def get(self, request, *args, **kwargs):
        which, fmt = self.kwargs["which"], self.kwargs["fmt"]
        if which not in exports.LISTS or fmt not in exports.EXPORTS:
            raise Http404("No such export.")
        try:
            export = exports.EXPORTS[fmt](
                proceeding=self.proceeding, user=request.user, form=self.form, which=which
            )
        except layout.LayoutFailed as error:
            return render(
                request,
                "timeline/export_failed.html",
                {
                    "matter": self.matter,
                    "export": TITLES[self.form, which],
                    "reason": str(error),
                    "advice": "Shorten the longest descriptions on the list and try again.",
                    "back": self.back_url(),
                },
                status=503,
            )
        audit_record(
            action=AuditAction.DOWNLOAD,
            request=request,
            matter=self.matter,
            obj=self.proceeding,
            detail={
                "export": f"{TITLES[self.form, which]} ({fmt.upper()})",
                "form": str(self.form),
                "filename": export.filename,
            },
        )
        return download(export)
