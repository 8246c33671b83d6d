"""The API documentation pages in a real browser: they work without the internet."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_api_docs_ask_no_other_host_for_anything(page, live_server, transactional_db, path):
    """Every request the page makes goes to our own server: no web fonts, no logo, no script."""
    external = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(live_server.url):
            request_route.continue_()
        else:
            external.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(live_server.url + path)
    expect(page.get_by_text("GOGOMARKET API").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/api/v1/auth/login/").first).to_be_attached(timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert external == []
