from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from casemgr.access import policy
from casemgr.access.mixins import MatterEditMixin, MatterMixin
from casemgr.access.models import AuditEvent
from casemgr.core.views import RecordCreateView, RecordUpdateView
from casemgr.deadlines import feed, selectors, services
from casemgr.deadlines.forms import (
    DeadlineForm,
    ExtensionForm,
    ReminderPreferenceForm,
    TriggerForm,
)
from casemgr.deadlines.models import Deadline, DeadlineStatus, ReminderPreference, TriggerEvent
from casemgr.deadlines.reminders import reminders_sync_user
from casemgr.matters.models import Proceeding


class MyDeadlinesView(LoginRequiredMixin, TemplateView):
    """Across every matter: what I (or my team, where nobody is named) must do next. A
    partner may switch to the whole team's (?view=team): every member's deadlines in the
    matters they are partner of. Anyone else asking for it gets their own."""

    template_name = "deadlines/my_deadlines.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        led = policy.matters_led_by(user)
        leads_a_team = led.exists()
        team = leads_a_team and self.request.GET.get("view") == "team"
        deadlines = selectors.with_urgency(
            selectors.deadlines_for_team(user) if team else selectors.deadlines_for_user(user)
        )
        return super().get_context_data(
            leads_a_team=leads_a_team,
            team=team,
            deadlines=deadlines,
            overdue=sum(1 for d in deadlines if d.urgency == "overdue"),
            soon=sum(1 for d in deadlines if d.urgency == "soon"),
            quiet_proceedings=selectors.proceedings_without_upcoming(
                user, matters=led if team else None
            ),
            **kwargs,
        )


class MatterDeadlinesView(MatterMixin, TemplateView):
    template_name = "deadlines/deadlines.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        status = params.get("status", "live")
        proceeding = params.get("proceeding", "")
        filters = selectors.DeadlineFilters(
            status=status,
            proceeding=int(proceeding) if proceeding.isdigit() else None,
            mine=params.get("mine") == "1",
        )
        deadlines = selectors.with_urgency(
            selectors.deadlines_for_matter(
                matter=self.matter, user=self.request.user, filters=filters
            )
        )
        return super().get_context_data(
            deadlines=deadlines,
            filters=filters,
            statuses=[("live", "Open and extended"), *DeadlineStatus.choices, ("all", "All")],
            proceedings=self.matter.proceedings.select_related("court"),
            quiet_proceedings=selectors.proceedings_without_upcoming(
                self.request.user, matter=self.matter
            ),
            **kwargs,
        )


def _visible_deadline(view) -> Deadline:
    """The deadline named in the URL, as the user may see it; anything else is 404."""
    return view.get_in_matter_or_404(
        selectors.deadlines_visible(view.request.user), pk=view.kwargs["pk"]
    )


class DeadlineDetailView(MatterMixin, TemplateView):
    template_name = "deadlines/deadline.html"

    def get_context_data(self, **kwargs):
        deadline = _visible_deadline(self)
        deadline.urgency = selectors.urgency(deadline)  # the card's border
        history = AuditEvent.objects.filter(
            object_type=Deadline._meta.label, object_id=str(deadline.pk)
        ).order_by("-at")  # the deadline itself is visible, so its own history is
        kwargs.setdefault("extension_form", ExtensionForm())
        return super().get_context_data(
            deadline=deadline,
            extensions=deadline.extensions.select_related("recorded_by"),
            history=history,
            statuses=DeadlineStatus.choices,
            **kwargs,
        )


class _DeadlineFormMixin:
    model = Deadline
    form_class = DeadlineForm
    success_noun = "Deadline"

    def save_service(self, *, instance, actor, request, m2m):
        return services.deadline_save(
            deadline=instance, actor=actor, request=request, responsible=m2m.get("responsible")
        )

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()

    def cancel_url(self) -> str:
        return reverse("deadlines:deadlines", kwargs={"matter_pk": self.matter.pk})


class DeadlineCreateView(_DeadlineFormMixin, RecordCreateView):
    def new_instance(self) -> Deadline:
        proceeding = self.request.GET.get("proceeding") or self.request.POST.get("proceeding")
        deadline = Deadline()
        if proceeding and proceeding.isdigit():
            deadline.proceeding = self.matter.proceedings.filter(pk=proceeding).first()
        return deadline


class DeadlineUpdateView(_DeadlineFormMixin, RecordUpdateView):
    def get_queryset(self):
        return Deadline.objects.visible_to(self.request.user).select_related(
            "proceeding__court__jurisdiction"
        )


