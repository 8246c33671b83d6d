from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import readiness


@require_safe
@never_cache
def healthz(request):
    """Liveness for load balancers and the benchmark baseline: answers without the database."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def readyz(request):
    """200 when PostgreSQL, Redis and the Celery broker all answer; otherwise 503 naming what is down."""
    results = readiness()
    down = sorted(name for name, state in results.items() if state != "ok")
    body = {"status": "ok" if not down else "unavailable", "down": down, "checks": results}
    return JsonResponse(body, status=200 if not down else 503)
