from __future__ import annotations

from django import forms

from casemgr.redaction.engine import REASON_LABELS
from casemgr.redaction.patterns import PRESETS

REASONS = [(str(key), label) for key, label in REASON_LABELS.items()]


class BoxForm(forms.Form):
    """A box drawn on a page (the viewer fills in the numbers as the mouse is dragged; they
    can also be typed): PDF points from the top-left corner of the page as shown."""

    page = forms.IntegerField(min_value=1)
    x0 = forms.FloatField(label="Left", min_value=0)
    y0 = forms.FloatField(label="Top", min_value=0)
    x1 = forms.FloatField(label="Right", min_value=0)
    y1 = forms.FloatField(label="Bottom", min_value=0)
    reason = forms.ChoiceField(choices=[("", "Choose a reason…"), *REASONS])

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "box_%s")  # the page has a second form with a reason
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not self.errors:
            if data["x1"] <= data["x0"] or data["y1"] <= data["y0"]:
                raise forms.ValidationError(
                    "The box needs a width and a height: right must be past left and bottom "
                    "below top."
                )
        return data


class FindForm(forms.Form):
    """Find and redact: a word or phrase, or one of the preset patterns."""

    term = forms.CharField(
        label="Word or phrase",
        required=False,
        max_length=200,
        help_text="Every occurrence, whatever its case, e.g. a name or a codename.",
    )
    preset = forms.ChoiceField(label="Or a pattern", required=False)
    reason = forms.ChoiceField(choices=[("", "Choose a reason…"), *REASONS])

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "find_%s")
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", "—")] + [
            (key, preset.label) for key, preset in PRESETS.items()
        ]

    def clean(self):
        data = super().clean()
        term = (data.get("term") or "").strip()
        preset = data.get("preset") or ""
        if not term and not preset:
            raise forms.ValidationError("Give a word or phrase to find, or choose a pattern.")
        data["term"] = term
        return data

    def search(self) -> tuple[list[str], list[str], str]:
        """terms, patterns, and what found them (as the box list shows it)."""
        term, preset = self.cleaned_data["term"], self.cleaned_data["preset"]
        terms = [term] if term else []
        patterns = [PRESETS[preset].regex] if preset else []
        named = [f"term “{term}”"] if term else []
        if preset:
            named.append(PRESETS[preset].label.lower())
        return terms, patterns, " and ".join(named)


class ReturnForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)

    note = forms.CharField(
        label="What should change",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
