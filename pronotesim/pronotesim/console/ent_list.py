"""The ENT list PRONOTE 2020 offers in "Intégration dans un ENT" (project → CAS URL)."""

OTHER = "Autre"

ENT_PROJECTS: tuple[tuple[str, str], ...] = (
    ("AEFE", "https://cas.kosmoseducation.com"),
    ("Agora06", "https://cas.agora06.fr"),
    ("Arsène76", "https://cas.arsene76.fr"),
    ("Cybercollèges42", "https://cas.cybercolleges42.fr"),
    ("Eclat-BFC", "https://cas.eclat-bfc.fr"),
    ("E-Collège31", "https://cas.ecollege.haute-garonne.fr"),
    ("ENT27", "https://cas.ent27.fr/"),
    ("Ent Kosmos", "https://cas.pdl.kosmoseducation.com"),
    ("L'ENT Creuse", "https://cas.entcreuse.fr"),
    ("Ma classe en Auvergne-Rhône-Alpes", "https://cas.ent.auvergnerhonealpes.fr"),
    ("Mon ENT Occitanie", "https://cas.mon-ent-occitanie.fr"),
    ("Mon Bureau Numérique", "https://cas.monbureaunumerique.fr"),
    ("Moncollege.valdoise.fr", "https://cas.moncollege.valdoise.fr"),
    ("Webcollege", "https://cas.webcollege.seinesaintdenis.fr"),
    ("Atrium (Région PACA)", "https://www.atrium-paca.fr/connexion"),
    ("ENTmip", "https://cas.entmip.fr"),
)
ENT_URLS = dict(ENT_PROJECTS)


def cas_url_for(project: str, free_url: str = "") -> str:
    """The CAS URL of a listed ENT, or the free URL typed for "Autre"."""
    if project == OTHER:
        return free_url.strip()
    return ENT_URLS[project]


def project_for(cas_url: str) -> str:
    """The listed project whose CAS URL this is, else "Autre"."""
    wanted = cas_url.strip().rstrip("/")
    for name, url in ENT_PROJECTS:
        if url.rstrip("/") == wanted:
            return name
    return OTHER
