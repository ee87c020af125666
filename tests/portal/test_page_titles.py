"""WCAG 2.4.2: the pages of one service name it in their title, as its tabs « Accès population »
and « Accès utilisateur » do, so that two tabs of the browser (two services being edited) or the
history tell them apart."""

from __future__ import annotations

from django.urls import reverse
from lxml import etree

from socle.directory.models import Person
from tests.factories import make_service
from tests.portal.conftest import logged_in


def _title(client: object, url: str) -> str:
    return etree.HTML(client.get(url).content).findtext(".//title")  # type: ignore[attr-defined]


def test_each_page_of_a_service_names_it_in_its_title(superuser: Person) -> None:
    cdt = make_service("cdt", label="Cahier de textes")
    cdi = make_service("cdi", label="Portail du CDI", patterns=("https://cdi.example.org/**",))
    client = logged_in(superuser)
    for name in ("service_edit", "service_access", "service_users", "service_delete"):
        titles = {_title(client, reverse(f"portal:{name}", args=[s.pk])) for s in (cdt, cdi)}
        assert len(titles) == 2, (name, titles)
    assert _title(client, reverse("portal:service_edit", args=[cdt.pk])) == (
        "Information générale — Cahier de textes — Socle"
    )
    assert _title(client, reverse("portal:service_delete", args=[cdi.pk])) == (
        "Supprimer un service — Portail du CDI — Socle"
    )
