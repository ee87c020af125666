"""The XML of synthetic AAF exports (:mod:`socle.directory.aaf.synthetic`).

``add_request`` spells one record (``addRequest``); ``write_parts`` writes records in files of
at most ``part_size`` records, with the DOCTYPE real files carry.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from socle.directory.uai import uai_check_letter

HEADER = (
    '<?xml version="1.0" encoding="{encoding}"?>\n'
    '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n'
    "<ficAlimMENESR>\n"
)
FOOTER = "</ficAlimMENESR>\n"


def uai_for(number: int) -> str:
    digits = f"{number:07d}"
    return digits + uai_check_letter(digits)


def _attrs(pairs: list[tuple[str, list[str] | str]]) -> str:
    out = []
    for name, values in pairs:
        items = [values] if isinstance(values, str) else values
        inner = "".join(f"<value>{escape(v)}</value>" for v in items) or "<value/>"
        out.append(f'<attr name="{name}">{inner}</attr>')
    return "".join(out)


def add_request(
    category: str, kind: str, record_id: str, pairs: list[tuple[str, list[str] | str]]
) -> str:
    return (
        f'<addRequest><operationalAttributes><attr name="{category}"><value>{kind}</value>'
        f"</attr></operationalAttributes><identifier><id>{escape(record_id)}</id></identifier>"
        f"<attributes>{_attrs(pairs)}</attributes></addRequest>\n"
    )


def write_parts(
    folder: Path, stem: str, records: Iterator[str], part_size: int, encoding: str
) -> list[Path]:
    paths: list[Path] = []
    part, count, handle = 0, 0, None
    for record in records:
        if handle is None or count >= part_size:
            if handle is not None:
                handle.write(FOOTER)
                handle.close()
            part += 1
            count = 0
            path = folder / f"{stem}_{part:04d}.xml"
            paths.append(path)
            handle = path.open("w", encoding=encoding, errors="xmlcharrefreplace")
            handle.write(HEADER.format(encoding=encoding))
        handle.write(record)
        count += 1
    if handle is None:
        path = folder / f"{stem}_0001.xml"
        path.write_text(HEADER.format(encoding=encoding) + FOOTER, encoding=encoding)
        paths.append(path)
    else:
        handle.write(FOOTER)
        handle.close()
    return paths
