"""The API's paging (a module of its own: DRF's settings load it while its views import)."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """DRF's, but `?page=` with no number is refused (404, as any page that is not one)
    rather than read as the first page: the schema says a page is a number."""

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound("Invalid page.")
        return super().get_page_number(request, paginator)
