from django.apps import AppConfig


class RedactionConfig(AppConfig):
    name = "casemgr.redaction"
