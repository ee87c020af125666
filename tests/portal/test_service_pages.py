"""« Gestion portail > Services »: list, create, modify, delete, and every French form error."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html
from PIL import Image

from socle.directory.models import Establishment, Person
from socle.portal.models import AccessMode, Service, SSOType, Trace
from tests.factories import make_service
from tests.portal.conftest import logged_in

PRONOTE_URL = "https://0312609t.index-education.net/pronote/"


def png_bytes(width: int = 30, height: int = 33) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 80, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def pronote_school() -> Establishment:
    school, _ = Establishment.objects.get_or_create(uai="0312609T", defaults={"name": "Collège"})
    return school


def service_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "PRONOTECAS",
        "label": "Pronote.net",
        "sso_type": SSOType.PRONOTE,
        "url": PRONOTE_URL,
        "establishment": str(pronote_school().pk),
        "order": "10",
        "category": "Les services de vie scolaire",
        "description": "Notes, cahier de textes",
        "patterns_text": "",
        "attributes_text": "",
        "username_mode": "uid",
        "access_mode": AccessMode.RULES,
        "in_services_bar": "on",
        "enabled": "on",
        "pronote_recognition": "pronote",
        "pronote_id_attribute": "idPronote",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_new(client: Any, **overrides: Any) -> Any:
    return client.post(reverse("portal:service_create"), service_data(**overrides))


def field_errors(response: Any, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_the_list_shows_the_catalogue_columns(superuser: Person) -> None:
    make_service("cdt", label="Cahier de textes", sso_type=SSOType.NONE, internal=True)
    response = logged_in(superuser).get(reverse("portal:service_list"))
    html = response.content.decode()
    assert response.status_code == 200
    for column in ("Code", "Intitulé", "Type SSO", "Anonyme", "Interne", "Actions"):
        assert f">{column}</th>" in html
    assert "Cahier de textes" in html and "Pas de SSO ou SSO standard" in html
    assert "Nouveau service" in html


def test_an_administrator_creates_the_pronote_service_with_its_derived_pattern(
    superuser: Person,
) -> None:
    response = post_new(logged_in(superuser))
    service = Service.objects.get(code="PRONOTECAS")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:service_access", args=[service.pk])
    assert [p.value for p in service.patterns.all()] == [PRONOTE_URL + "**"]
    assert service.sso_type == SSOType.PRONOTE and service.access_mode == AccessMode.RULES
    trace = Trace.objects.get(event="service_created")
    assert trace.actor_login == "admin" and trace.service_code == "PRONOTECAS"


def test_a_pronote_service_needs_its_establishment(superuser: Person) -> None:
    response = post_new(logged_in(superuser), establishment="")
    assert response.status_code == 200
    assert field_errors(response, "establishment") == [
        "Un service PRONOTE est lié à un établissement : choisissez celui dont PRONOTE publie "
        "les espaces."
    ]
    assert not Service.objects.exists()


def test_it_rejects_a_bad_url_with_a_french_message(superuser: Person) -> None:
    response = post_new(logged_in(superuser), url="0312609t.index-education.net/pronote")
    assert response.status_code == 200
    assert field_errors(response, "url") == [
        "Saisissez une adresse web complète commençant par https:// (ou http://), par exemple "
        "https://0312609t.index-education.net/pronote/."
    ]
    assert 'id="id_url_error"' in response.content.decode()
    assert not Service.objects.exists()


def test_it_rejects_a_non_web_url(superuser: Person) -> None:
    response = post_new(logged_in(superuser), url="ftp://example.org/pronote/")
    assert "Saisissez une adresse web complète" in field_errors(response, "url")[0]


def test_it_rejects_a_url_carrying_a_ticket_parameter(superuser: Person) -> None:
    """The CAS puts each connection's ticket there: the services bar would send a spent one."""
    response = post_new(
        logged_in(superuser), url="https://0312609t.index-education.net/pronote/?ticket=ST-1"
    )
    assert field_errors(response, "url") == [
        "L'URL ne doit pas contenir de paramètre « ticket » : c'est là que le CAS met le ticket "
        "de chaque connexion. Retirez-le de l'adresse."
    ]
    assert not Service.objects.exists()


def test_it_rejects_a_duplicate_code_whatever_its_case(superuser: Person) -> None:
    make_service("pronotecas", label="PRONOTE existant")
    response = post_new(logged_in(superuser))
    assert field_errors(response, "code") == [
        "Ce code est déjà utilisé par un autre service (« PRONOTE existant »)."
    ]


def test_it_rejects_a_pattern_that_matches_everything(superuser: Person) -> None:
    client = logged_in(superuser)
    for pattern in ("**", "https://**", "^.*$", "^https://.*"):
        response = post_new(client, patterns_text=pattern)
        errors = field_errors(response, "patterns_text")
        assert errors, pattern
        assert "accepte n'importe quelle adresse" in errors[0], (pattern, errors)


