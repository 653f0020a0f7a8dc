"""Turn a rendered admin add/change page into the POST data its Save button would send."""

from django import forms


def _put(data: dict, key: str, field: forms.Field, value) -> None:
    if isinstance(field, forms.BooleanField):
        if value:
            data[key] = "on"
    elif value is None:
        data[key] = ""
    else:
        data[key] = value


def admin_form_data(response, **changes) -> dict:
    """The page's form and inline formsets as filled in, with ``changes`` (field -> value) on top.

    A ``False`` change unticks a checkbox; ``None`` blanks a field.
    """
    data: dict = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        _put(data, name, field, form[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for subform in formset.forms:
            for name, field in subform.fields.items():
                _put(data, subform.add_prefix(name), field, subform[name].value())
    for key, value in changes.items():
        data.pop(key, None)
        if value is not False:
            data[key] = "" if value is None else ("on" if value is True else value)
    return data
