"""A readable device name from a User-Agent string, for the active sessions page."""

import re

_BROWSERS = (
    ("Edge", r"Edg/"),
    ("Opera", r"OPR/"),
    ("Yandex Browser", r"YaBrowser/"),
    ("Chrome", r"Chrome/"),
    ("Firefox", r"Firefox/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux"),
)


def device_name(user_agent):
    if not user_agent:
        return "?"
    if user_agent.startswith("GOGOMARKET/"):  # our mobile apps name themselves
        return user_agent.split(" ")[0].replace("/", " ")
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), None)
    if browser or system:
        return " · ".join(p for p in (browser, system) if p)
    return user_agent[:40]
