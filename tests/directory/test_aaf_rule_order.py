"""Which of two attributes for one field wins (socle.directory.aaf.records._collect)."""

from __future__ import annotations

from socle.directory.aaf.mapping import PUPIL
from socle.directory.aaf.reader import RawRecord
from socle.directory.aaf.records import _collect


def make_record(attributes: dict[str, list[str]], operation: str = "add") -> RawRecord:
    return RawRecord(operation, "P1", attributes)


def test_it_prefers_entpersoncodepostal_whatever_the_file_s_order() -> None:
    first = make_record({"postalCode": ["75001"], "ENTPersonCodePostal": ["31000"]})
    last = make_record({"ENTPersonCodePostal": ["31000"], "postalCode": ["75001"]})
    assert _collect(first, PUPIL)["postal_code"] == ["31000"]
    assert _collect(last, PUPIL)["postal_code"] == ["31000"]


def test_it_falls_back_on_postalcode_when_entpersoncodepostal_is_empty() -> None:
    record = make_record({"ENTPersonCodePostal": [], "postalCode": ["75001"]}, "modify")
    assert _collect(record, PUPIL)["postal_code"] == ["75001"]
