import ipaddress
import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import readiness
from .services import client_ip

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request):
    """Liveness for load balancers and the benchmark baseline: answers without the database."""
    return HttpResponse("ok", content_type="text/plain")


def _readyz_networks():
    networks = []
    for entry in settings.READYZ_ALLOWED_IPS:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.warning("READYZ_ALLOWED_IPS: %r is not an address or a network; ignored", entry)
    return networks


def may_see_readiness_details(request):
    """Which service is down, and its error, is for the people who run the site: callers on this
    machine, the addresses of READYZ_ALLOWED_IPS, and signed-in staff. The caller's address is
    ``client_ip`` (X-Forwarded-For only as far as our own proxies wrote it), so a proxy on this
    machine does not make every caller local, and a forged header makes no one local."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    ip = client_ip(request)
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or any(address in network for network in _readyz_networks())


@require_safe
@never_cache
def readyz(request):
    """200 when PostgreSQL, Redis and the Celery broker all answer, otherwise 503. Local callers and
    staff get JSON naming what is down; anyone else only "ok" or "unavailable"."""
    results = readiness()
    down = sorted(name for name, state in results.items() if state != "ok")
    status = 200 if not down else 503
    if not may_see_readiness_details(request):
        return HttpResponse("ok" if not down else "unavailable", content_type="text/plain", status=status)
    body = {"status": "ok" if not down else "unavailable", "down": down, "checks": results}
    return JsonResponse(body, status=status)
