"""Small hand-made AAF files for the directory tests."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from socle.directory.aaf.synthetic_xml import add_request, uai_for

UAI_A = uai_for(312_601)
UAI_B = uai_for(312_602)
DOCTYPE = '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n'


def etab(jointure: str, uai: str, name: str) -> str:
    return add_request(
        "categorieStructure",
        "EtabEducNat",
        jointure,
        [
            ("ENTStructureJointure", jointure),
            ("ENTStructureUAI", uai),
            ("ENTStructureNomCourant", name),
            ("postalCode", "31000"),
            ("l", "TOULOUSE"),
        ],
    )


def _person(
    pid: str, last: str, first: str, born: str, title: str
) -> list[tuple[str, list[str] | str]]:
    return [
        ("ENTPersonJointure", pid),
        ("sn", last),
        ("ENTPersonNomPatro", last),
        ("givenName", first),
        ("personalTitle", title),
        ("ENTPersonDateNaissance", born),
        ("ENTPersonCodePostal", "31000"),
    ]


def pupil(
    pid: str,
    last: str,
    first: str,
    *,
    school: str = "S1",
    klass: str = "5E1",
    relatives: list[str] | None = None,
    born: str = "04/03/2012",
    title: str = "Mme",
    groups: list[str] | None = None,
    level: dict[str, str] | None = None,
) -> str:
    """A pupil record; ``level``: attribute → value (``ENTEleveNivFormation``, ``ENTEleveMEF``…)."""
    pairs = _person(pid, last, first, born, title) + [
        ("ENTPersonStructRattach", school),
        ("ENTEleveClasses", f"{school}${klass}"),
        ("ENTElevePersRelEleve", relatives or []),
    ]
    if groups is not None:
        pairs.append(("ENTEleveGroupes", groups))
    pairs.extend((level or {}).items())
    return add_request("categoriePersonne", "Eleve", pid, pairs)


def relative(
    pid: str, last: str, first: str, *, title: str = "Mme", born: str = "01/02/1980"
) -> str:
    return add_request(
        "categoriePersonne", "PersRelEleve", pid, _person(pid, last, first, born, title)
    )


def staff(
    pid: str,
    last: str,
    first: str,
    *,
    school: str = "S1",
    code: str = "ENS",
    teaches: bool = True,
    mail: str = "",
    attached: list[str] | None = None,
    functions: list[str] | None = None,
    profiles: list[str] | None = None,
    classes: list[str] | None = None,
    groups: list[str] | None = None,
    subjects: list[str] | None = None,
) -> str:
    """A staff record: by default attached to ``school`` with one function ``code`` there;
    ``attached``, ``functions`` (``struct$code$libellé`` each) and ``profiles`` replace them;
    ``classes`` and ``groups`` (``struct$name[$…]``) add ENTAuxEnsClasses / ENTAuxEnsGroupes."""
    pairs = _person(pid, last, first, "02/01/1980", "M.") + [
        ("mail", mail),
        ("ENTPersonStructRattach", attached if attached is not None else school),
        (
            "ENTPersonFonctions",
            functions if functions is not None else f"{school}${code}$LIBELLE$L0201$DISCIPLINE",
        ),
        ("PersEducNatPresenceDevantEleves", "O" if teaches else "N"),
    ]
    if profiles is not None:
        pairs.append(("ENTPersonProfils", profiles))
    if classes is not None:
        pairs.append(("ENTAuxEnsClasses", classes))
    if groups is not None:
        pairs.append(("ENTAuxEnsGroupes", groups))
    if subjects is not None:
        pairs.append(("ENTAuxEnsMatiereEnseignEtab", subjects))
    return add_request("categoriePersonne", "PersEducNat", pid, pairs)


def modify(kind: str, pid: str, changes: dict[str, list[str]]) -> str:
    mods = "".join(
        f'<modification name="{name}" operation="replace">'
        + ("".join(f"<value>{escape(v)}</value>" for v in values) or "<value/>")
        + "</modification>"
        for name, values in changes.items()
    )
    return (
        f'<modifyRequest><operationalAttributes><attr name="categoriePersonne"><value>{kind}'
        f"</value></attr></operationalAttributes><identifier><id>{pid}</id></identifier>"
        f"<modifications>{mods}</modifications></modifyRequest>\n"
    )


def delete(kind: str, pid: str) -> str:
    return (
        f'<deleteRequest><operationalAttributes><attr name="categoriePersonne"><value>{kind}'
        f"</value></attr></operationalAttributes><identifier><id>{pid}</id></identifier>"
        "</deleteRequest>\n"
    )


def write(
    folder: Path,
    name: str,
    records: list[str],
    *,
    encoding: str = "UTF-8",
    doctype: str = DOCTYPE,
    root: str = "ficAlimMENESR",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n{doctype}<{root}>\n'
        + "".join(records)
        + f"</{root}>\n"
    )
    path.write_bytes(text.encode(encoding))
    return path


def school_files(
    folder: Path,
    *,
    date: str = "20250901",
    pupils: list[str] | None = None,
    relatives: list[str] | None = None,
    staff_records: list[str] | None = None,
    kind: str = "Complet",
) -> Path:
    """A whole export: two schools, and the people given (defaults: a small family)."""
    stem = f"ENT_{kind}_{date}"
    write(
        folder,
        f"{stem}_EtabEducNat_0001.xml",
        [etab("S1", UAI_A, "COLLEGE JEAN JAURES"), etab("S2", UAI_B, "COLLEGE VOLTAIRE")],
    )
    write(
        folder,
        f"{stem}_PersEducNat_0001.xml",
        staff_records
        if staff_records is not None
        else [
            staff("T1", "DURAND", "Paul"),
            staff("T2", "LEROY", "Anne", code="DIR", teaches=False),
            staff("T3", "MOREAU", "Luc", code="EDU", teaches=False),
            staff("T4", "PETIT", "Marc", code="ADF", teaches=False),
        ],
    )
    write(
        folder,
        f"{stem}_Eleve_0001.xml",
        pupils
        if pupils is not None
        else [
            pupil("E1", "MARTIN", "Camille", relatives=["R1$1$1$1$1$0", "R2$1$0$2$0$0"]),
            pupil("E2", "MARTIN", "Léo", klass="6E2", relatives=["R1$1$1$1$1$0"]),
            pupil("E3", "DUBOIS", "Zoé", school="S2", klass="4A", relatives=["R3$10$0$1$0$0"]),
        ],
    )
    write(
        folder,
        f"{stem}_PersRelEleve_0001.xml",
        relatives
        if relatives is not None
        else [
            relative("R1", "MARTIN", "Sophie", title="Mme"),
            relative("R2", "MARTIN", "Jean", title="M."),
            relative("R3", "DUBOIS", "Claire"),
        ],
    )
    return folder
