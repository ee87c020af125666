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


def test_the_middleware_marks_only_a_logged_in_persons_answers_the_view_left_open():
    from django.contrib.auth.models import AnonymousUser

    from socle.core.nocache import LoggedInNoStoreMiddleware
    from tests.factories import make_person

    person = make_person()
    for user, headers, expected in (
        (person, {}, {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}),
        (person, {"Cache_Control": "public, max-age=3600"}, {"public", "max-age=3600"}),
        (AnonymousUser(), {}, set()),
    ):
        request = RequestFactory().get("/")
        request.user = user
        response = LoggedInNoStoreMiddleware(lambda r, h=headers: answer(**h))(request)
        assert directives(response.get("Cache-Control", "")) - {""} == expected


def test_it_runs_after_authentication_on_the_full_chain_and_never_on_the_cas_lean_chains(
    settings,
):
    from socle.cas.lean import KEPT, lean_middleware

    chain = list(settings.MIDDLEWARE)
    ours = "socle.core.nocache.LoggedInNoStoreMiddleware"
    assert chain.index(ours) > chain.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    for kind in KEPT:
        assert ours not in lean_middleware(kind)


def test_it_adds_pragma_no_cache_for_http_1_0_caches():
    # CAS 3.0 Appendix B lists it with Cache-Control: no-store and a past Expires.
    assert no_store(lambda r: answer())(RequestFactory().get("/"))["Pragma"] == "no-cache"
    merged = no_store(lambda r: answer(Cache_Control="public"))(RequestFactory().get("/"))
    assert merged["Pragma"] == "no-cache"
