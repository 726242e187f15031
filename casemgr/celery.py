import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemgr.settings")

app = Celery("casemgr")
# Every Celery setting lives in Django settings under the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _beat_started(**kwargs) -> None:
    """Beat is running from now: /readyz needn't wait for its first heartbeat task, a
    minute away, to say so (casemgr.core.health)."""
    from casemgr.core import health

    health.record_heartbeat()
