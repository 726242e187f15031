"""Middleware shared by every page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import Resolver404, get_resolver

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


class ErrorPagesMiddleware:
    """Answer "not found" and "not allowed" with the product's own pages in every mode.

    With DEBUG on (as `make run` serves the demo) Django's technical 404 lists every URL
    pattern, and its 403 the exception: a member who guesses another matter's address would
    be shown the shape of the application instead of the page a production site shows. The
    API answers its own errors as JSON (core/api.py) and never reaches this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # An address that matches no route never reaches a view, so process_exception does
        # not see it; CommonMiddleware (above) still turns the 404 into a slash redirect.
        try:
            get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
        except Resolver404:
            return not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return not_found(request)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", {"exception": str(exception)}, status=403)
        return None


def not_found(request):
    return render(request, "404.html", status=404)
