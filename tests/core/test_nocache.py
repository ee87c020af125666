"""``socle.core.nocache.no_store``: the headers of Django's ``never_cache``, written at once."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import get_max_age
from django.views.decorators.cache import never_cache

from socle.core.nocache import no_store


def answer(**headers: str) -> HttpResponse:
    response = HttpResponse("ok")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def directives(value: str) -> set[str]:
    return {part.strip() for part in value.split(",")}


def test_it_sets_the_same_cache_control_as_never_cache():
    request = RequestFactory().get("/")
    ours = no_store(lambda r: answer())(request)
    django = never_cache(lambda r: answer())(request)
    assert directives(ours["Cache-Control"]) == directives(django["Cache-Control"])
    assert get_max_age(ours) == 0


def test_it_marks_the_answer_as_already_expired():
    ours = no_store(lambda r: answer())(RequestFactory().get("/"))
    assert ours["Expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"


def test_it_merges_with_a_cache_control_the_view_set():
    ours = no_store(lambda r: answer(Cache_Control="public, max-age=3600"))(
        RequestFactory().get("/")
    )
    assert {"no-store", "no-cache", "must-revalidate", "private", "max-age=0"} <= directives(
        ours["Cache-Control"]
    )
    assert "max-age=3600" not in ours["Cache-Control"]


def test_it_keeps_an_expires_the_view_set():
    ours = no_store(lambda r: answer(Expires="Wed, 21 Oct 2015 07:28:00 GMT"))(
        RequestFactory().get("/")
    )
    assert ours["Expires"] == "Wed, 21 Oct 2015 07:28:00 GMT"
