"""The card provider's side of a payment: its callback, and the sandbox provider's own "bank
page" (development and tests). The buyer's wallet and the seller's finance pages are in
page_views.py."""

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from gogomarket.core.redirects import safe_next

from .models import Payment, PaymentState
from .providers import CallbackInvalid, SandboxPaymentProvider, payment_provider
from .services.payments import payment_callback


@method_decorator(csrf_exempt, name="dispatch")
class PaymentCallbackView(View):
    """``POST /payments/callback/``: the provider tells us how a payment ended (server to server:
    no session, no CSRF token; the signature is the proof). Answers 200 for any signed callback,
    repeated ones included, and 400 for an unsigned one."""

    def post(self, request):
        try:
            payment_callback(request.POST.dict(), request=request)
        except CallbackInvalid:
            return HttpResponseBadRequest("invalid callback")
        return HttpResponse("ok", content_type="text/plain")


class SandboxPageView(View):
    """The sandbox provider's payment page: the amount and two buttons. Approving or declining
    sends the signed callback the way a provider's server would, then returns the buyer. A
    payment no longer pending (paid, declined, or cancelled with its order) takes no card: the
    page says so, and a form posted from an old tab sends nothing."""

    def get(self, request, token):
        payment = self._payment(token)
        return render(request, "finance/sandbox_page.html", {"payment": payment, "return": self._return(request)})

    def post(self, request, token):
        payment = self._payment(token)
        provider = payment_provider()
        outcome = "approved" if request.POST.get("outcome") == "approved" else "declined"
        if payment.state == PaymentState.PENDING:
            payment_callback(
                provider.sign(
                    {"token": payment.token, "outcome": outcome, "amount": payment.amount,
                     "reference": f"sandbox-{payment.token[:16]}"}
                ),
                request=request,
            )  # fmt: skip
        return redirect(self._return(request))

    def _payment(self, token):
        if not isinstance(payment_provider(), SandboxPaymentProvider):
            raise Http404  # a real provider has its own page
        payment = Payment.objects.filter(token=token).first()
        if payment is None:
            raise Http404
        return payment

    def _return(self, request):
        return safe_next(request, request.POST.get("return") or request.GET.get("return"), "/")
