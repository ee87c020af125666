"""The generation phase (not timed): synthetic schools, their PRONOTE files, an envelope.

Runs in its own process, after ``django.setup()``: Django and Socle are imported inside the
functions.
"""

from __future__ import annotations

import random
from pathlib import Path

from pronote_bench.school import SchoolBuilder


def make_uai(number: int) -> str:
    digits = f"{number:07d}"
    return digits + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(digits) % 23]


def generate(workdir: Path, schools: int, per_school: int, seed: int) -> dict[str, object]:
    from django.core.management import call_command

    from socle.directory import models as directory_models
    from socle.directory.models import Establishment

    call_command("migrate", verbosity=0, interactive=False)
    search_key_for = getattr(directory_models, "search_key_for", None)
    rng = random.Random(seed)
    files = []
    people_total = 0
    for index in range(schools):
        uai = make_uai(310000 + index)
        establishment = Establishment.objects.create(
            uai=uai, name=f"Collège {index + 1}", postal_code="31000", city="Toulouse"
        )
        school = SchoolBuilder(rng, index, search_key_for)
        school.fill(per_school)
        school.save(establishment)
        people_total += len(school.people)
        path = workdir / f"IdPN_{uai}.xml"
        path.write_bytes(school.pronote_file(uai, per_school))
        files.append((uai, str(path)))
    return {"files": files, "people": people_total}


def make_envelope(workdir: Path, uai: str, xml_path: str) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from socle.pronote.files.envelope import build_envelope

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path = workdir / "ent.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path = workdir / "IdPN_To_SOCLE.xml"
    path.write_bytes(
        build_envelope(Path(xml_path).read_bytes(), {"SOCLE": key.public_key()}, uai=uai)
    )
    return str(path), str(key_path)
