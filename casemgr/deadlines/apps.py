from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "casemgr.deadlines"

    def ready(self) -> None:
        from casemgr.deadlines import signals  # noqa: F401  (reminders follow user changes)
