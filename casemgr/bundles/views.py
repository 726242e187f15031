from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from casemgr.access import policy
from casemgr.access.audit import audit_record
from casemgr.access.mixins import MatterEditMixin, MatterMixin
from casemgr.access.models import AuditAction
from casemgr.bundles import selectors, services
from casemgr.bundles.forms import BundleForm, SectionForm, SplitForm
from casemgr.bundles.models import Bundle, Entry, Section, Version
from casemgr.core.views import RecordCreateView, RecordUpdateView
from casemgr.evidence import storage
from casemgr.evidence.forms import ExhibitFilterForm
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.evidence.selectors import ExhibitFilters, exhibits_for

log = logging.getLogger(__name__)


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


class BundleListView(MatterMixin, TemplateView):
    template_name = "bundles/bundles.html"

    def get_context_data(self, **kwargs):
        bundles = selectors.bundles_for(matter=self.matter, user=self.request.user)
        return super().get_context_data(bundles=bundles, **kwargs)


class _BundleFormMixin:
    def get_form_kwargs(self):
        clearance = policy.clearance(self.request.user, self.matter)
        return {**super().get_form_kwargs(), "clearance": clearance}


class BundleCreateView(_BundleFormMixin, RecordCreateView):
    model = Bundle
    form_class = BundleForm
    success_noun = "Bundle"

    def new_instance(self):
        return Bundle(matter=self.matter, created_by=self.request.user)

    def form_valid(self, form):
        try:
            self.object = services.bundle_create(
                bundle=form.instance, actor=self.request.user, request=self.request
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Bundle “{self.object}” created with sections A–D.")
        return HttpResponseRedirect(self.object.get_absolute_url())

    def cancel_url(self) -> str:
        return _bundles_url(self.matter)


class BundleUpdateView(_BundleFormMixin, RecordUpdateView):
    model = Bundle
    form_class = BundleForm
    success_noun = "Bundle"

    def form_valid(self, form):
        if _hides_entries(self.object, self.request.user):
            form.add_error(None, HIDDEN_ENTRIES)
            return self.form_invalid(form)
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


def _bundles_url(matter) -> str:
    return reverse("bundles:bundles", kwargs={"matter_pk": matter.pk})


class _BundleMixin:
    def get_bundle(self) -> Bundle:
        return self.get_in_matter_or_404(
            Bundle.objects.select_related("proceeding__court", "hearing", "matter"),
            pk=self.kwargs["pk"],
        )

    def get_version(self, bundle: Bundle, *, notes: bool = True) -> Version:
        """A version of `bundle` the user is cleared for: for what the page says about it
        (`notes`), or only for its file. Any other is 404, audited."""
        version = self.get_in_matter_or_404(
            Version.objects.filter(bundle=bundle).defer("layout"),
            bundle=bundle,
            number=self.kwargs["number"],
        )
        if selectors.current_designations([version], notes=notes)[version.pk] > (
            policy.clearance(self.request.user, self.matter) or 0
        ):
            policy.audit_forbidden(
                self.request, matter=self.matter, obj=bundle, reason="above clearance"
            )
            raise Http404("No such record.")
        return version

    def get_open_version(self, bundle: Bundle) -> Version:
        """A version of `bundle` with an open file the user is cleared for. The version's own
        designation (the ring file's: AEO) does not apply: the open file is made for readers
        outside the ring, and its own designation (selectors.open_designations) decides."""
        version = get_object_or_404(
            Version.objects.filter(bundle=bundle).exclude(open_storage_key="").defer("layout"),
            number=self.kwargs["number"],
        )
        if selectors.open_designations([version])[version.pk] > (
            policy.clearance(self.request.user, self.matter) or 0
        ):
            policy.audit_forbidden(
                self.request, matter=self.matter, obj=bundle, reason="above clearance"
            )
            raise Http404("No such record.")
        return version


class BundleDetailView(_BundleMixin, MatterMixin, TemplateView):
    """The bundle: its sections and documents, the exhibits to pick from, and its versions."""

    template_name = "bundles/bundle.html"

    def get_context_data(self, **kwargs):
        bundle = self.get_bundle()
        user = self.request.user
        clearance = policy.clearance(user, self.matter)
        form = ExhibitFilterForm(self.request.GET or None, matter=self.matter, clearance=clearance)
        form.is_valid()
        values = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in ("", None)}
        exhibits = exhibits_for(matter=self.matter, user=user, filters=ExhibitFilters(**values))
        page = Paginator(exhibits, 25).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        view = selectors.bundle_view(bundle=bundle, user=user)
        choices = selectors.exhibit_choices(bundle=bundle, exhibits=list(page.object_list))
        return super().get_context_data(
            bundle=bundle,
            view=view,
            form=form,
            page=page,
            choices=choices,
            addable=any(not e.in_bundle and not e.refused for e in choices),
            query=query.urlencode(),
            section_form=SectionForm(),
            split_form=SplitForm(bundle=bundle),
            # A stalled build does not hold the button: building again is how to recover.
            building=any(not v.finished and not v.stalled for v in view.versions),
            **kwargs,
        )


