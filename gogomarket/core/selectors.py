from .models import Setting


def public_settings():
    return Setting.objects.filter(is_public=True).only("key", "value", "type").order_by("key")
