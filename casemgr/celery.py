import os
from contextvars import Token

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    beat_init,
    before_task_publish,
    task_postrun,
    task_prerun,
    worker_ready,
)

from casemgr.core import logs

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


# --- Logs that follow a request into its tasks (casemgr.core.logs) --------------------------


@before_task_publish.connect
def _carry_log_context(headers=None, **kwargs) -> None:
    """A task queued during a request (or by a task that was) carries the request's id, user
    and matter in its message."""
    carried = {name: value for name, value in logs.current().items() if name in logs.CARRIED}
    if carried and headers is not None:
        headers[logs.TASK_HEADER] = carried


_bound: dict[str, Token] = {}


@task_prerun.connect
def _bind_task_log_context(task_id=None, task=None, **kwargs) -> None:
    # A task run eagerly, where it was queued, has no message: the request it runs in is
    # still bound, and only the task's own fields are added.
    carried = task.request.get(logs.TASK_HEADER) or {}
    fields = {name: carried[name] for name in logs.CARRIED if carried.get(name) is not None}
    _bound[task_id] = logs.bind(**fields, task_id=task_id, task=task.name)


@task_postrun.connect
def _unbind_task_log_context(task_id=None, **kwargs) -> None:
    if (token := _bound.pop(task_id, None)) is not None:
        logs.unbind(token)


@after_setup_logger.connect
@after_setup_task_logger.connect
def _worker_log_format(logger=None, **kwargs) -> None:
    """A worker's handlers are Celery's own (it takes over the root logger, with its `-l`
    level): they write in LOG_FORMAT too, with the same fields."""
    from django.conf import settings

    for handler in logger.handlers:
        handler.addFilter(logs.ContextFilter())
        handler.setFormatter(logs.formatter(settings.LOG_FORMAT, around=handler.formatter))


@worker_ready.connect
def _worker_started(**kwargs) -> None:
    """A worker restarted after being killed clears what it (or any casemgr process on this
    machine) left behind a day or more ago (casemgr.core.temporary)."""
    from casemgr.core import temporary

    temporary.sweep()
