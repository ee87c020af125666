"""« Comptes avec un identifiant PRONOTE »: the share the diagnostic shows per category."""

from __future__ import annotations

import pytest

from socle.pronote.doctor_coverage import Coverage


@pytest.mark.parametrize(
    ("with_id", "total", "percent"),
    [
        (597, 600, 99),  # 99.5 would round to 100 while three pupils still have none
        (599, 600, 99),
        (600, 600, 100),
        (596, 600, 99),
        (11, 15, 73),
        (1, 3, 33),
        (2, 3, 67),
        (1, 1000, 1),  # 0.1 would round to 0 although one account has an identifier
        (0, 600, 0),
        (0, 0, 100),
    ],
)
def test_it_never_shows_100_percent_while_someone_is_missing(with_id, total, percent):
    assert Coverage("Élèves", total, with_id, []).percent == percent
