"""Helpers that bring a service's refusal back onto the form the user filled in."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, renames: dict[str, str] | None = None
) -> None:
    """Attach a service's ValidationError to the fields it names (others to the form);
    `renames` maps a service's field name to the form's where they differ."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        name = (renames or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


class StyledFormMixin:
    """Give every widget the CSS class the layout expects."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs.setdefault("class", css)
