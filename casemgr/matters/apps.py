from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "casemgr.matters"
