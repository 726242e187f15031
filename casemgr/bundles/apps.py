from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "casemgr.bundles"
