from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from casemgr.access.models import Clearance, Role


class MembershipForm(forms.Form):
    user = forms.CharField(label="Username or e-mail", max_length=254)
    role = forms.ChoiceField(choices=[("", "Choose a role")] + Role.choices)
    clearance = forms.TypedChoiceField(choices=Clearance.choices, coerce=int)

    def clean_user(self):
        typed = self.cleaned_data["user"].strip()
        users = get_user_model().objects.filter(
            Q(username__iexact=typed) | Q(email__iexact=typed), is_active=True
        )
        if len(users) != 1:
            raise forms.ValidationError(
                f"No single active user is called or has the e-mail “{typed}”."
            )
        return users[0]
