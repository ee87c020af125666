"""Has the client of this request hung up? Asked by a login waiting for a password-hash slot.

During a surge a login may wait seconds for a slot (``socle.core.admission``). People who give
up close the tab, or click « Se connecter » again: their browser, or the proxy in front of
Socle, closes the connection. Without this check the abandoned login would still wait, take
a slot and hash a password nobody waits for — and a crowd clicking twice would double the
queue exactly when the machine has no room. A login whose client has gone leaves the queue
instead, without hashing.

The check looks at the connection gunicorn hands to the application (``environ
["gunicorn.socket"]``): ``recv(MSG_PEEK | MSG_DONTWAIT)`` returns ``b""`` once the peer has
closed its side, raises ``BlockingIOError`` while the connection is open and idle, and returns
bytes (left in place) when the client already sent more. It costs one system call, made only
by logins that wait. Elsewhere (another WSGI server, TLS terminated by gunicorn itself, tests
with Django's client) there is no socket to peek at and the login is considered wanted: the
check can only ever drop work nobody waits for.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Mapping
from typing import Any

WSGI_SOCKET_KEY = "gunicorn.socket"


def peer_has_closed(sock: socket.socket) -> bool:
    """``True`` when the other end closed the connection (or it broke); never blocks."""
    try:
        data = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return False  # open, nothing more sent: the client is waiting for the answer
    except OSError:
        return True  # reset by the peer, or the socket is no longer usable
    return data == b""


def still_wanted_check(meta: Mapping[str, Any]) -> Callable[[], bool] | None:
    """A function telling whether the client of the request whose WSGI environment (Django's
    ``request.META``) is ``meta`` still waits, or ``None`` when that cannot be known."""
    sock = meta.get(WSGI_SOCKET_KEY)
    if not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket):
        return None
    return lambda: not peer_has_closed(sock)
