"""Browser tests: Playwright driving Debian's Chromium (Playwright cannot download its own here).

Run them in their own process: ``DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -m e2e tests/e2e``
(``make test-e2e``). Playwright's sync API keeps an event loop in the test thread, so the ORM
calls of the test itself need DJANGO_ALLOW_ASYNC_UNSAFE.
"""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup-test` (installs Debian's chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Headless Chromium asks for en-US; the tests read the page as an Uzbek visitor does
    # (Django picks the language from Accept-Language until the visitor chooses one).
    return {**browser_context_args, "locale": "uz-UZ"}
