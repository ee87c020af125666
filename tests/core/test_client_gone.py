"""socle.core.client_gone: a login waiting for a hash slot notices that its client hung up."""

from __future__ import annotations

import socket
import ssl

import pytest

from socle.core.client_gone import WSGI_SOCKET_KEY, peer_has_closed, still_wanted_check


@pytest.fixture
def pair():
    server, client = socket.socketpair()
    yield server, client
    server.close()
    client.close()


def test_an_open_idle_connection_is_still_wanted(pair):
    server, _client = pair
    assert not peer_has_closed(server)


def test_a_connection_closed_by_the_client_is_gone(pair):
    server, client = pair
    client.close()
    assert peer_has_closed(server)


def test_bytes_sent_ahead_are_left_for_the_next_request(pair):
    server, client = pair
    client.sendall(b"GET / HTTP/1.1\r\n")
    assert not peer_has_closed(server)
    assert server.recv(100) == b"GET / HTTP/1.1\r\n"  # peeked, not consumed


def test_the_check_reads_gunicorns_socket_from_the_request_environment(pair):
    server, client = pair
    still_wanted = still_wanted_check({WSGI_SOCKET_KEY: server})
    assert still_wanted is not None and still_wanted()
    client.close()
    assert not still_wanted()


def test_without_a_plain_socket_the_login_is_always_wanted(pair):
    server, _client = pair
    assert still_wanted_check({}) is None  # Django's test client, another WSGI server
    context = ssl.create_default_context()
    wrapped = context.wrap_socket(
        socket.socket(), server_hostname="x", do_handshake_on_connect=False
    )
    try:
        assert still_wanted_check({WSGI_SOCKET_KEY: wrapped}) is None  # TLS in gunicorn
    finally:
        wrapped.close()
