"""Admin forms. They run the services' own checks so every refusal shows on the field it is about;
saving is left to the services (see ``customers.admin``)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from customers.models import Customer, CustomerType
from customers.services import EDITABLE_FIELDS, customer_type_validate, customer_validate


def https_by_default(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Form field for ``field``; a website typed without a scheme is taken as https://."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class CustomerAdminForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = sorted(EDITABLE_FIELDS)
        formfield_callback = https_by_default

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Check a copy: the form's own instance is only filled in after clean(), by ModelForm.
        candidate = copy.copy(self.instance)
        for name, value in cleaned.items():
            if name in EDITABLE_FIELDS:
                setattr(candidate, name, value)
        try:
            customer_validate(customer=candidate, exclude=set(self.errors))
        except ValidationError as error:
            _add_errors(self, error)
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The service fields this form changed, for ``customer_update``."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in EDITABLE_FIELDS}

    def create_fields(self) -> dict[str, Any]:
        """Every service field this form filled in, for ``customer_create``."""
        return {name: value for name, value in self.cleaned_data.items() if name in EDITABLE_FIELDS}


class CustomerTypeAdminForm(forms.ModelForm):
    class Meta:
        model = CustomerType
        fields = ["name"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        candidate = copy.copy(self.instance)
        candidate.name = (cleaned.get("name") or "").strip()
        if "name" not in self.errors:
            try:
                customer_type_validate(customer_type=candidate)
            except ValidationError as error:
                _add_errors(self, error)
        return cleaned


def _add_errors(form: forms.ModelForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, messages)
        else:
            # A rule about a field the form does not show: say which field it is about.
            label = (
                ""
                if field == NON_FIELD_ERRORS
                else f"{form._meta.model._meta.get_field(field).verbose_name}: "
            )
            form.add_error(None, [f"{label}{m}" for e in messages for m in e.messages])
