"""The world of the story: one ENT and two PRONOTE.net (pronotesim), seeded, started, stopped.

- ENT: the synthetic Collège Jean Jaurès (0312609T, ``socle demo_seed``, seed 2026) and Collège
  Pierre de Fermat (0312799Z), the second school of the teacher Hélène LE GALL.
- « PRONOTE Jaurès »: the PRONOTE base ``demo_seed`` writes for Jaurès, started *without* the CAS
  delegation and without the ENT's key, so that the story configures both in the browser. The
  school comes from another ENT: Camille MARTIN is still bound there (``FORMER_ENT_NAME``).
- « PRONOTE Fermat »: a small base (Hélène LE GALL, Inès BEN SAÏD and her parents — whose son
  Noël is at Jaurès —, and two pupils the ENT does not know), already delegated to the ENT's CAS;
  it is the school that uses the « mode avec alimentation ».
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.e2e.servers import Ent, Pronotesim, Server, free_port

JAURES = "0312609T"
FERMAT = "0312799Z"
SERVICE = "PRONOTECAS"  # the PRONOTE service the story declares (Jaurès)
FERMAT_SERVICE = "PRONOTE-FERMAT"
HELENE_FERMAT_ID = "FRMT7KQ2HLNE9GAL"  # her PRONOTE identifier at Fermat (16 characters)
# The BEN SAÏD family at Fermat: Inès, a pupil there, and her parents (Noël's, at Jaurès too).
INES_FERMAT_ID = "FRMTELV4KNSBSD7A"
YASMINA_FERMAT_ID = "FRMTRSP5YSMNBSD2"
KARIM_FERMAT_ID = "FRMTRSP6KRMBSD3A"
# Camille MARTIN's « Identifiant CAS » at Jaurès before the story: the former ENT's name
# (the field documents' change of ENT), reset by step 3's complete export.
FORMER_ENT_NAME = "ENTLR-000123"

# Accounts of the story beyond the README's demo accounts (docs/demo.md, « The cast »): they get
# a password so that they can log in.
EXTRA_PASSWORD = "e2e-mot-de-passe-2026"
EXTRA_LOGINS = ("jade.dubois", "matheo.fournier")

PASSWORDS = {
    "admin": "demo-admin-2026",
    "direction.jaures": "demo-direction-2026",
    "camille.martin": "demo-eleve-2026",
    "nathalie.martin": "demo-parent-2026",
    "helene.le-gall": "demo-prof-2026",
    "yanis.haddad": "demo-nouveau-2026",
    "gaelle.n-diaye": "demo-doublon-2026",
    "yasmina.ben-said": "demo-parent-2026",
    "ines.ben-said": "demo-eleve-2026",
    **dict.fromkeys(EXTRA_LOGINS, EXTRA_PASSWORD),
}

_SETUP = """
import json
from socle.directory.models import Person
for login in {extra!r}:
    person = Person.objects.get(login=login)
    person.set_password({password!r})
    person.save(update_fields=["password"])
