"""Django messages at the top of <main>: an error is an alert (announced at once), the others a
status; each is in the page as text, for browsers without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.shortcuts import render
from django.test import RequestFactory
from lxml import html

from socle.directory.models import Person


def test_it_makes_an_error_an_alert_and_a_success_a_status(superuser: Person) -> None:
    request = RequestFactory().get("/")
    request.user = superuser
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    messages.success(request, "Service enregistré.")
    messages.error(request, "Certaines lignes contiennent des erreurs.")
    page = html.fromstring(render(request, "404.html").content)
    boxes = page.findall(".//main//div[@class='messages']/div")
    assert [(box.get("role"), box.text_content().strip()) for box in boxes] == [
        ("status", "Service enregistré."),
        ("alert", "Certaines lignes contiennent des erreurs."),
    ]
