"""Small helpers shared by tests."""

from urllib.parse import quote


def database_url(settings_dict):
    """A DATABASE_URL that points another process at the database this test uses."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    if host.startswith("/"):
        return f"postgis://{auth}{quote(host, safe='')}/{settings_dict['NAME']}"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgis://{auth}{host}{port}/{settings_dict['NAME']}"