HIDDEN_ENTRIES = (
    "Some documents in this bundle are above your clearance, so you cannot change its order, "
    "settings or versions; ask a colleague cleared for them."
)


class _BundleActionView(_BundleMixin, MatterEditMixin, View):
    """A POST that changes the bundle, then back to its page with what happened."""

    # Reordering, splitting, building or serving a bundle acts on every document in it, so
    # it is for members who can see them all.
    needs_every_document = True

    def post(self, request, *args, **kwargs):
        self.bundle = self.get_bundle()
        try:
            if self.needs_every_document and _hides_entries(self.bundle, request.user):
                raise ValidationError(HIDDEN_ENTRIES)
            done = self.act(request)
        except ValidationError as error:
            messages.error(request, _message(error))
        else:
            if done:
                messages.success(request, done)
        return HttpResponseRedirect(self.bundle.get_absolute_url() + self.anchor)

    anchor = ""

    def act(self, request) -> str:
        raise NotImplementedError


class EntryAddView(_BundleActionView):
    """The exhibits ticked in the picker (`exhibit`, once or several times) into a section;
    one exhibit may name one of its files (`file`)."""

    anchor = "#contents"
    needs_every_document = False

    def act(self, request) -> str:
        section = self.get_in_matter_or_404(
            Section.objects.filter(bundle=self.bundle), pk=request.POST.get("section")
        )
        # Each looked up as one would be: one the member may not see is a 404, audited.
        exhibits = [
            self.get_in_matter_or_404(Exhibit.objects.visible_to(request.user), pk=pk)
            for pk in dict.fromkeys(request.POST.getlist("exhibit"))
        ]
        if request.POST.get("file"):
            if len(exhibits) != 1:
                raise ValidationError("Choose one exhibit to add one of its files.")
            exhibit_file = self.get_in_matter_or_404(
                ExhibitFile.objects.visible_to(request.user), pk=request.POST["file"]
            )
            services.entry_add(
                bundle=self.bundle,
                section=section,
                exhibit=exhibits[0],
                file=exhibit_file,
                actor=request.user,
                request=request,
            )
        else:
            services.entries_add(
                bundle=self.bundle,
                section=section,
                exhibits=exhibits,
                actor=request.user,
                request=request,
            )
        if len(exhibits) == 1:
            return f"{exhibits[0].reference} added to section {section.letter}."
        references = ", ".join(exhibit.reference for exhibit in exhibits)
        return f"{len(exhibits)} exhibits added to section {section.letter}: {references}."


class _EntryView(_BundleActionView):
    def get_entry(self, request) -> Entry:
        return self.get_in_matter_or_404(
            Entry.objects.visible_to(request.user)
            .filter(bundle=self.bundle)
            .select_related("exhibit", "bundle"),
            pk=self.kwargs["entry_pk"],
        )


class EntryRemoveView(_EntryView):
    anchor = "#contents"
    needs_every_document = False

    def act(self, request) -> str:
        entry = self.get_entry(request)
        services.entry_remove(entry=entry, actor=request.user, request=request)
        return f"{entry.exhibit.reference} removed from the bundle."


class EntryMoveView(_EntryView):
    """Up, down or into another section: the keyboard's way of dragging."""

    def act(self, request) -> str:
        entry = self.get_entry(request)
        self.anchor = f"#entry-{entry.pk}"
        order = _current_order(self.bundle)
        ids = dict(order)
        here = ids[entry.section_id]
        index = here.index(entry.pk)
        move = request.POST.get("move", "")
        if move in ("up", "down"):
            target = index - 1 if move == "up" else index + 1
            if not 0 <= target < len(here):
                return ""
            here[index], here[target] = here[target], here[index]
        elif move.isdigit() and int(move) in ids:
            here.remove(entry.pk)
            ids[int(move)].append(entry.pk)
        else:
            raise ValidationError("Choose where to move the document.")
        services.bundle_arrange(
            bundle=self.bundle, order=list(ids.items()), actor=request.user, request=request
        )
        return ""


def _current_order(bundle: Bundle) -> list[tuple[int, list[int]]]:
    order = {section.pk: [] for section in bundle.sections.all()}
    for section_id, pk in bundle.entries.order_by("position", "pk").values_list("section_id", "pk"):
        order[section_id].append(pk)
    return list(order.items())


