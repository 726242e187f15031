"""Middleware shared by every page."""

from __future__ import annotations

from django.http import HttpResponseNotAllowed

# What a page (a form, a download) is ever sent by a browser. Django's form views treat any
# other method as POST, so a PUT would save a form; the API, which documents its own methods,
# is left to DRF.
PAGE_METHODS = ("GET", "HEAD", "POST")
API_PREFIX = "/api/"


class PageMethodsMiddleware:
    """Answer a page request with any other method 405, before the session, the user or the
    view is touched: a middleware rather than a view mixin, because not every page is a
    class-based view inside a matter (the dashboard, sign-in, the admin)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in PAGE_METHODS and not request.path_info.startswith(API_PREFIX):
            return HttpResponseNotAllowed(PAGE_METHODS)
        return self.get_response(request)
