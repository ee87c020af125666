"""Traces: filters, CSV export, purge; Indicateurs: counts and SVG charts."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal import charts, indicators, trace_log
from socle.portal.charts import nice_max, stacked_bars
from socle.portal.models import Trace
from socle.portal.traces import record
from tests.factories import make_membership, make_person, make_service
from tests.portal.conftest import logged_in


def at(days_ago: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def trace(event: str, days_ago: int = 0, **fields: object) -> Trace:
    return Trace.objects.create(event=event, at=at(days_ago), **fields)


def test_the_traces_page_filters_by_event_service_establishment_person_and_dates(
    superuser: Person, school: Establishment
) -> None:
    trace("ticket_issued", service_code="pronote", uai=school.uai, actor_login="camille.martin")
    trace("ticket_issued", 3, service_code="cdt", uai=school.uai, actor_login="paul.martin")
    trace("login_failed", outcome="failed", actor_login="inconnu")
    client = logged_in(superuser)
    url = reverse("portal:traces")

    def logins(query: str) -> set[str]:
        response = client.get(url + query)
        return {row[0].actor_login for row in response.context["rows"]}

    assert logins("") == {"camille.martin", "paul.martin", "inconnu"}
    assert logins("?event=login_failed") == {"inconnu"}
    assert logins("?service=PRONOTE") == {"camille.martin"}
    assert logins(f"?uai={school.uai}") == {"camille.martin", "paul.martin"}
    assert logins("?person=paul") == {"paul.martin"}
    today = timezone.localdate()
    assert logins(f"?start={today - dt.timedelta(days=1)}") == {"camille.martin", "inconnu"}
    response = client.get(url + f"?start={today}&end={today - dt.timedelta(days=2)}")
    assert response.context["form"].errors["end"] == [
        "La date de fin doit suivre la date de début."
    ]
    page = client.get(url).content.decode()
    assert "Ticket émis" in page and "Échec de connexion" in page


def test_it_finds_under_a_persons_login_the_acts_that_concerned_them(
    superuser: Person, school: Establishment
) -> None:
    parent = make_person(login="nathalie.martin", last_name="MARTIN", first_name="Nathalie")
    trace("login_failed", 1, outcome="refused", person=parent, actor_login="nathalie.martin")
    trace("password_reset", person=parent, actor_login="direction.jaures", uai=school.uai)
    trace("login", actor_login="direction.jaures")
    client = logged_in(superuser)
    response = client.get(reverse("portal:traces") + "?person=nathalie.martin")
    events = sorted(row[0].event for row in response.context["rows"])
    assert events == ["login_failed", "password_reset"]
    response = client.get(reverse("portal:traces") + "?person=direction.jaures")
    assert sorted(row[0].event for row in response.context["rows"]) == ["login", "password_reset"]
    # the parent at the desk gives her name, not her login
    for name in ("Nathalie Martin", "MARTIN nathalie"):
        response = client.get(reverse("portal:traces"), {"person": name})
        assert sorted(row[0].event for row in response.context["rows"]) == events


def test_it_says_incorrect_criteria_rather_than_no_trace(superuser: Person) -> None:
    trace("login_failed", outcome="failed", actor_login="inconnu")
    client = logged_in(superuser)
    page = html.unescape(client.get(reverse("portal:traces") + "?start=abc").content.decode())
    assert "Critères incorrects : corrigez les champs signalés ci-dessus" in page
    assert "Aucune trace ne correspond à ces critères." not in page
    page = html.unescape(client.get(reverse("portal:traces") + "?person=nobody").content.decode())
    assert "Aucune trace ne correspond à ces critères." in page


def test_the_event_filter_lists_events_in_the_readers_alphabetical_order(
    superuser: Person,
) -> None:
    page = logged_in(superuser).get(reverse("portal:traces")).content
    labels = [
        option.text
        for option in etree.HTML(page).xpath('//select[@name="event"]/option')
        if option.get("value")
    ]
    assert labels.index("Déconnexion") < labels.index("Droit d'accès ajouté")
    assert labels.index("Échec de connexion") < labels.index("Service créé")
    assert labels.index("Ticket émis") < labels.index("Ticket refusé")
    assert labels[-1] == "Traces purgées"


def test_the_csv_export_is_spreadsheet_ready_and_neutralises_formulas(superuser: Person) -> None:
    trace(
        "access_denied",
        outcome="denied",
        actor_login="eve",
        detail='=HYPERLINK("x")',
        service_code="pronote",
    )
    response = logged_in(superuser).get(reverse("portal:traces") + "?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["date", "evenement", "resultat"]
    assert rows[1][1:5] == ["Accès refusé", "refusé", "eve", "pronote"]
    assert rows[1][-1] == '\'=HYPERLINK("x")'


def test_the_list_and_the_csv_give_the_profile_the_person_holds_in_the_traces_school(
    superuser: Person, school: Establishment
) -> None:
    other = Establishment.objects.create(uai="0312799Z", name="Fermat")
    teacher = make_person(establishment=school, profile=Profile.TEACHER, login="h.le-gall")
    make_membership(teacher, other, profile=Profile.PARENT)
    trace("ticket_issued", person=teacher, actor_login=teacher.login, uai=school.uai)
    trace("ticket_issued", person=teacher, actor_login=teacher.login, uai=other.uai)
    trace("login_failed", outcome="failed", actor_login="inconnu")
    client = logged_in(superuser)
    page = etree.HTML(client.get(reverse("portal:traces")).content)
    profiles = {
        (row.xpath("string(td[6])").strip(), row.xpath("string(td[7])").strip())
        for row in page.xpath("//table//tbody/tr")
    }
    assert profiles == {
        ("0312609T", "Enseignant"),
        ("0312799Z", "Parent / responsable"),
        ("—", "—"),
    }, profiles
    response = client.get(reverse("portal:traces") + "?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {(r["uai"], r["profil"]) for r in rows} == {
        ("0312609T", "National_ENS"),
        ("0312799Z", "National_TUT"),
        ("", ""),
    }


def test_the_purge_command_deletes_traces_older_than_the_retention(settings: object) -> None:
    settings.SOCLE_TRACE_RETENTION_DAYS = 30  # type: ignore[attr-defined]
    trace("login", 40)
    trace("login", 31)
    kept = trace("login", 29)
    out = io.StringIO()
    call_command("traces_purge", "--dry-run", stdout=out)
    assert "2 trace(s)" in out.getvalue() and Trace.objects.count() == 3
    call_command("traces_purge", stdout=out)
    assert list(Trace.objects.filter(event="login")) == [kept]
    assert Trace.objects.filter(event="traces_purged").exists()
    call_command("traces_purge", "--days", "1", stdout=out)
    assert not Trace.objects.filter(event="login").exists()


@pytest.mark.parametrize("days", ["0", "-5"])
def test_it_refuses_a_purge_of_less_than_one_day(settings: object, days: str) -> None:
    settings.SOCLE_TRACE_RETENTION_DAYS = 30  # type: ignore[attr-defined]
    trace("login", 40)
    with pytest.raises(CommandError, match="--days doit être au moins 1"):
        call_command("traces_purge", "--dry-run", "--days", days, stdout=io.StringIO())
    assert Trace.objects.filter(event="login").count() == 1


def test_the_purge_command_says_nothing_with_verbosity_zero_but_keeps_its_trace(
    settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SOCLE_TRACE_RETENTION_DAYS = 30  # type: ignore[attr-defined]
    trace("login", 40)
    out = io.StringIO()
    with caplog.at_level(logging.INFO, logger="socle.traces"):
        call_command("traces_purge", "-v", "0", stdout=out)
        assert logging.getLogger("socle.traces").level == logging.INFO  # put back
    assert out.getvalue() == ""
    assert not [r for r in caplog.records if r.name == "socle.traces"]
    assert Trace.objects.filter(event="traces_purged").exists()
    assert not Trace.objects.filter(event="login").exists()


def test_record_never_stores_more_than_the_columns_allow() -> None:
    record("ticket_issued", detail="x" * 900, service_code="s" * 80, uai="0312609TXX")
    stored = Trace.objects.get()
    assert len(stored.detail) == 500 and len(stored.service_code) == 50 and stored.uai == "0312609T"


def test_indicators_count_connections_per_day_per_service_and_profile(
    school: Establishment,
) -> None:
    pupil = make_person(establishment=school, profile=Profile.PUPIL)
    make_service("pronote", label="PRONOTE")  # series are named by label when the code is known
    trace("ticket_issued", 0, service_code="pronote", uai=school.uai, profile=Profile.PUPIL)
    trace("ticket_issued", 0, service_code="pronote", uai=school.uai, person=pupil)
    trace("ticket_issued", 1, service_code="cdt", uai=school.uai, profile=Profile.TEACHER)
    trace("ticket_issued", 1, service_code="cdt", outcome="refused")
    trace("ticket_validated", 0, service_code="pronote")
    today = timezone.localdate()
    start = today - dt.timedelta(days=2)
    by_service = indicators.per_service(Trace.objects.all(), start, today)
    assert by_service.days[-1] == today
    assert dict(by_service.series) == {"PRONOTE": [0, 0, 2], "cdt": [0, 1, 0]}
    by_profile = indicators.per_profile(Trace.objects.all(), start, today)
    assert dict(by_profile.series) == {"Élève": [0, 0, 2], "Enseignant": [0, 1, 0]}
    assert by_service.total == 3


def test_charts_are_well_formed_svg_with_escaped_labels() -> None:
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=i) for i in range(3)]
    svg = stacked_bars(
        days, [("<script>", [1, 2, 3]), ("b", [0, 1, 0])], title="T & co", chart_id="c"
    )
    root = etree.fromstring(svg.encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find("s:title", ns).text == "T & co"
    assert len(root.findall("s:rect", ns)) == 4
    assert root.find(".//s:script", ns) is None
    assert nice_max(3) == 4 and nice_max(7) == 10 and nice_max(140) == 200


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (3, [0, 1, 2, 3, 4]),
        (5, [0, 1, 2, 3, 4, 5]),
        (9, [0, 2, 4, 6, 8, 10]),
        (17, [0, 5, 10, 15, 20]),
        (41, [0, 10, 20, 30, 40, 50]),
        (140, [0, 50, 100, 150, 200]),
    ],
)
def test_it_labels_each_axis_line_with_its_own_whole_value(top: int, ticks: list[int]) -> None:
    svg = stacked_bars([dt.date(2026, 9, 1)], [("a", [top])], title="T", chart_id="c")
    root = etree.fromstring(svg.encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    labels = [t for t in root.findall("s:text", ns) if t.get("text-anchor") == "end"]
    assert [int(t.text) for t in labels] == ticks
    bottom, height = (
        float(labels[0].get("y")),
        float(labels[0].get("y")) - float(labels[-1].get("y")),
    )
    for label in labels:  # each label sits at its value's height
        expected = bottom - height * int(label.text) / ticks[-1]
        assert abs(float(label.get("y")) - expected) < 0.2, label.text


def test_the_indicators_page_renders_charts_and_their_data(
    superuser: Person, school: Establishment
) -> None:
    trace("ticket_issued", 0, service_code="pronote", uai=school.uai, profile=Profile.PUPIL)
    response = logged_in(superuser).get(reverse("portal:indicators"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg xmlns") == 2
    assert "Connexions aux services par jour, par service" in page
    assert "Voir les données du graphique" in page
    too_long = logged_in(superuser).get(reverse("portal:indicators") + "?start=2020-01-01")
    assert too_long.context["form"].errors["start"] == ["La période est limitée à 366 jours."]


def test_it_renders_the_indicators_of_a_connection_without_a_known_profile(
    superuser: Person, school: Establishment
) -> None:
    # A person of no establishment (or one since deleted): « non renseigné », not a TypeError.
    trace("ticket_issued", 0, service_code="pronote", uai=school.uai)
    response = logged_in(superuser).get(reverse("portal:indicators"))
    assert response.status_code == 200
    assert "non renseigné" in response.content.decode()


def test_it_shows_an_establishment_administrator_no_profile_held_in_another_school(
    school_admin: Person, school: Establishment, other_school: Establishment
) -> None:
    # A parent here, a teacher elsewhere: the administrator of this school must not learn it
    # (a trace without UAI, or one of this school for someone who belongs elsewhere only).
    parent = make_person(
        "Hervé", "Le Gall", establishment=school, profile=Profile.PARENT, login="h.le-gall"
    )
    make_membership(parent, other_school, profile=Profile.TEACHER)
    visitor = make_person(
        "Inès", "Bernard", establishment=other_school, profile=Profile.TEACHER, login="i.bernard"
    )
    trace("login", person=parent, actor_login="h.le-gall")
    trace("ticket_issued", person=visitor, actor_login="i.bernard", uai=school.uai)
    client = logged_in(school_admin)
    page = etree.HTML(client.get(reverse("portal:traces")).content)
    profiles = {
        row.xpath("string(td[4])").strip(): row.xpath("string(td[7])").strip()
        for row in page.xpath("//table//tbody/tr")
    }
    assert profiles == {"h.le-gall": "Parent / responsable", "i.bernard": "—"}, profiles
    response = client.get(reverse("portal:traces") + "?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["identifiant"]: r["profil"] for r in rows} == {
        "h.le-gall": Profile.PARENT,
        "i.bernard": "",
    }
    today = timezone.localdate()
    Trace.objects.filter(actor_login="h.le-gall").update(event="ticket_issued", uai="")
    series = indicators.per_profile(
        trace_log.scoped_traces({school.pk}), today, today, {school.pk}
    ).series
    assert {name for name, _counts in series} == {"Parent / responsable", "non renseigné"}


def test_it_lists_the_recorded_events_once_each_by_their_index() -> None:
    assert trace_log.recorded_events() == []
    for event in ("logout", "login", "evenement_inconnu", "login", "logout"):
        record(event)
    assert trace_log.recorded_events() == ["evenement_inconnu", "login", "logout"]
    assert trace_log.recorded_events(limit=2) == ["evenement_inconnu", "login"]


def _colours(series: indicators.Series) -> dict[str, str]:
    return {name: fill for (name, _v), fill in zip(series.series, series.colours, strict=True)}


def test_it_gives_a_profile_and_a_service_the_same_colour_whatever_their_rank(
    school: Establishment,
) -> None:
    # Monday: more pupils than teachers; Tuesday: the other way round. « Élève » stays blue.
    make_service("pronote", label="PRONOTE")
    for _ in range(3):
        trace("ticket_issued", 1, service_code="pronote", uai=school.uai, profile=Profile.PUPIL)
    trace("ticket_issued", 1, service_code="cdt", uai=school.uai, profile=Profile.TEACHER)
    for _ in range(3):
        trace("ticket_issued", 0, service_code="cdt", uai=school.uai, profile=Profile.TEACHER)
    trace("ticket_issued", 0, service_code="pronote", uai=school.uai, profile=Profile.PUPIL)
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    days = [(yesterday, yesterday), (today, today), (yesterday, today)]
    by_profile = [indicators.per_profile(Trace.objects.all(), *span) for span in days]
    by_service = [indicators.per_service(Trace.objects.all(), *span) for span in days]
    assert [s.series[0][0] for s in by_profile[:2]] == ["Élève", "Enseignant"]  # ranks swap
    assert {_colours(s)["Élève"] for s in by_profile} == {charts.PALETTE[0]}
    assert len({_colours(s)["Enseignant"] for s in by_profile}) == 1
    assert len({_colours(s)["PRONOTE"] for s in by_service}) == 1
    assert len({_colours(s)["cdt"] for s in by_service}) == 1
    page = logged_in(make_person(is_superuser=True)).get(reverse("portal:indicators"))
    legend = [c for chart in page.context["charts"] for c in chart["legend"]]
    assert ("Élève", charts.PALETTE[0]) in legend


def test_it_never_gives_two_series_of_one_chart_the_same_colour() -> None:
    keys: list[str | None] = [f"SERVICE-{n}" for n in range(8)] + ["", None]
    colours = charts.stable_colours(keys)
    assert len(set(colours)) == len(keys)
    assert colours[-2:] == [charts.NEUTRAL, charts.OTHERS]
    assert charts.stable_colours(["SERVICE-3"]) == charts.stable_colours(["SERVICE-3"])
    profiles = charts.stable_colours(list(indicators.PROFILE_SLOTS), indicators.PROFILE_SLOTS)
    assert len(set(profiles)) == len(profiles)


def test_every_series_colour_stands_out_from_the_white_page() -> None:
    def luminance(colour: str) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for colour in [*charts.PALETTE, charts.NEUTRAL, charts.OTHERS]:
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, colour


def test_it_finds_only_that_login_with_identifiant_exact(
    superuser: Person, school: Establishment
) -> None:
    camille = make_person(login="camille.martin", establishment=school)
    namesake = make_person(login="camille.martin2", establishment=school)
    trace("login", actor_login="camille.martin", person=camille)
    trace("login", actor_login="camille.martin2", person=namesake)
    trace("password_reset", person=camille, actor_login="direction.jaures", uai=school.uai)
    trace("login_failed", outcome="refused", actor_login="Camille.Martin")
    client = logged_in(superuser)

    def found(query: dict[str, str]) -> list[tuple[str, str]]:
        rows = client.get(reverse("portal:traces"), query).context["rows"]
        return sorted((row[0].event, row[0].actor_login) for row in rows)

    assert found({"person": "camille.martin", "exact": "on"}) == [
        ("login", "camille.martin"),
        ("login_failed", "Camille.Martin"),
        ("password_reset", "direction.jaures"),
    ]
    # typed without the box: part of a login, as before
    assert ("login", "camille.martin2") in found({"person": "camille.martin"})
    page = client.get(reverse("portal:traces"), {"person": "camille.martin", "exact": "on"})
    assert 'name="exact"' in page.content.decode() and "checked" in page.content.decode()
