"""Traces are an audit log: the Django admin shows them and nothing else (socle.portal.admin)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from socle.portal.models import Trace
from tests.factories import make_person


def _superuser_client(client: Client) -> Client:
    client.force_login(make_person("Ada", "Admin", is_superuser=True, is_staff=True))
    return client


def test_it_lists_and_shows_traces_in_the_django_admin(client: Client) -> None:
    trace = Trace.objects.create(event="login", actor_login="paul.prof")
    client = _superuser_client(client)
    assert client.get(reverse("admin:portal_trace_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_trace_change", args=[trace.pk])).status_code == 200


def test_it_refuses_to_edit_a_trace_in_the_django_admin(client: Client) -> None:
    trace = Trace.objects.create(event="login", outcome="fail", actor_login="paul.prof")
    client = _superuser_client(client)
    url = reverse("admin:portal_trace_change", args=[trace.pk])
    response = client.post(
        url,
        {
            "at_0": "2026-12-04",
            "at_1": "10:00:00",
            "event": "login",
            "outcome": "ok",
            "actor_login": "someone.else",
        },
    )
    assert response.status_code == 403
    trace.refresh_from_db()
    assert (trace.outcome, trace.actor_login) == ("fail", "paul.prof")


def test_it_refuses_to_add_or_delete_a_trace_in_the_django_admin(client: Client) -> None:
    trace = Trace.objects.create(event="login", actor_login="paul.prof")
    client = _superuser_client(client)
    added = client.post(reverse("admin:portal_trace_add"), {"event": "login", "outcome": "ok"})
    assert added.status_code == 403
    deleted = client.post(reverse("admin:portal_trace_delete", args=[trace.pk]), {"post": "yes"})
    assert deleted.status_code == 403
    bulk = client.post(
        reverse("admin:portal_trace_changelist"),
        {"action": "delete_selected", "_selected_action": [str(trace.pk)], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Trace.objects.filter(pk=trace.pk).exists()
    assert Trace.objects.count() == 1
