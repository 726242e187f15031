from django.apps import AppConfig


class PleadingsConfig(AppConfig):
    name = "casemgr.pleadings"
