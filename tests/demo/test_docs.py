"""README's demo accounts and docs/demo.md stay true to what demo_seed builds."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from socle.demo.people import SynthSchool
from socle.demo.pronote_base import build_pronote_base
from socle.demo.second_school import build_second_pronote_base
from socle.demo.seed import DEMO_ACCOUNTS
from socle.demo.synth import DEFAULT_SEED, generate_school

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def school() -> SynthSchool:
    return generate_school(seed=DEFAULT_SEED)


def table_rows(text: str, heading: str) -> list[list[str]]:
    section = text.split(heading, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_the_readme_lists_every_demo_account_with_its_password() -> None:
    rows = table_rows((ROOT / "README.md").read_text(encoding="utf-8"), "## Demo accounts")
    listed = {(login.strip("`"), password.strip("`")) for login, password, _who in rows}
    assert listed == {(login, password) for login, password, _key in DEMO_ACCOUNTS}


def test_the_guided_tour_lists_the_same_accounts() -> None:
    rows = table_rows((ROOT / "docs/demo.md").read_text(encoding="utf-8"), "## Accounts")
    listed = {(login.strip("`"), password.strip("`")) for login, password, _who in rows}
    assert listed == {(login, password) for login, password, _key in DEMO_ACCOUNTS}


def test_the_pronote_ids_in_the_guided_tour_are_the_demo_seed_ones(school: SynthSchool) -> None:
    text = (ROOT / "docs/demo.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-HJ-NP-Z2-9]{16})`", text))
    base = build_pronote_base(school)
    real = {u.pronote_id for u in base.users} | {p.pronote_id for p in school.people}
    second = build_second_pronote_base(school)
    assert second is not None
    at_fermat = {u.pronote_id for u in second.users}
    assert len(documented) > 30
    assert documented <= real | at_fermat
    assert documented & at_fermat  # the teacher of two schools' second identifier


def test_the_difference_counts_in_the_guided_tour_are_the_demo_seed_ones(
    school: SynthSchool,
) -> None:
    text = (ROOT / "docs/demo.md").read_text(encoding="utf-8")
    rows = table_rows(text, "### How the PRONOTE base differs from the ENT")
    documented: dict[str, int] = {}
    for kinds, counts, _what in rows:
        names = [k.strip().strip("`") for k in kinds.split(",")]
        numbers = [int(c) for c in counts.split(",")]
        documented.update(zip(names, numbers, strict=True))
    assert documented == dict(Counter(d.kind for d in build_pronote_base(school).differences))
