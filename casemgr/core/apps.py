from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casemgr.core"
