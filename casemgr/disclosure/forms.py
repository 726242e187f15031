from __future__ import annotations

from django import forms

from casemgr.core.forms import MatterRecordForm
from casemgr.disclosure import selectors
from casemgr.disclosure.grounds import FORM_GROUNDS, GROUND_LABELS, Form, Ground
from casemgr.disclosure.models import DisclosureEntry
from casemgr.matters.forms import DATE

Kind = DisclosureEntry.Kind

_COMMON = [
    "document_date",
    "description",
    "document_type",
    "producing_party",
    "custodian",
    "author",
    "recipients",
    "production_numbers",
    "issue",
]
FIELDS = {
    Kind.DISCLOSED: [*_COMMON[:7], "disclosed_on", *_COMMON[7:]],
    Kind.WITHHELD: ["ground", "ground_detail", "withholding", *_COMMON],
}
_WITHHELD_HELP = (
    "Describe the document enough for the other side to assess the claim, without "
    "revealing what is privileged in it: e.g. “E-mail from in-house counsel to the CTO "
    "giving legal advice on the API terms”."
)


def ground_choices(form: Form) -> list:
    """The grounds of the proceeding's form first, then the others."""
    first = FORM_GROUNDS[form]
    rest = [g for g in Ground if g not in first and g != Ground.OTHER]
    return [
        ("", "Choose the ground claimed…"),
        ("Grounds in this court", [(str(g), GROUND_LABELS[g]) for g in first]),
        (
            "Other grounds",
            [(str(g), GROUND_LABELS[g]) for g in [*rest, Ground.OTHER]],
        ),
    ]


class EntryForm(MatterRecordForm):
    """An entry on a list, all its details; `kind` says which list."""

    class Meta:
        model = DisclosureEntry
        fields = FIELDS[Kind.WITHHELD] + ["disclosed_on"]
        widgets = {
            "document_date": DATE,
            "disclosed_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, kind: str, form: Form, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self._meta.fields:
            if name not in FIELDS[kind]:
                del self.fields[name]
        self.order_fields(FIELDS[kind])
        if "ground" in self.fields:
            self.fields["ground"].choices = ground_choices(form)
            self.fields["ground"].required = True
            self.fields["description"].help_text = _WITHHELD_HELP
        if form == Form.FRCP and "issue" in self.fields:
            del self.fields["issue"]  # an English list's column only


class AddForm(EntryForm):
    """Put an exhibit on a list: which one, and (for a withheld document) why. The rest
    comes from the exhibit and can be edited after."""

    exhibit = forms.ModelChoiceField(queryset=None, empty_label="Choose an exhibit…")

    def __init__(self, *args, kind: str, form: Form, proceeding, user, **kwargs) -> None:
        super().__init__(*args, kind=kind, form=form, **kwargs)
        self.fields["exhibit"].queryset = selectors.exhibits_to_list(
            proceeding=proceeding, user=user, kind=kind
        )
        self.fields["exhibit"].label_from_instance = lambda e: (
            f"{e.reference} – {e.title}" + (" (privileged)" if e.privileged else "")
        )
        keep = ["exhibit"]
        if kind == Kind.WITHHELD:
            keep += ["ground", "ground_detail", "withholding", "description", "issue"]
            self.fields["description"].required = True
        else:
            keep += ["disclosed_on", "production_numbers", "issue"]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.order_fields(keep)

    def _post_clean(self) -> None:
        # The entry is built and validated by the service, which fills in the exhibit's
        # details first: model validation here would judge a half-made row.
        pass

    def entry_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("exhibit")
        return data