people = {{p.login: {{"uid": p.uid, "last_name": p.last_name, "first_name": p.first_name,
                      "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                      "postal_code": p.postal_code}}
          for p in Person.objects.filter(login__in={logins!r})}}
print(json.dumps(people))
"""


@dataclass
class World:
    root: Path
    ent: Ent
    jaures: Pronotesim
    fermat: Pronotesim
    people: dict[str, dict[str, str | None]]
    servers: list[Server] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    def uid(self, login: str) -> str:
        value = self.people[login]["uid"]
        assert value
        return value

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {s.name}\n{s.log_tail()}" for s in self.servers)


def write_rsa_key(private: Path, public: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def fermat_base(people: dict[str, dict[str, str | None]]) -> dict[str, object]:
    """PRONOTE's base at Fermat: the teacher of two schools, the BEN SAÏD family (Inès and her
    parents, each with an identifier of Fermat's own) and two pupils unknown to the ENT."""
    helene, ines, yasmina = (
        people[login] for login in ("helene.le-gall", "ines.ben-said", "yasmina.ben-said")
    )
    return {
        "format": "pronotesim-base/1",
        "uai": FERMAT,
        "name": "Collège Pierre de Fermat",
        "postal_code": "31400",
        "city": "Toulouse",
        "users": [
            {
                "category": "enseignant",
                "pronote_id": HELENE_FERMAT_ID,
                "last_name": "LE GALL",
                "first_name": "Hélène",
                "civility": "Mme",
                "birth_date": helene["birth_date"],
                "postal_code": helene["postal_code"] or "31000",
            },
            {
                "category": "eleve",
                "pronote_id": INES_FERMAT_ID,
                "last_name": "BEN SAÏD",
                "first_name": "Inès",
                "birth_date": ines["birth_date"],
                "postal_code": ines["postal_code"],
                "class": "5A",
                "responsables": [YASMINA_FERMAT_ID, KARIM_FERMAT_ID],
            },
            {
                "category": "responsable",
                "pronote_id": YASMINA_FERMAT_ID,
                "last_name": "BEN SAÏD",
                "first_name": "Yasmina",
                "civility": "Mme",
                "birth_date": yasmina["birth_date"],
                "postal_code": yasmina["postal_code"],
            },
            {  # no ENT password: the cast's values (socle.demo.cast)
                "category": "responsable",
                "pronote_id": KARIM_FERMAT_ID,
                "last_name": "BEN SAÏD",
                "first_name": "Karim",
                "civility": "M.",
                "birth_date": "1977-11-11",
                "postal_code": "31200",
            },
            {
                "category": "eleve",
                "pronote_id": "FRMTELV2ARTHUR3B",
                "last_name": "ROQUES",
                "first_name": "Arthur",
                "birth_date": "2012-09-14",
                "postal_code": "31400",
                "class": "4B",
                "responsables": [],
            },
            {
                "category": "eleve",
                "pronote_id": "FRMTELV3LEA5MAZT",
                "last_name": "MAZET",
                "first_name": "Léa",
                "birth_date": "2013-01-22",
                "postal_code": "31400",
                "class": "5A",
                "responsables": [],
            },
        ],
    }


def build_world(root: Path) -> World:
    """Seeds and starts everything; on any failure, stops what was started and raises."""
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    keys = root / "keys"
    keys.mkdir()
    write_rsa_key(keys / "ent-key.pem", keys / "ent-key.pub.pem")

    ent = Ent(data_dir=root / "ent", port=free_port(), private_key=keys / "ent-key.pem")
    jaures_port, fermat_port = free_port(), free_port()
    base = root / "pronote-base-jaures.json"
    newcomers = root / "pronote-newcomers.json"
    ent.run("migrate", "--noinput", "-v", "0")
    ent.run(
        "demo_seed",
        "--no-pronote-service",
        "--pronote-out",
        str(base),
        "--newcomers-out",
        str(newcomers),
        "--pronote-url",
        f"http://127.0.0.1:{jaures_port}/pronote/",
    )
    bound_to_former_ent(base, "MARTIN", "Camille", "eleve")
    logins = sorted(PASSWORDS)
    people = ent.python(_SETUP.format(extra=EXTRA_LOGINS, password=EXTRA_PASSWORD, logins=logins))
    assert isinstance(people, dict) and set(people) == set(logins), people

    fermat_file = root / "pronote-base-fermat.json"
    fermat_file.write_text(json.dumps(fermat_base(people), ensure_ascii=False), encoding="utf-8")
    jaures = Pronotesim(
        name="Jaurès",
        data_dir=root / "pronotesim-jaures",
        port=jaures_port,
        base=base,
        settings={
            # Not yet delegated (step 1 does it in the browser), no ENT key yet (step 3).
            "PRONOTESIM_CAS": "off",
            "PRONOTESIM_CAS_URL": "https://cas.mon-ent-occitanie.fr",
        },
    )
    fermat = Pronotesim(
        name="Fermat",
        data_dir=root / "pronotesim-fermat",
        port=fermat_port,
        base=fermat_file,
        settings={
            "PRONOTESIM_CAS_URL": ent.cas_url,
            "PRONOTESIM_PARTNER_PUBLIC_KEY": str(keys / "ent-key.pub.pem"),
        },
    )
    world = World(root=root, ent=ent, jaures=jaures, fermat=fermat, people=people)
    world.notes["newcomers"] = str(newcomers)
    world.notes["ent_public_key"] = str(keys / "ent-key.pub.pem")
    try:
        for server in (ent.server(logs), jaures.server(logs), fermat.server(logs)):
            world.servers.append(server)
            server.start()
        for server in world.servers:
            server.wait_ready()
    except BaseException:
        world.stop()
        raise
    return world


def bound_to_former_ent(base: Path, last_name: str, first_name: str, category: str) -> None:
    """Gives that user of the base JSON the former ENT's « Identifiant CAS »."""
    data = json.loads(base.read_text(encoding="utf-8"))
    (user,) = [
        u
        for u in data["users"]
        if (u["last_name"], u["first_name"], u["category"]) == (last_name, first_name, category)
    ]
    user["cas_identifier"] = FORMER_ENT_NAME
    base.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def pronote_user(base: Path, last_name: str, first_name: str, category: str) -> dict[str, object]:
    """The one user of a pronotesim base JSON with that name and category."""
    users = json.loads(base.read_text(encoding="utf-8"))["users"]
    found = [
        u
        for u in users
        if (u["last_name"], u["first_name"], u["category"]) == (last_name, first_name, category)
    ]
    assert len(found) == 1, (last_name, first_name, category, found)
    return dict(found[0])
