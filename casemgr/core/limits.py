"""How long the text people write may be, in one place.

Every page, export and bundle lays this text out; an unbounded field let one 100,000-character
paragraph hold a web process for twelve minutes. The limits sit well above real pleadings (a
long paragraph of particulars runs to a few thousand characters).
"""

from django.core.validators import MaxLengthValidator
from django.db import models

LONG_TEXT = 10_000  # allegations, descriptions, notes, relief sought
SHORT_TEXT = 5_000  # response notes, reasons, a link's note


def text_field(limit: int, **kwargs) -> models.TextField:
    """A TextField that forms, the admin and the API all hold to `limit` characters: the
    max_length gives forms and serializers their limit, the validator gives full_clean one."""
    return models.TextField(max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs)
