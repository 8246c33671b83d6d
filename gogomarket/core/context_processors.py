from django.conf import settings


def platform(request):
    return {
        "CURRENCY": settings.CURRENCY,
        "SITE_URL": settings.SITE_URL,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
    }
