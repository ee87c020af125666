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


# (the administrator, the person, whether the person is blocked now) → the page, or None
# when this administrator may not block or unblock them
BlockLink = Callable[[Person, Person, bool], Link | None]
# the request → the administration's home for this visitor, or None
BackLink = Callable[[HttpRequest], Link | None]

_block: list[BlockLink] = []
_back: list[BackLink] = []


def register(*, block: BlockLink | None = None, back: BackLink | None = None) -> None:
    """Sets the block link, the back link, or both (a second call replaces them)."""
    if block is not None:
        _block[:] = [block]
    if back is not None:
        _back[:] = [back]


def block_link(admin: Person, person: Person, blocked: bool) -> Link | None:
    """The page that blocks (or, ``blocked``, unblocks) ``person``, if ``admin`` may."""
    return _block[0](admin, person, blocked) if _block else None


def back_link(request: HttpRequest) -> Link | None:
    """Where an administrator refused a page goes back to."""
    return _back[0](request) if _back else None
