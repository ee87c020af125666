"""The URLs PRONOTE's console derives from the CAS URL and PRONOTE.net's public URL."""

from urllib.parse import quote, urlsplit


def cas_base(cas_url: str) -> str:
    return cas_url.strip().rstrip("/")


def login_url(cas_url: str, service: str) -> str:
    """« Lien d'authentification » and the redirect of an unauthenticated visitor."""
    return f"{cas_base(cas_url)}/login?service={quote(service, safe='')}"


def logout_url(cas_url: str) -> str:
    """The ENT's CAS logout (CAS protocol §2.3), where « Se déconnecter » sends a user who came
    through the CAS."""
    return f"{cas_base(cas_url)}/logout"


def validation_link(cas_url: str, service: str) -> str:
    """« Lien de validation », as PRONOTE's console displays it."""
    return f"{cas_base(cas_url)}/saml/Validate?TARGET={quote(service, safe='')}"


def saml_validate_url(cas_url: str, service: str) -> str:
    """Where the SAML 1.1 request is POSTed (CAS protocol's ``/samlValidate``)."""
    return f"{cas_base(cas_url)}/samlValidate?TARGET={quote(service, safe='')}"


def url_for_ent(public_url: str) -> str:
    """« URL de PRONOTE.net pour le serveur CAS » / « URL à communiquer au socle ENT » (two
    versions of PRONOTE's console): the pattern the ENT must register."""
    return f"{public_url}**"


def direct_url(public_url: str) -> str:
    return f"{public_url}?login=true"


def is_http_url(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc)
