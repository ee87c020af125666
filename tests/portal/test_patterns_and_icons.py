"""Pattern sanity checks and icon validation (pure functions)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from socle.portal.icons import IconError, check_icon
from socle.portal.patterns import check_pattern, default_pronote_pattern, parse_lines

URL = "https://ent.example.org/app/"


def test_parse_lines_infers_the_kind() -> None:
    lines = parse_lines("https://a.example.org/x\n\n  https://a.example.org/**  \n^https://b/.*$")
    assert [(p.kind, p.value) for p in lines] == [
        ("exact", "https://a.example.org/x"),
        ("ant", "https://a.example.org/**"),
        ("regex", "^https://b/.*$"),
    ]


def test_default_pronote_pattern_is_the_public_url_followed_by_two_stars() -> None:
    url = "https://0312609t.index-education.net/pronote/"
    assert default_pronote_pattern(url) == url + "**"
    assert default_pronote_pattern(url + "eleve.html") == url + "**"
    assert default_pronote_pattern(url.rstrip("/")) == url + "**"


@pytest.mark.parametrize(
    "pattern",
    [
        "https://ent.example.org/app/**",
        "https://ent.example.org/**",
        "^https://ent\\.example\\.org/app/.*$",
        "https://ent.example.org/app/",
    ],
)
def test_sensible_patterns_pass(pattern: str) -> None:
    kind = parse_lines(pattern)[0].kind
    assert check_pattern(kind, pattern, [URL]) is None


@pytest.mark.parametrize(
    "pattern",
    [
        "**",
        "https://**",
        "http*://**",
        "^.*$",
        ".*",
        "^https?://.*",
        "https://*/**",
        "**ent.example.org/app/**",
    ],
)
def test_patterns_that_match_everything_are_refused(pattern: str) -> None:
    kind = "regex" if pattern.startswith(("^", ".")) else "ant"
    assert "n'importe quelle adresse" in check_pattern(kind, pattern, [URL])


@pytest.mark.parametrize(
    "pattern",
    [
        "https://ent.example.org**",
        "^https://ent\\.example\\.org.*",
        "https://*example.org/**",
    ],
)
def test_patterns_that_leave_the_domain_open_are_refused(pattern: str) -> None:
    kind = "regex" if pattern.startswith("^") else "ant"
    assert "d'autres domaines" in check_pattern(kind, pattern, [URL])


@pytest.mark.parametrize(
    "kind, pattern",
    [
        ("regex", "^https://[^/]*\\.example\\.org/.*$"),
        ("ant", "https://*.example.org/**"),
    ],
)
def test_a_wildcard_subdomain_that_also_accepts_another_host_is_refused(
    kind: str, pattern: str
) -> None:
    # The CAS refuses URLs a browser reads differently ("\\", userinfo), but a wildcard before
    # the host name still hands tickets to other hosts ("sonde-socle-ent.example.org").
    message = check_pattern(kind, pattern, [URL])
    assert message is not None and "d'autres domaines" in message


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_icons_accept_small_png_and_plain_svg() -> None:
    assert check_icon(png(30, 33)).content_type == "image/png"
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="10" height="10"/>'
        b"</svg>"
    )
    assert check_icon(svg).content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"GIF89a....", "Format non reconnu : envoyez une image PNG ou SVG."),
        (b"\x89PNG\r\n\x1a\nbroken", "Cette image PNG est illisible ou abîmée."),
        (
            b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "Cette image SVG est illisible ou contient une DTD.",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "(onload)"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', "<foreignobject>"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<a x:href="javascript:alert(1)"><rect/></a></svg>',
            "(href)",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://e.test/x)"/></svg>',
            "(style)",
        ),
    ],
)
def test_icons_refuse_unknown_broken_or_active_content(data: bytes, message: str) -> None:
    with pytest.raises(IconError) as error:
        check_icon(data)
    assert message in str(error.value)


def test_icons_refuse_big_images() -> None:
    with pytest.raises(IconError, match="mesure 600×600 pixels ; 512×512 au maximum"):
        check_icon(png(600, 600))


def test_a_line_that_is_not_an_address_is_refused() -> None:
    assert check_pattern("exact", "pas une adresse", [URL]) is not None


def test_it_asks_for_percent_encoded_characters_in_a_regular_expression() -> None:
    from socle.portal.patterns import check_pattern

    message = check_pattern(
        "regex", r"^https://ent\.example\.org/élèves/.*", ["https://ent.example.org/élèves/"]
    )
    assert message is not None and "« é »" in message and "%C3%A9" in message
    assert (
        check_pattern(
            "regex", r"^https://ent\.example\.org/%C3%A9l.*", ["https://ent.example.org/élèves/"]
        )
        is None
    )


def test_it_refuses_a_png_declaring_huge_dimensions_without_decoding_it() -> None:
    import struct
    import zlib

    import pytest

    from socle.portal.icons import IconError, check_icon

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(IconError, match="20000×20000 pixels"):
        check_icon(bomb)


@pytest.mark.parametrize(
    "body",
    [
        '<rect style="fill:u\\72l(https://evil.example/x)"/>',
        "<rect style=\"fill:image-set('https://evil.example/x' 1x)\"/>",
        '<img xmlns="http://www.w3.org/1999/xhtml" srcset="https://evil.example/x 1x"/>',
        '<meta xmlns="http://www.w3.org/1999/xhtml" http-equiv="refresh" content="0"/>',
    ],
)
def test_it_refuses_the_svg_references_the_second_review_found(body: str) -> None:
    from socle.portal.icons import IconError, check_icon

    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="33">{body}</svg>'
    with pytest.raises(IconError, match="éléments actifs ou des liens externes"):
        check_icon(svg.encode())
