"""The pages of a logged-in person are never stored by the browser (``Cache-Control:
no-store``): after logout on a shared school computer, « Précédent » shows nothing of the
previous user (security review, 2027). Static files, icons and the visitors' pages stay
cacheable."""

from __future__ import annotations

import pytest
from django.test import Client

from socle.directory.models import Establishment, Person
from socle.portal.icon_store import set_icon
from tests.factories import make_person, make_service
from tests.portal.conftest import logged_in
from tests.portal.test_patterns_and_icons import png


def directives(response) -> set[str]:  # noqa: ANN001
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def never_stored(response) -> bool:  # noqa: ANN001
    return {"no-store", "no-cache", "private", "max-age=0"} <= directives(response)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/gestion/",
        "/gestion/services/",
        "/gestion/acces/",
        "/gestion/traces/",
        "/gestion/traces/?format=csv",
        "/gestion/indicateurs/",
        "/gestion/pronote/",
        "/gestion/pronote/diagnostic/",
        "/gestion/pronote/export/",
    ],
)
def test_an_administrators_pages_are_never_stored(school_admin: Person, path: str) -> None:
    response = logged_in(school_admin).get(path)
    assert response.status_code == 200
    assert never_stored(response)
    assert response["Expires"]


def test_the_diagnostics_of_an_account_and_the_access_of_a_person_are_never_stored(
    school: Establishment, school_admin: Person
) -> None:
    pupil = make_person("Camille", "Martin", establishment=school)
    service = make_service("appli", establishment=school)
    client = logged_in(school_admin)
    for path, query in (
        ("/gestion/pronote/diagnostic/", {"establishment": school.pk, "login": pupil.login}),
        (f"/gestion/services/{service.pk}/acces-utilisateur/", {"q": "martin"}),
    ):
        response = client.get(path, query)
        assert response.status_code == 200 and pupil.login in response.content.decode()
        assert never_stored(response)


def test_a_pupils_espace_and_the_error_pages_are_never_stored(school: Establishment) -> None:
    client = logged_in(make_person("Camille", "Martin", establishment=school))
    assert never_stored(client.get("/"))
    refused = client.get("/gestion/traces/")
    assert refused.status_code == 403 and never_stored(refused)
    missing = client.get("/services/inconnu/")
    assert missing.status_code == 404 and never_stored(missing)


def test_a_visitors_pages_and_the_static_files_stay_cacheable(school: Establishment) -> None:
    visitor = Client()
    home = visitor.get("/")
    assert home.status_code == 200 and "no-store" not in directives(home)
    person = logged_in(make_person("Camille", "Martin", establishment=school))
    for client in (visitor, person):
        css = client.get("/static/socle/socle.css")
        assert css.status_code == 200 and "no-store" not in directives(css)
        assert "public" in directives(css)


def test_a_view_that_chose_its_caching_keeps_it(school: Establishment) -> None:
    service = make_service("appli", establishment=school)
    set_icon(service, png(16, 16), "image/png")
    client = logged_in(make_person("Camille", "Martin", establishment=school))
    icon = client.get("/services/appli/icone")
    assert icon.status_code == 200
    assert directives(icon) == {"public", "max-age=3600"}
    password = client.get("/compte/mot-de-passe")  # never_cache: Django's own headers, kept
    assert never_stored(password)


def test_the_page_after_logout_is_a_visitors_page_again(school: Establishment) -> None:
    client = logged_in(make_person("Camille", "Martin", establishment=school))
    assert never_stored(client.get("/"))
    client.logout()
    assert "no-store" not in directives(client.get("/"))
