"""Middleware shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from casemgr.core import logs

# What a page (a form, a download) is ever sent by a browser. Django's form views treat any
# other method as POST, so a PUT would save a form; the API, which documents its own methods,
# is left to DRF.
PAGE_METHODS = ("GET", "HEAD", "POST")
API_PREFIX = "/api/"


class RequestIdMiddleware:
    """Give each request an id, sent back in X-Request-ID, that every log line written for it
    names (casemgr.core.logs), with its user and matter, and so do the tasks it queues.

    A proxy's own id is kept when it is sane, so that its log and ours can be joined. First
    in MIDDLEWARE, so that what the rest of the middleware logs names the request too; the
    user is only read once authentication has loaded it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = logs.request_id_for(request.headers.get(logs.HEADER))
        token = logs.enter_request(request)
        try:
            response = self.get_response(request)
        finally:
            logs.leave_request(token)
        response[logs.HEADER] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Every page and API address inside a matter names it `matter_pk`.
        request.matter_id = view_kwargs.get("matter_pk")


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
    """Answer "not found" with the product's own page in every mode.

    With DEBUG on (as `make run` serves the demo) Django answers a 404, whether no route
    matched or a view raised Http404, with its technical page, which lists every URL
    pattern: a member who guesses another matter's address would be shown the shape of the
    application instead of the page a production site shows. Production already renders
    404.html, and 403.html in both modes; the API answers its own errors as JSON, which is
    left as it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return not_found(request)
        return response


def not_found(request):
    return render(request, "404.html", status=404)
