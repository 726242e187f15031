from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "casemgr.access"
    verbose_name = "Access and audit"

    def ready(self) -> None:
        from casemgr.access import signals  # noqa: F401  (connects the sign-in audit receivers)
