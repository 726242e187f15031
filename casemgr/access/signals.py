"""Sign-ins, sign-outs, failed sign-ins and lockouts go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.SIGN_IN, request=request, actor=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action=AuditAction.SIGN_OUT, request=request, actor=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the name is kept.
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        request=request,
        actor_label=str(credentials.get("username", "")),
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(action=AuditAction.LOCKED_OUT, request=request, actor_label=username or "")
