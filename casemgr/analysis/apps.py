from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "casemgr.analysis"
    verbose_name = "Analysis"
