"""Forms of the money pages: they check the shape of the input (a number, a choice); the rules
(top-up limits, what may be paid out, which accounts count) live in ``finance.services`` and come
back as service errors shown with ``add_service_error``."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gogomarket.core.forms import BootstrapFormMixin
from gogomarket.core.money import format_uzs

from .enums import PayoutMethod

# The spaces people group thousands with ("100 000"), the no-break ones our pages print included.
_GROUPING = str.maketrans("", "", " \u00a0\u202f'")


class AmountField(forms.DecimalField):
    """An amount in so'm as people type it: ``100000``, ``100 000``, ``100 000,50``."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(_GROUPING).replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # A text box with the numeric keyboard: type=number refuses "100 000" in some browsers.
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs


class NoEchoTextInput(forms.TextInput):
    """A text box that never writes the submitted value back into the page (a bank account
    number is not sent back to the browser, not even on a form with errors)."""

    def format_value(self, value):
        return None


class TopupForm(BootstrapFormMixin, forms.Form):
    amount = AmountField(label=_("Amount, so'm"), widget=forms.TextInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _("From %(low)s to %(high)s, paid by card.") % {
            "low": format_uzs(settings.TOPUP_MIN),
            "high": format_uzs(settings.TOPUP_MAX),
        }
        self.fields["amount"].widget.attrs["placeholder"] = "100 000"


class PayoutRequestForm(BootstrapFormMixin, forms.Form):
    """``accounts``: the (id, label) of the seller's verified bank accounts."""

    amount = AmountField(label=_("Amount, so'm"), widget=forms.TextInput)
    method = forms.ChoiceField(
        label=_("How to receive it"),
        choices=[
            (PayoutMethod.BANK_TRANSFER, PayoutMethod.BANK_TRANSFER.label),
            (PayoutMethod.CASH, _("Cash at the GOGOMARKET office")),
        ],
        initial=PayoutMethod.BANK_TRANSFER,
        widget=forms.RadioSelect,
    )
    bank_account = forms.TypedChoiceField(label=_("To the account"), coerce=int, required=False, empty_value=None)
    notes = forms.CharField(
        label=_("Notes for accounting"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].choices = [("", _("Choose an account"))] + list(accounts)
        self.fields["amount"].help_text = _("At least %(min)s; held from your wallet until it is sent.") % {
            "min": format_uzs(settings.PAYOUT_MIN)
        }


class BankAccountForm(BootstrapFormMixin, forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=200)
    account_holder_name = forms.CharField(
        label=_("Account holder"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=60,
        help_text=_("20 digits for an Uzbek account, or an IBAN. Stored encrypted and shown masked."),
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    routing_number = forms.CharField(
        label=_("MFO / SWIFT"), max_length=50, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
