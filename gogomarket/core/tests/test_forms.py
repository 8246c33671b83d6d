"""The form helpers every app's forms share (gogomarket.core.forms)."""

from django import forms
from django.core.exceptions import ValidationError

from gogomarket.core.forms import BootstrapFormMixin, form_add_service_error


class _Form(BootstrapFormMixin, forms.Form):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "A")])
    agree = forms.BooleanField(required=False)
    password1 = forms.CharField()

    service_error_fields = {"password": "password1"}


def test_widgets_get_bootstrap_classes():
    form = _Form()
    assert form.fields["name"].widget.attrs["class"] == "form-control"
    assert form.fields["kind"].widget.attrs["class"] == "form-select"
    assert form.fields["agree"].widget.attrs["class"] == "form-check-input"


def test_a_service_error_lands_on_the_field_it_names_and_the_rest_at_the_top():
    form = _Form({"name": "x", "kind": "a", "password1": "p"})
    assert form.is_valid()
    form.add_service_error(ValidationError({"name": "Taken.", "password": "Too short.", "phone": "Not a field here."}))
    assert form.errors["name"] == ["Taken."]
    assert form.errors["password1"] == ["Too short."]  # service_error_fields maps the name
    assert form.non_field_errors() == ["Not a field here."]
    assert "is-invalid" in form.fields["name"].widget.attrs["class"]
    assert "is-invalid" not in form.fields["kind"].widget.attrs["class"]


def test_a_plain_service_error_is_shown_at_the_top_of_any_form():
    form = forms.Form({})
    form.is_valid()
    form_add_service_error(form, ValidationError("Try again later."))
    assert form.non_field_errors() == ["Try again later."]