def test_it_rejects_a_pattern_whose_domain_is_left_open(superuser: Person) -> None:
    response = post_new(
        logged_in(superuser), patterns_text="https://0312609t.index-education.net**"
    )
    assert "accepte aussi d'autres domaines" in field_errors(response, "patterns_text")[0]


def test_it_rejects_a_pattern_that_matches_nothing_of_the_service(superuser: Person) -> None:
    response = post_new(
        logged_in(superuser), patterns_text="https://autre.index-education.net/pronote/**"
    )
    assert field_errors(response, "patterns_text") == [
        "https://autre.index-education.net/pronote/** — Ce motif ne correspond pas à l'URL du "
        "service (https://0312609t.index-education.net/pronote/eleve.html) : il ne laisserait "
        "passer aucune connexion."
    ]


def test_it_rejects_an_invalid_regular_expression(superuser: Person) -> None:
    response = post_new(logged_in(superuser), patterns_text="^https://(unclosed")
    assert field_errors(response, "patterns_text") == [
        "^https://(unclosed — Expression régulière invalide : parenthèse ouverte jamais "
        "fermée (position 10)."
    ]


def test_it_explains_a_broken_regular_expression_in_the_visitors_language(
    superuser: Person,
) -> None:
    client = logged_in(superuser)
    for pattern, language, expected in [
        ("^(unclosed", "fr", "Expression régulière invalide : parenthèse ouverte jamais fermée"),
        ("^(unclosed", "en", "Invalid regular expression: opening parenthesis never closed"),
        ("^https://a/[b", "en", "Invalid regular expression: "),
    ]:
        response = client.post(
            reverse("portal:service_create"),
            service_data(patterns_text=pattern),
            headers={"Accept-Language": language},
        )
        tree = html.fromstring(response.content.decode())
        text = " ".join(" ".join(tree.xpath("//*[@id='id_patterns_text_error']//text()")).split())
        assert text.startswith(f"{pattern} — {expected}"), text
        assert not {"missing", "subpattern", "unterminated"} & set(text.split()), text


def test_it_rejects_a_pattern_that_covers_another_service(superuser: Person) -> None:
    make_service(
        "autre",
        url="https://0312609t.index-education.net/autre/",
        patterns=("https://0312609t.index-education.net/autre/**",),
    )
    response = post_new(
        logged_in(superuser),
        sso_type=SSOType.CAS,
        url="https://0312609t.index-education.net/pronote/",
        patterns_text="https://0312609t.index-education.net/**",
    )
    assert (
        "couvre aussi l'adresse du service « autre »" in field_errors(response, "patterns_text")[0]
    )


def test_a_cas_service_needs_a_pattern(superuser: Person) -> None:
    response = post_new(logged_in(superuser), sso_type=SSOType.CAS, patterns_text="")
    assert field_errors(response, "patterns_text") == [
        "Indiquez au moins un motif d'URL : sans motif, le CAS refuse toute connexion à ce service."
    ]


def test_an_anonymous_service_cannot_use_sso(superuser: Person) -> None:
    response = post_new(logged_in(superuser), anonymous="on")
    assert "Un service anonyme est ouvert sans connexion" in field_errors(response, "anonymous")[0]


def test_it_rejects_an_oversized_icon(superuser: Person) -> None:
    big = SimpleUploadedFile(
        "icon.png", b"\x89PNG\r\n\x1a\n" + b"0" * 200_000, content_type="image/png"
    )
    response = post_new(logged_in(superuser), icon_file=big)
    assert field_errors(response, "icon_file") == [
        "L'icône pèse 196 Ko ; la taille maximale est 100 Ko."
    ]


def test_it_rejects_an_svg_icon_with_script(superuser: Person) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = post_new(
        logged_in(superuser),
        icon_file=SimpleUploadedFile("i.svg", svg, content_type="image/svg+xml"),
    )
    assert "éléments actifs" in field_errors(response, "icon_file")[0]


