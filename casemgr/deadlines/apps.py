from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "casemgr.deadlines"
