import pytest
from django.test import RequestFactory

from socle.core import checks
from socle.core.middleware import (
    TrustedNetworks,
    TrustedProxyMiddleware,
    apply_trusted_proxy,
    trusted_networks,
)
from socle.core.proxy import ProxyListError, client_address, parse_networks

PROXIES = parse_networks(["10.0.0.0/24", "127.0.0.1"])


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.5", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left part is the client's
        ("10.0.0.5", "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two proxies in a row
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not from a proxy: header ignored
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "not-an-ip", "10.0.0.5"),
        ("10.0.0.5", "10.0.0.7", "10.0.0.5"),
        ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_it_finds_the_client_behind_trusted_proxies(remote, forwarded, expected):
    assert client_address(remote, forwarded, PROXIES) == expected


def test_it_rejects_a_malformed_proxy_list():
    with pytest.raises(ProxyListError):
        parse_networks(["10.0.0.0/24", "proxy.example.org"])


def test_the_middleware_rewrites_remote_addr_only_behind_a_tls_proxy(settings):
    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    TrustedProxyMiddleware(view)(request)
    assert seen["REMOTE_ADDR"] == "203.0.113.7"
    assert seen["SOCLE_PROXY_ADDR"] == "10.0.0.5"

    seen.clear()
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    settings.SECURE_PROXY_SSL_HEADER = None
    TrustedProxyMiddleware(view)(request)
    assert seen["REMOTE_ADDR"] == "10.0.0.5"


def test_a_malformed_proxy_list_is_a_check_error(settings):
    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/33"]
    assert [m.id for m in checks.check_trusted_proxies()] == ["socle.E090"]


def test_it_names_every_bad_item_of_the_list_at_once():
    with pytest.raises(ProxyListError) as refused:
        parse_networks(["10.0.0.0/24", "proxy.example.org", "10.0.0.300"])
    assert str(refused.value) == (
        "'proxy.example.org', '10.0.0.300' ne sont ni des adresses IP ni des réseaux"
    )


def test_it_names_the_client_in_the_environ_of_a_fast_path_answer(settings):
    # gunicorn's access log reads REMOTE_ADDR from the environ: an SSO hop or a validation
    # answered by a WSGI fast path logged the proxy's address, Django's answers the client's.
    from socle.core.wsgi_fast import FastPath, Reply

    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = []

    def prepare(environ, client_ip):
        seen.append(client_ip)
        return lambda: Reply("200 OK", [("Content-Type", "text/plain")], b"ok")

    fast = FastPath(
        lambda environ, start_response: [],
        prepare,
        enabled=True,
        headers=[],
        client_ip=lambda meta: meta["REMOTE_ADDR"],
    )
    environ = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert fast(environ, lambda status, headers: None) == [b"ok"]
    assert seen == ["203.0.113.7"]
    assert environ["REMOTE_ADDR"] == "203.0.113.7"
    assert environ["SOCLE_PROXY_ADDR"] == "10.0.0.5"


def _secure(settings, remote: str, proto: str = "https") -> bool:
    """Whether Django takes the request for https once through the middleware."""
    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()
        return None

    TrustedProxyMiddleware(view)(
        RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_PROTO=proto)
    )
    return seen["secure"]


def test_it_believes_x_forwarded_proto_only_from_a_trusted_proxy(settings):
    """Django's ``SECURE_PROXY_SSL_HEADER`` believed whoever sent the header: a client reaching
    a node directly, over plain http, was taken for one that came over https (CSRF's referer
    check, absolute addresses), while its ``X-Forwarded-For`` was ignored."""
    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert _secure(settings, "10.0.0.5") is True
    assert _secure(settings, "::1") is True
    assert _secure(settings, "10.0.0.5", proto="http") is False
    assert _secure(settings, "203.0.113.9") is False
    assert _secure(settings, "") is False
    assert _secure(settings, "garbage") is False


def test_it_removes_the_proto_header_of_an_outsider_and_keeps_the_proxy_s(settings):
    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    networks = trusted_networks()
    outsider = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https"}
    apply_trusted_proxy(outsider, networks)
    assert outsider == {"REMOTE_ADDR": "203.0.113.9"}
    proxied = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_PROTO": "https"}
    apply_trusted_proxy(proxied, networks)
    assert proxied == {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_PROTO": "https"}


def test_it_says_once_per_peer_that_it_ignored_its_proto_header(settings, caplog):
    """A TLS proxy left out of ``SOCLE_TRUSTED_PROXIES`` would otherwise show only as forms
    refused (CSRF): the browser says https, the request is taken for http."""
    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    networks = trusted_networks()
    for _ in range(3):
        apply_trusted_proxy(
            {"REMOTE_ADDR": "192.0.2.8", "HTTP_X_FORWARDED_PROTO": "https"}, networks
        )
    apply_trusted_proxy({"REMOTE_ADDR": "192.0.2.9"}, networks)  # no header: nothing to say
    assert [r.getMessage() for r in caplog.records] == [
        "X-Forwarded-Proto from 192.0.2.8 ignored: not in SOCLE_TRUSTED_PROXIES (if it is the "
        "TLS proxy, list it there; otherwise a client reaches the node around the proxy)"
    ]


def test_it_leaves_the_headers_alone_when_not_behind_a_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    meta = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https"}
    apply_trusted_proxy(meta, trusted_networks())
    assert meta == {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https"}


def test_it_remembers_which_peers_are_proxies_within_a_bound(settings, monkeypatch):
    settings.SOCLE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    networks = trusted_networks()
    assert networks is not None
    monkeypatch.setattr(TrustedNetworks, "REMEMBERED", 2)
    assert networks.trust("10.0.0.5") and not networks.trust("203.0.113.9")
    assert networks.known == {"10.0.0.5": True, "203.0.113.9": False}
    assert networks.trust("10.0.0.6")
    assert networks.known == {"10.0.0.6": True}


def test_the_proxy_middleware_comes_first(settings):
    """Nothing before it may read ``X-Forwarded-Proto`` (``SecurityMiddleware``'s redirect)."""
    assert settings.MIDDLEWARE[0] == "socle.core.middleware.TrustedProxyMiddleware"
