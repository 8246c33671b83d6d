"""The one rule for "where to go next" links (gogomarket.core.redirects.safe_next): a path or URL
on this site, never another site, whatever spelling tricks the link uses."""

import pytest
from django.test import RequestFactory

from gogomarket.core.redirects import safe_next

DEFAULT = "/fallback/"


def _request(secure=False):
    return RequestFactory().get("/", secure=secure)


@pytest.mark.parametrize(
    "candidate",
    [
        "/orders/",
        "/orders/?status=paid&page=2#top",
        "/seller/products/?next=//evil.example",  # a query string is ours to read, not a redirect
        "http://testserver/wallet/",
        "https://testserver/wallet/",
        "relative/path/",
    ],
)
def test_paths_and_urls_of_this_site_are_followed(candidate):
    assert safe_next(_request(), candidate, DEFAULT) == candidate


@pytest.mark.parametrize(
    "candidate",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "////evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "\\/evil.example/",
        "/\\/evil.example/",
        "/ /evil.example/",
        "\t//evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        " //evil.example/",
        "\x00//evil.example/",
        "/\x7f/evil.example",
        "http://testserver.evil.example/",
        "https://testserver@evil.example/",
        "https://evil.example/?testserver",
        "http:/evil.example/",
        "http:///evil.example/",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://testserver/file",
        "mailto:someone@testserver",
        "https://[::1]/",
        "",
        None,
        42,
        ["/orders/"],
        "/" + "a" * 3000,
    ],
)
def test_other_sites_and_tricks_give_the_default(candidate):
    assert safe_next(_request(), candidate, DEFAULT) == DEFAULT


def test_a_secure_page_never_sends_to_plain_http_of_this_site():
    assert safe_next(_request(secure=True), "http://testserver/wallet/", DEFAULT) == DEFAULT
    assert safe_next(_request(secure=True), "https://testserver/wallet/", DEFAULT) == "https://testserver/wallet/"
    assert safe_next(_request(secure=True), "/wallet/", DEFAULT) == "/wallet/"


def test_within_keeps_the_link_inside_one_part_of_the_site():
    request = _request()
    assert safe_next(request, "/seller/products/?status=draft", DEFAULT, within="/seller/") == (
        "/seller/products/?status=draft"
    )
    assert safe_next(request, "http://testserver/seller/orders/", DEFAULT, within="/seller/") == (
        "http://testserver/seller/orders/"
    )
    for outside in ("/orders/", "/sellers-fake/", "/seller", "relative/seller/", "/seller/../admin/"):
        assert safe_next(request, outside, DEFAULT, within="/seller/") == DEFAULT
