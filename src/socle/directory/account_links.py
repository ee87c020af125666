"""Links that the apps built on the directory add to its account pages, the directory naming
none of them (dependencies point directory ← portal: docs/architecture.md): on the reset page,
the person's block or unblock page; on the refusal page, the way back to the administration.
The portal registers both in ``PortalConfig.ready`` (socle.portal.account_links); a Socle
without it shows neither."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.http import HttpRequest

from socle.directory.models import Person


class Link(NamedTuple):
    url: str
    label: str


# (the administrator, the person, whether the person is blocked now, the establishments the
# administrator administers when the page read them already) → the page, or None when this
# administrator may not block or unblock them
BlockLink = Callable[[Person, Person, bool, set[int] | None], Link | None]
# the request → the administration's home for this visitor, or None
BackLink = Callable[[HttpRequest], Link | None]

_block: BlockLink | None = None
_back: BackLink | None = None


def register(*, block: BlockLink | None = None, back: BackLink | None = None) -> None:
    """Sets the block link, the back link, or both (a second call replaces them)."""
    global _block, _back
    if block is not None:
        _block = block
    if back is not None:
        _back = back


def block_link(
    admin: Person, person: Person, blocked: bool, administered: set[int] | None = None
) -> Link | None:
    """The page that blocks (or, ``blocked``, unblocks) ``person``, if ``admin`` may;
    ``administered``: as :func:`socle.directory.passwords.block_refusal`'s."""
    return _block(admin, person, blocked, administered) if _block is not None else None


def back_link(request: HttpRequest) -> Link | None:
    """Where an administrator refused a page goes back to."""
    return _back(request) if _back is not None else None