class DeadlineStatusView(MatterEditMixin, View):
    def post(self, request, *args, **kwargs):
        deadline = _visible_deadline(self)
        status = request.POST.get("status", "")
        if status not in (DeadlineStatus.OPEN, DeadlineStatus.DONE, DeadlineStatus.NOT_APPLICABLE):
            messages.error(request, "Choose open, done or not applicable.")
        else:
            services.deadline_set_status(
                deadline=deadline, status=status, actor=request.user, request=request
            )
            label = deadline.get_status_display().lower()
            messages.success(request, f"“{deadline.title}” marked {label}.")
        return HttpResponseRedirect(deadline.get_absolute_url())


class DeadlineExtendView(MatterEditMixin, DeadlineDetailView):
    """The deadline page, receiving the extension form: refused, it shows again with the
    form's errors and what was typed."""

    def post(self, request, *args, **kwargs):
        deadline = _visible_deadline(self)
        if not deadline.is_live:  # e.g. submitted from a page open since it was marked done
            messages.error(
                request,
                f"“{deadline.title}” is {deadline.get_status_display().lower()}; "
                "reopen it before extending it.",
            )
            return HttpResponseRedirect(deadline.get_absolute_url())
        form = ExtensionForm(request.POST)
        if form.is_valid():
            try:
                services.deadline_extend(
                    deadline=deadline, actor=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                problems = (
                    error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
                )
                for field, messages_ in problems.items():
                    for problem in messages_:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, f"“{deadline.title}” extended.")
                return HttpResponseRedirect(deadline.get_absolute_url())
        return self.render_to_response(self.get_context_data(extension_form=form), status=400)


class _TriggerMixin:
    model = TriggerEvent
    form_class = TriggerForm
    success_noun = "Trigger"
    template_name = "deadlines/trigger_form.html"

    def save_service(self, *, instance, actor, request, m2m):
        return services.trigger_record(trigger=instance, actor=actor, request=request)

    def get_success_url(self) -> str:
        return self.object.proceeding.get_absolute_url() + f"#trigger-{self.object.pk}"

    def cancel_url(self) -> str:
        return reverse(
            "matters:proceeding",
            kwargs={"matter_pk": self.matter.pk, "pk": self.kwargs["proceeding_pk"]},
        )


class TriggerCreateView(_TriggerMixin, RecordCreateView):
    def new_instance(self) -> TriggerEvent:
        proceeding = self.get_in_matter_or_404(
            Proceeding.objects.select_related("court__jurisdiction"),
            pk=self.kwargs["proceeding_pk"],
        )
        return TriggerEvent(proceeding=proceeding)


class TriggerUpdateView(_TriggerMixin, RecordUpdateView):
    def get_queryset(self):
        return TriggerEvent.objects.filter(
            proceeding_id=self.kwargs["proceeding_pk"]
        ).select_related("proceeding__court__jurisdiction")


class PreferencesView(LoginRequiredMixin, FormView):
    """A user's reminder settings and their calendar feed."""

    template_name = "deadlines/preferences.html"
    form_class = ReminderPreferenceForm

    def preference(self) -> ReminderPreference:
        preference, _ = ReminderPreference.objects.get_or_create(user=self.request.user)
        return preference

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.preference()}

    def form_valid(self, form):
        with transaction.atomic():
            form.save()
            reminders_sync_user(self.request.user)
        messages.success(self.request, "Reminder settings saved.")
        return HttpResponseRedirect(reverse("deadlines:preferences"))

    def get_context_data(self, **kwargs):
        preference = self.preference()
        token = self.request.session.pop("new_feed_token", None)
        return super().get_context_data(
            preference=preference,
            feed_url=self.request.build_absolute_uri(
                reverse("deadlines:feed", kwargs={"token": token})
            )
            if token
            else None,
            upcoming_reminders=self.request.user.reminders.filter(sent_at=None)
            .select_related("deadline", "hearing__proceeding__court__jurisdiction")
            .order_by("send_at")[:10],
            **kwargs,
        )


class FeedTokenView(LoginRequiredMixin, View):
    """Make (or remake) the secret feed URL, or revoke it."""

    def post(self, request):
        preference, _ = ReminderPreference.objects.get_or_create(user=request.user)
        if request.POST.get("action") == "revoke":
            preference.feed_token_hash = ""
            preference.feed_created_at = None
            messages.success(request, "Calendar feed turned off; the old address no longer works.")
        else:
            request.session["new_feed_token"] = preference.new_feed_token()
            preference.feed_created_at = timezone.now()
            messages.success(
                request, "New calendar address made; any earlier address no longer works."
            )
        preference.save(update_fields=["feed_token_hash", "feed_created_at"])
        return HttpResponseRedirect(reverse("deadlines:preferences") + "#feed")


def calendar_feed(request, token: str):
    """The iCalendar feed. No session: the secret in the URL is the credential, which is why
    only its hash is stored and it can be revoked."""
    if not token:
        raise Http404
    preference = get_object_or_404(
        ReminderPreference.objects.select_related("user"),
        feed_token_hash=ReminderPreference.hash_token(token),
        user__is_active=True,
    )
    body = feed.calendar_for_user(preference.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="casemgr.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