class ArrangeView(_BundleMixin, MatterEditMixin, View):
    """The new order after a drag and drop, as JSON: {"sections": [{"id": 1, "entries":
    [3, 1, 2]}, ...]}. Answers 204, or 409 with the reason the order was refused."""

    def post(self, request, *args, **kwargs):
        bundle = self.get_bundle()
        try:
            body = json.loads(request.body or b"{}")
            order = [
                (int(item["id"]), [int(pk) for pk in item["entries"]]) for item in body["sections"]
            ]
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"error": "The new order could not be read."}, status=400)
        if _hides_entries(bundle, request.user):
            return JsonResponse({"error": HIDDEN_ENTRIES}, status=409)
        try:
            services.bundle_arrange(bundle=bundle, order=order, actor=request.user, request=request)
        except ValidationError as error:
            return JsonResponse({"error": _message(error)}, status=409)
        return HttpResponse(status=204)


def _hides_entries(bundle: Bundle, user) -> bool:
    """A member who cannot see every document cannot send a complete order."""
    return (
        Entry.objects.filter(bundle=bundle).count()
        != Entry.objects.visible_to(user).filter(bundle=bundle).count()
    )


class SectionAddView(_BundleActionView):
    anchor = "#contents"
    needs_every_document = False

    def act(self, request) -> str:
        form = SectionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label}: {' '.join(errors)}"
                    for name, errors in form.errors.items()
                ]
            )
        section = services.section_add(
            bundle=self.bundle,
            letter=form.cleaned_data["letter"],
            title=form.cleaned_data["title"],
            actor=request.user,
            request=request,
        )
        return f"Section {section} added."


class SectionRemoveView(_BundleActionView):
    anchor = "#contents"

    def act(self, request) -> str:
        section = get_object_or_404(self.bundle.sections, pk=self.kwargs["section_pk"])
        services.section_remove(section=section, actor=request.user, request=request)
        return f"Section {section} removed."


class BuildView(_BundleActionView):
    anchor = "#versions"

    def act(self, request) -> str:
        version = services.version_request(bundle=self.bundle, actor=request.user, request=request)
        version.refresh_from_db()
        if version.status == Version.Status.FAILED:
            raise ValidationError(f"Version {version.number} failed: {version.error}")
        if version.status == Version.Status.READY:
            return f"Version {version.number} is ready: {version.page_count} pages."
        return f"Version {version.number} is being built."


class ServeView(_BundleActionView):
    anchor = "#versions"

    def act(self, request) -> str:
        version = self.get_version(self.bundle)
        services.version_serve(version=version, actor=request.user, request=request)
        return (
            f"Version {version.number} marked as served: its page numbers are now fixed, and "
            "documents added from now on are late documents."
        )


class SplitView(_BundleActionView):
    def act(self, request) -> str:
        form = SplitForm(request.POST, bundle=self.bundle)
        if not form.is_valid():
            raise ValidationError("Choose the sections to move into the new bundle.")
        new = services.bundle_split(
            bundle=self.bundle,
            sections=list(form.cleaned_data["sections"]),
            actor=request.user,
            request=request,
        )
        return f"Sections moved into bundle {new.letter}, “{new.title}”."


class VersionStatusView(_BundleMixin, MatterMixin, View):
    """What the page polls while a version builds."""

    def get(self, request, *args, **kwargs):
        version = self.get_version(self.get_bundle())  # 404 above the reader's clearance
        return JsonResponse(
            {
                "number": version.number,
                "status": version.status,
                "status_display": version.get_status_display(),
                "percent": version.percent,
                "pages_done": version.pages_done,
                "pages_total": version.pages_total,
                "error": version.error,
                "finished": version.finished,
            }
        )


class VersionDownloadView(_BundleMixin, MatterMixin, View):
    """The published PDF, after clearance and hash checks; every download is audited."""

    open_version = False

    def get(self, request, *args, **kwargs):
        bundle = self.get_bundle()
        version = (
            self.get_open_version(bundle)
            if self.open_version
            else self.get_version(bundle, notes=False)
        )
        if version.status != Version.Status.READY:
            raise Http404("This version has no file.")
        try:
            stream = services.version_open_verified(
                version=version, request=request, open_version=self.open_version
            )
        except storage.TamperedFile:
            log.critical("Integrity check failed for bundle version %s", version.pk)
            audit_record(
                action=AuditAction.INTEGRITY_FAILED,
                request=request,
                matter=bundle.matter,
                obj=bundle,
                detail={
                    "version": version.number,
                    "sha256": version.open_sha256 if self.open_version else version.sha256,
                },
            )
            return HttpResponse(
                "This bundle failed its integrity check: the stored file no longer matches the "
                "SHA-256 recorded when it was built. It has not been sent. Build a new version "
                "and tell your administrator.",
                status=500,
                content_type="text/plain",
            )
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=version.open_file_name if self.open_version else version.file_name,
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class OpenVersionDownloadView(VersionDownloadView):
    """The open (redacted) version of a ring bundle's version, for readers outside the ring."""

    open_version = True
