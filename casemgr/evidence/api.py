from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casemgr.access import policy
from casemgr.access.models import Clearance
from casemgr.core.api import MatterRecordSerializer, MatterRecordViewSetMixin
from casemgr.core.filters import ScopedFilterSet
from casemgr.evidence import services
from casemgr.evidence.models import PREFIX, Exhibit, ExhibitFile
from casemgr.evidence.uploads import declared_too_large, install_hashing_handler
from casemgr.matters.models import Matter


class ExhibitFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExhibitFile
        fields = [
            "id",
            "original_name",
            "size",
            "sha256",
            "kind",
            "mime",
            "flags",
            "page_count",
            "rendition",
            "rendition_error",
            "ocr",
            "ocr_error",
            "ocr_languages",
            "ocr_unread",
            "source",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, exhibit_file: ExhibitFile) -> str:
        return reverse(
            "evidence:file_download",
            kwargs={"matter_pk": exhibit_file.matter_id, "pk": exhibit_file.pk},
        )


class ExhibitSerializer(MatterRecordSerializer):
    reference = serializers.CharField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    files = ExhibitFileSerializer(many=True, read_only=True)

    class Meta:
        model = Exhibit
        fields = [
            "id",
            "matter",
            "reference",
            "url",
            "prefix",
            "number",
            "title",
            "description",
            "document_date",
            "date_precision",
            "document_type",
            "party",
            "author",
            "recipients",
            "custodian",
            "collected_how",
            "collected_on",
            "designation",
            "privileged",
            "status",
            "files",
        ]
        read_only_fields = ["matter"]

    def validate_designation(self, value: int) -> int:
        matter = self.instance.matter if self.instance else None
        cleared = policy.clearance(self.context["request"].user, matter)
        if cleared is None or value > cleared:
            raise serializers.ValidationError("You may not designate above your own clearance.")
        return value


class UploadedExhibitSerializer(ExhibitSerializer):
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the uploaded file.")

    class Meta(ExhibitSerializer.Meta):
        fields = [*ExhibitSerializer.Meta.fields, "sha256"]


class ExhibitFilter(ScopedFilterSet):
    class Meta:
        model = Exhibit
        fields = ["matter", "designation", "document_type", "party", "status", "privileged"]


class ExhibitViewSet(
    MatterRecordViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Exhibits you may see: membership and clearance both apply. Files arrive through
    `POST /api/matters/{id}/exhibits/upload/`."""

    queryset = Exhibit.objects.select_related("matter").prefetch_related("files")
    serializer_class = ExhibitSerializer
    save_service = staticmethod(services.exhibit_save)
    filterset_class = ExhibitFilter
    search_fields = ["title", "description", "files__pages__text"]
    ordering_fields = ["prefix", "number", "document_date", "title", "created_at"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)  # refused with a reason below
    # The model's own rule, so a prefix it would refuse never reaches the service.
    prefix = serializers.CharField(
        max_length=10,
        required=False,
        validators=[PREFIX],
        help_text="Without one, the matter's own: NWA for matter NWA-0042.",
    )
    title = serializers.CharField(max_length=300, required=False)
    document_date = serializers.DateField(required=False)
    document_type = serializers.ChoiceField(choices=Exhibit.DocumentType.choices, required=False)
    designation = serializers.ChoiceField(choices=Clearance.choices, required=False)
    batch = serializers.UUIDField(
        required=False,
        help_text="A key the client makes for files sent together (the upload page makes "
        "one per visit). With `position`, the batch's files are numbered in that order "
        "whatever order they arrive in: a file that arrives after files placed behind it "
        "takes the first of their numbers, and they move up one.",
    )
    position = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        help_text="The file's place in its batch, from 0.",
    )

    def validate(self, data):
        if ("batch" in data) != ("position" in data):
            missing = "position" if "batch" in data else "batch"
            raise serializers.ValidationError({missing: ["Give a batch and a position together."]})
        return data


_ERROR = inline_serializer(
    "UploadError",
    {
        # Absent when the body itself could not be read as an upload: DRF's own 415 for a
        # multipart part it cannot parse says only what was wrong ("detail").
        "status": serializers.CharField(
            required=False, help_text="What happened to the file: duplicate or rejected."
        ),
        "detail": serializers.CharField(),
        "exhibit": serializers.IntegerField(required=False, help_text="The existing exhibit."),
        "url": serializers.CharField(required=False, help_text="Its page."),
    },
)


class ExhibitUploadView(APIView):
    """Upload one file as a new exhibit of the matter (multipart, field `file`). The upload
    page's script sends each file of a batch here too, with the session and CSRF token.

    The content decides whether it is accepted, whatever its name. Answers 201 with the
    exhibit and the file's SHA-256; 409 if the same bytes are already in the matter; 415
    with the reason if the file is refused; 413 if it is over the size limit."""

    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before authentication: the CSRF check of session authentication reads the body,
        # and must read it through the hashing handler.
        self.upload_handler = install_hashing_handler(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: UploadedExhibitSerializer,
            409: OpenApiResponse(_ERROR, description="The same file is already in the matter."),
            413: OpenApiResponse(_ERROR, description="The file is over the size limit."),
            415: OpenApiResponse(
                _ERROR,
                description="The file's content is not accepted, or the body is not an upload "
                "the API can read.",
            ),
        },
    )
    def post(self, request, matter_pk: int):
        if declared_too_large(request):
            return self._too_large()
        matter = policy.get_visible_or_404(Matter.objects.all(), request=request, pk=matter_pk)
        if not policy.can_edit(request.user, matter):
            policy.audit_forbidden(request, matter=matter, reason="read-only member")
            raise PermissionDenied("Your role on this matter is read-only.")
        form = UploadSerializer(data=request.data)
        if self.upload_handler.too_large:
            return self._too_large()
        form.is_valid(raise_exception=True)
        designation = form.validated_data.get("designation") or Clearance.STANDARD
        if designation > policy.clearance(request.user, matter):
            raise PermissionDenied("You may not designate above your own clearance.")
        result = services.exhibit_file_ingest(
            matter=matter,
            uploaded_by=request.user,
            incoming=services.IncomingFile.from_upload(form.validated_data["file"]),
            metadata={**form.validated_data, "designation": designation},
            request=request,
        )
        if result.status == "duplicate":
            body = {
                "status": "duplicate",
                "detail": result.reason,
                "exhibit": result.exhibit.pk,
                "url": result.exhibit.get_absolute_url(),
            }
            return Response(body, status.HTTP_409_CONFLICT)
        if result.status == "rejected":
            return Response(
                {"status": "rejected", "detail": result.reason},
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        result.exhibit.refresh_from_db()
        result.exhibit.sha256 = result.file.sha256
        body = UploadedExhibitSerializer(result.exhibit, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @staticmethod
    def _too_large() -> Response:
        limit = settings.EVIDENCE_MAX_UPLOAD_BYTES
        return Response(
            {
                "status": "rejected",
                "detail": f"The file is larger than the limit of {limit:,} bytes.",
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
