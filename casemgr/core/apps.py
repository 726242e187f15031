from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "casemgr.core"

    def ready(self) -> None:
        from casemgr.core import temporary

        temporary.use(settings.TEMP_DIR)
