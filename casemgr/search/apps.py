from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "casemgr.search"
    label = "search"
    verbose_name = "Search"
