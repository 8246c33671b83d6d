"""What the forms of every app share: Bootstrap classes on the widgets, and a service's
ValidationError shown on the form (the rules live in services; forms only check the shape of the
input, so one rule is written once for the pages, the API and the back office)."""

from django import forms


def form_add_service_error(form, error, field_names=None):
    """Show ``error`` (a ValidationError raised by a service) on ``form``: each message on the
    field it names (``field_names`` maps a service's name to the form's where they differ), the
    rest, and messages naming no field, at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = (field_names or {}).get(key, key)
        form.add_error(name if name in form.fields else None, errors)


class BootstrapFormMixin:
    """Bootstrap classes on the widgets (``is-invalid`` once a field has an error), and service
    errors mapped onto the form's fields with ``add_service_error``."""

    # service error key -> form field, where the two names differ
    service_error_fields = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def add_service_error(self, error):
        """Show a ValidationError raised by a service."""
        form_add_service_error(self, error, self.service_error_fields)
