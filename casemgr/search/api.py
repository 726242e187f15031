"""Search through the REST API: the same read as the search page (search_for), the same
filters, the hits as a flat list best-first within each kind, and the count per kind."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from casemgr.access import policy
from casemgr.access.models import Clearance
from casemgr.core.api import QuerySerializer
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Matter
from casemgr.search.forms import TOO_LONG
from casemgr.search.selectors import (
    KINDS,
    OVERVIEW_HITS,
    PAGE_HITS,
    QUERY_CHARS,
    RANK_LIMIT,
    SearchFilters,
    search_for,
)

ID = {"min_value": 1, "max_value": 2**63 - 1}
KIND_CHOICES = list(KINDS.items())  # named SearchKindEnum in the schema (settings)


class SearchQuerySerializer(QuerySerializer):
    q = serializers.CharField(
        allow_blank=True,
        trim_whitespace=True,
        help_text='Words, "quoted phrases", OR between alternatives, -word to leave out; at '
        f"most {QUERY_CHARS} characters. Empty: no hits.",
    )
    kind = serializers.MultipleChoiceField(
        choices=KIND_CHOICES,
        required=False,
        help_text="Only these kinds (repeat the parameter for several); `page` is the text of "
        "an exhibit's pages.",
    )
    document_type = serializers.ChoiceField(
        choices=Exhibit.DocumentType.choices,
        required=False,
        help_text="Exhibits and their pages of this type only (rules out the other kinds).",
    )
    designation = serializers.ChoiceField(
        choices=Clearance.choices,
        required=False,
        help_text="Exhibits and their pages of this designation only.",
    )
    party = serializers.IntegerField(
        required=False, **ID, help_text="Records of this party (rules out people)."
    )
    date_from = serializers.DateField(
        required=False, help_text="Exhibits, events and deadlines dated on or after."
    )
    date_to = serializers.DateField(
        required=False, help_text="Exhibits, events and deadlines dated on or before."
    )
    page = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=RANK_LIMIT,
        help_text=f"With one `kind`: which page of {PAGE_HITS} hits (past the last: the last). "
        f"Otherwise ignored: each kind brings its best {OVERVIEW_HITS}.",
    )

    def validate_q(self, value: str) -> str:
        query = " ".join(value.split())
        if len(query) > QUERY_CHARS:
            raise serializers.ValidationError(TOO_LONG.format(limit=QUERY_CHARS, length=len(query)))
        return query

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": ["The range ends before it starts."]})
        return data

    def filters(self) -> SearchFilters:
        data = dict(self.validated_data)
        data.pop("q")
        data.pop("page", None)
        kinds = data.pop("kind", ())
        return SearchFilters(kinds=tuple(k for k in KINDS if k in kinds), **data)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    id = serializers.IntegerField(help_text="The record's id; for a page, its exhibit file's.")
    title = serializers.CharField()
    page = serializers.IntegerField(allow_null=True, help_text="The page number of a page hit.")
    snippet = serializers.CharField(
        help_text="HTML: the text around the match, escaped, the matched words in <mark>."
    )
    rank = serializers.FloatField(help_text="Relevance within its kind; higher is better.")
    url = serializers.CharField(help_text="Where the hit opens in the app.")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    label = serializers.CharField()
    total = serializers.IntegerField(
        help_text=f"Matches of this kind, counted up to {RANK_LIMIT + 1}."
    )
    more = serializers.BooleanField(help_text=f"More than {RANK_LIMIT} match.")
    page = serializers.IntegerField(help_text="The page of this kind's hits given.")
    pages = serializers.IntegerField(
        help_text=f"Pages of hits of this kind (of the first {RANK_LIMIT} matches, best first)."
    )


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The query as searched, spaces tidied.")
    groups = SearchGroupSerializer(many=True, help_text="The kinds with hits, and their counts.")
    results = SearchHitSerializer(
        many=True, help_text="The best hits of each kind, in groups' order."
    )


DESCRIPTION = (
    "Full-text search of a matter: exhibits, the text of their pages, events, allegations, "
    "parties, people and deadlines, only what you may see. Each kind brings its best "
    f"{OVERVIEW_HITS} hits with a snippet, and its count; with one `kind`, a `page` of its "
    f"hits ({PAGE_HITS} a page) instead."
)


class SearchView(GenericAPIView):
    """Full-text search of a matter (described in the schema: DESCRIPTION)."""

    serializer_class = SearchResultsSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses=SearchResultsSerializer,
        summary="Search a matter",
        description=DESCRIPTION,
    )
    def get(self, request, matter_pk: int):
        matter = policy.get_visible_or_404(Matter.objects.all(), request=request, pk=matter_pk)
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        results = search_for(
            matter=matter,
            user=request.user,
            query=params.validated_data["q"],
            filters=params.filters(),
            page=params.validated_data.get("page", 1),
        )
        body = {
            "query": results.query,
            "groups": [
                {
                    "kind": g.kind,
                    "label": g.label,
                    "total": g.total,
                    "more": g.more,
                    "page": g.page,
                    "pages": g.pages,
                }
                for g in results.groups
            ],
            "results": [asdict(hit) for group in results.groups for hit in group.hits],
        }
        return Response(self.get_serializer(body).data)