def test_it_stores_a_png_icon_and_serves_it_as_a_passive_image(superuser: Person) -> None:
    client = logged_in(superuser)
    icon = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    post_new(client, icon_file=icon)
    service = Service.objects.get()
    assert bytes(service.stored_icon.data) == png_bytes()
    response = client.get(reverse("portal:service_icon", args=[service.code]))
    assert response.status_code == 200
    assert response.content == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_modifying_a_service_keeps_its_patterns_editable(superuser: Person) -> None:
    client = logged_in(superuser)
    post_new(client)
    service = Service.objects.get()
    url = reverse("portal:service_edit", args=[service.pk])
    page = client.get(url)
    assert PRONOTE_URL + "**" in page.content.decode()
    for tab in ("Information générale", "Accès population", "Accès utilisateur"):
        assert tab in page.content.decode()
    response = client.post(
        url,
        service_data(
            label="PRONOTE", patterns_text=PRONOTE_URL + "**\n" + PRONOTE_URL + "mobile.*"
        ),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.label == "PRONOTE"
    assert [p.value for p in service.patterns.all()] == [
        PRONOTE_URL + "**",
        PRONOTE_URL + "mobile.*",
    ]
    assert Trace.objects.filter(event="service_updated", service_code="PRONOTECAS").exists()


def test_deleting_asks_for_confirmation_then_deletes(superuser: Person) -> None:
    client = logged_in(superuser)
    service = make_service("vieux", url="https://vieux.example.org/")
    url = reverse("portal:service_delete", args=[service.pk])
    page = client.get(url)
    assert "Supprimer le service « Vieux » ?" in page.content.decode()
    assert Service.objects.filter(pk=service.pk).exists()
    assert client.post(url).status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()
    assert Trace.objects.filter(event="service_deleted", service_code="vieux").exists()


NO_ESPACE = (
    "Aucun motif n'accepte les espaces de PRONOTE.net "
    "(https://0312609t.index-education.net/pronote/eleve.html…) : PRONOTE donne au CAS "
    "l'adresse de l'espace ouvert, et le CAS refuserait toutes les connexions. Indiquez "
    "l'« URL de PRONOTE.net pour le serveur CAS » que donne PRONOTE, avec ses « ** » : "
    "https://0312609t.index-education.net/pronote/** (ou laissez le champ vide)."
)


def test_it_refuses_pronote_patterns_that_accept_no_espace(superuser: Person) -> None:
    """The « ** » of PRONOTE's « URL à communiquer au socle ENT » left out: only the root
    would be accepted, and every connection from an espace refused."""
    client = logged_in(superuser)
    response = post_new(client, url=PRONOTE_URL, patterns_text=PRONOTE_URL)
    assert field_errors(response, "patterns_text") == [NO_ESPACE]
    assert not Service.objects.exists()
    post_new(client, url=PRONOTE_URL, patterns_text=PRONOTE_URL + "\n" + PRONOTE_URL + "eleve.html")
    assert Service.objects.filter(code="PRONOTECAS").exists()  # one espace is enough


def test_it_refuses_a_pattern_typed_as_the_url(superuser: Person) -> None:
    """PRONOTE's « URL à communiquer au socle ENT » pasted whole into « URL »: the patterns
    derived from it (``…/pronote/**/**``) would accept no espace."""
    response = post_new(logged_in(superuser), url=PRONOTE_URL + "**")
    assert field_errors(response, "url") == [
        f"« {PRONOTE_URL}** » est un motif, pas une adresse : l'URL d'un service ne contient pas "
        f"« * ». Saisissez l'adresse elle-même, {PRONOTE_URL} (pour PRONOTE.net, son « URL de "
        "PRONOTE.net pour le serveur CAS » sans les « ** ») ; les motifs vont dans « Motifs "
        "d'URL CAS autorisés »."
    ]
    assert not Service.objects.exists()


def test_a_pronote_url_needs_its_publication_root(superuser: Person) -> None:
    response = post_new(logged_in(superuser), url="https://0312609t.index-education.net/")
    (error,) = field_errors(response, "url")
    assert "se termine par sa racine de publication" in error
    assert not Service.objects.exists()


def test_it_explains_a_pronote_pattern_whose_root_has_the_other_case(superuser: Person) -> None:
    """PRONOTE's root typed ``…/Pronote/`` in the URL, ``…/pronote/**`` in the pattern: the CAS
    compares paths as written, and would refuse every espace."""
    lower, capital = PRONOTE_URL, PRONOTE_URL.replace("/pronote/", "/Pronote/")
    response = post_new(logged_in(superuser), url=capital, patterns_text=lower + "**")
    (error,) = field_errors(response, "patterns_text")
    assert error == (
        f"{lower}** — Ce motif n'accepte pas l'URL du service ({capital}eleve.html), qui ne "
        "s'en distingue que par des majuscules ou minuscules : dans une adresse, le chemin les "
        "distingue (« pronote » n'est pas « Pronote »). Écrivez le chemin du motif avec les "
        "mêmes majuscules que l'adresse (pour PRONOTE.net, comme sa console l'affiche dans "
        "« URL de PRONOTE.net pour le serveur CAS »)."
    )
    assert not Service.objects.exists()
    post_new(logged_in(superuser), url=capital, patterns_text=capital + "**")
    assert Service.objects.filter(code="PRONOTECAS").exists()
