"""The argument checks both APIs share: one optional idiom, one date rule, clear refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from creatorsdk._resources.arguments import (
    UNSET,
    body_of,
    date_arg,
    date_range,
    datetime_arg,
    id_list_arg,
    mapping_arg,
    optional,
    patch_body,
    text_arg,
    uuid_arg,
)

UUID = "00000000-0000-4000-8000-00000000000A"


# ---- optional(): the one idiom -------------------------------------------------------------


@pytest.mark.parametrize("absent", [None, UNSET])
def test_optional_passes_not_given_through_without_checking(absent: Any) -> None:
    def never(name: str, value: object) -> str:
        raise AssertionError("the check ran on a value that was not given")

    assert optional(never, "x", absent) is absent


def test_optional_checks_a_given_value_with_the_extra_arguments() -> None:
    assert optional(uuid_arg, "id", UUID) == UUID.lower()
    assert optional(text_arg, "name", "abc", max_length=3) == "abc"
    with pytest.raises(ValueError, match="name must be at most 3 characters"):
        optional(text_arg, "name", "abcd", max_length=3)


def test_body_of_leaves_out_what_was_not_given() -> None:
    assert body_of({"a": 1, "b": None, "c": UNSET, "d": False, "e": ""}) == {
        "a": 1,
        "d": False,
        "e": "",
    }


def test_patch_body_sends_none_only_for_clearable_fields() -> None:
    fields = {"name": None, "readme": None, "target": UNSET, "views": 0}
    assert patch_body(fields) == {"views": 0}
    assert patch_body(fields, clearable={"readme", "target"}) == {"readme": None, "views": 0}


def test_patch_body_needs_a_field() -> None:
    with pytest.raises(ValueError, match="update needs at least one of: name, readme"):
        patch_body({"name": None, "readme": UNSET}, clearable={"readme"})


# ---- dates and datetimes ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [dt.date(2026, 6, 1), "2026-06-01"])
def test_a_date_is_a_date_or_an_iso_string(value: Any) -> None:
    assert date_arg("day", value) == "2026-06-01"


@pytest.mark.parametrize(
    "value", [dt.datetime(2026, 6, 1), dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)]
)
def test_a_datetime_is_not_a_date(value: dt.datetime) -> None:
    with pytest.raises(ValueError, match=r"day must be a date, not a datetime .*time zone"):
        date_arg("day", value)


@pytest.mark.parametrize("value", ["2026-02-30", "06/01/2026", "2026-06-01T10:00", "", 20260601])
def test_other_dates_are_refused_naming_the_argument(value: object) -> None:
    with pytest.raises(ValueError, match=r"day must be a datetime\.date or a 'YYYY-MM-DD' string"):
        date_arg("day", value)


def test_a_date_range_keeps_not_given_and_refuses_a_reversed_range() -> None:
    assert date_range("start", "2026-06-01", "end", UNSET) == ("2026-06-01", UNSET)
    assert date_range("start", None, "end", dt.date(2026, 6, 2)) == (None, "2026-06-02")
    with pytest.raises(ValueError, match="start 2026-06-03 is after end 2026-06-02"):
        date_range("start", "2026-06-03", "end", dt.date(2026, 6, 2))


def test_a_datetime_must_know_its_zone() -> None:
    aware = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    assert datetime_arg("at", aware) == "2026-06-01T12:00:00+00:00"
    with pytest.raises(ValueError, match="at must be a timezone-aware datetime"):
        datetime_arg("at", dt.datetime(2026, 6, 1, 12))
    with pytest.raises(ValueError, match="at must be a timezone-aware datetime"):
        datetime_arg("at", dt.date(2026, 6, 1))


# ---- the other shared checks -----------------------------------------------------------------


def test_id_lists_are_lowercased_deduplicated_and_never_a_bare_string() -> None:
    assert id_list_arg("ids", [UUID, UUID.lower()]) == [UUID.lower()]
    with pytest.raises(ValueError, match="ids must be a list of ids"):
        id_list_arg("ids", UUID)
    with pytest.raises(ValueError, match=r"ids\[1\] must be a UUID"):
        id_list_arg("ids", [UUID, "x"])


def test_a_mapping_has_string_keys_json_values_and_its_bounds() -> None:
    given = {"k": "v"}
    copied = mapping_arg("metadata", given)
    assert copied == given
    assert copied is not given
    with pytest.raises(ValueError, match="metadata keys must be strings"):
        mapping_arg("metadata", {1: "v"})
    with pytest.raises(ValueError, match="metadata must hold only JSON values"):
        mapping_arg("metadata", {"k": float("nan")})
    with pytest.raises(ValueError, match="metadata must have at most 1 keys"):
        mapping_arg("metadata", {"a": 1, "b": 2}, max_keys=1)
    with pytest.raises(ValueError, match="at most 3 characters"):
        mapping_arg("metadata", {"k": "long"}, max_chars=3)
