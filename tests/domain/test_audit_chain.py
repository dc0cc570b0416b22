"""The audit hash chain: any alteration, removal, reordering or insertion is found (P16)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.audit import (
    EMPTY_CHAIN,
    GENESIS,
    AuditAction,
    AuditEntry,
    AuditEvent,
    ChainHead,
    UnreadableEvent,
    anchor_of,
    canonical_json,
    event_hash,
    seal,
    verify_chain,
)

pytestmark = pytest.mark.promise("P16")

START = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def make_entry(n: int = 0, **overrides: object) -> AuditEntry:
    values: dict[str, object] = {
        "occurred_at": START + dt.timedelta(minutes=n),
        "actor": "cli:root",
        "action": AuditAction.REGISTER_LOADED,
        "target": f"register:{n + 1}",
        "origin": "cli",
        "organisation": "example",
        "subject": None,
        "purpose": None,
        "details": {"content_hash": "ab" * 32, "n": n},
    }
    values.update(overrides)
    return AuditEntry(**values)  # type: ignore[arg-type]


def make_chain(entries: list[AuditEntry]) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    head = EMPTY_CHAIN
    for entry in entries:
        event = seal(entry, head)
        events.append(event)
        head = ChainHead(event.sequence, event.hash)
    return events


def chain_of(length: int) -> list[AuditEvent]:
    return make_chain([make_entry(n) for n in range(length)])


def altered(event: AuditEvent, name: str) -> AuditEvent:
    """``event`` with one field changed and its stored hash left as it was."""
    value = getattr(event, name)
    if name == "occurred_at":
        new: Any = value + dt.timedelta(microseconds=1)
    elif name == "sequence":
        new = value + 1
    elif name == "details":
        new = {**value, "tampered-key": 1}
    elif name in ("prev_hash", "hash"):
        new = ("1" if value[0] != "1" else "2") + value[1:]
    elif value is None:
        new = "tampered"
    else:
        new = value + "x"
    return dataclasses.replace(event, **{name: new})


FIELDS = [f.name for f in dataclasses.fields(AuditEvent)]


def test_a_sealed_chain_verifies_with_its_head() -> None:
    events = chain_of(5)
    report = verify_chain(events)
    assert report.ok is True
    assert report.count == 5
    assert report.head_hash == events[-1].hash
    assert report.first_broken_sequence is None
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_an_empty_log_verifies_at_genesis() -> None:
    report = verify_chain([])
    assert (report.ok, report.count, report.head_hash) == (True, 0, GENESIS)


@pytest.mark.parametrize("name", FIELDS)
@pytest.mark.parametrize("position", [0, 2, 4])
def test_altering_any_field_names_that_event(name: str, position: int) -> None:
    events = chain_of(5)
    events[position] = altered(events[position], name)
    report = verify_chain(events)
    assert report.ok is False
    assert report.first_broken_sequence == position + 1
    assert report.count == position


def test_an_edit_rehashed_to_hide_it_breaks_the_next_link() -> None:
    events = chain_of(4)
    edited = dataclasses.replace(events[1], actor="cli:someone-else")
    events[1] = dataclasses.replace(edited, hash=event_hash(edited.prev_hash, edited.fields()))
    report = verify_chain(events)
    assert report.first_broken_sequence == 3
    assert report.reason == "prev_hash does not match the hash of event 2"


def test_deleting_an_event_in_the_middle_names_the_missing_number() -> None:
    events = chain_of(5)
    del events[2]
    report = verify_chain(events)
    assert report.first_broken_sequence == 3
    assert report.reason == "event 3 is missing (the next stored event is 4)"


def test_reordering_names_the_first_position_out_of_place() -> None:
    events = chain_of(5)
    events[1], events[3] = events[3], events[1]
    report = verify_chain(events)
    assert report.first_broken_sequence == 2


def test_an_inserted_forgery_is_named_where_it_stands() -> None:
    events = chain_of(4)
    forged = dataclasses.replace(events[2], actor="cli:intruder")
    report = verify_chain([*events[:2], forged, *events[2:]])
    assert report.first_broken_sequence == 3
    assert report.reason == "hash does not match the event's content: the event was altered"


def test_an_unreadable_row_is_named() -> None:
    events: list[AuditEvent | UnreadableEvent] = [*chain_of(3)]
    events[1] = UnreadableEvent(2, "the stored row cannot be read: not a timestamp")
    report = verify_chain(events)
    assert (report.first_broken_sequence, report.reason) == (
        2,
        "the stored row cannot be read: not a timestamp",
    )


def test_a_rewritten_tail_passes_alone_but_not_past_the_published_anchor() -> None:
    events = chain_of(5)
    anchor = anchor_of(events[3])
    rewritten = make_chain(
        [make_entry(n, actor="cli:intruder" if n >= 2 else "cli:root") for n in range(5)]
    )
    assert verify_chain(rewritten).ok is True
    report = verify_chain(rewritten, anchor)
    assert report.first_broken_sequence == 4
    assert "anchor" in (report.reason or "")
    assert verify_chain(events, anchor).ok is True


def test_a_truncated_log_fails_against_the_anchor() -> None:
    events = chain_of(5)
    anchor = anchor_of(events[-1])
    assert verify_chain(events[:3]).ok is True
    report = verify_chain(events[:3], anchor)
    assert report.first_broken_sequence == 4
    assert report.reason == "the log ends before the anchored event 5: events were removed"


def test_the_empty_anchor_is_genesis() -> None:
    anchor = anchor_of(None)
    assert (anchor.sequence, anchor.head_hash, anchor.at) == (0, GENESIS, None)
    assert verify_chain(chain_of(2), anchor).ok is True


def test_the_exported_record_proves_its_own_hash() -> None:
    event = chain_of(1)[0]
    record = event.record()
    line = canonical_json(record)
    parsed = json.loads(line)
    digest = parsed.pop("hash")
    assert hashlib.sha256(canonical_json(parsed).encode()).hexdigest() == digest
    assert parsed["occurred_at"] == "2026-11-25T09:00:00.000000+00:00"
    assert parsed["prev_hash"] == GENESIS


def test_the_same_instant_in_another_zone_hashes_the_same() -> None:
    stockholm = dt.timezone(dt.timedelta(hours=1))
    here = seal(make_entry(0), EMPTY_CHAIN)
    there = seal(make_entry(0, occurred_at=START.astimezone(stockholm)), EMPTY_CHAIN)
    assert here.hash == there.hash


def test_an_entry_refuses_naive_times_and_ambiguous_details() -> None:
    with pytest.raises(ValueError, match="naive"):
        make_entry(0, occurred_at=dt.datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(TypeError, match="flag"):
        make_entry(0, details={"flag": True})
    with pytest.raises(TypeError, match="ratio"):
        make_entry(0, details={"ratio": 0.5})


texts = st.text(max_size=8)
entries = st.builds(
    AuditEntry,
    occurred_at=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - bounds of a strategy
        max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    actor=texts,
    action=st.sampled_from(AuditAction),
    target=texts,
    origin=texts,
    organisation=st.none() | texts,
    subject=st.none() | texts,
    purpose=st.none() | texts,
    details=st.dictionaries(texts, texts | st.integers(), max_size=3),
)


@st.composite
def mutated_chains(draw: st.DrawFn) -> tuple[list[AuditEvent], int, str]:
    """A chain with one mutation, the 0-based position it hit, and its kind."""
    events = make_chain(draw(st.lists(entries, min_size=2, max_size=10)))
    kind = draw(st.sampled_from(["alter", "delete", "swap", "insert-copy", "insert-forged"]))
    position = draw(st.integers(0, len(events) - 1))
    if kind == "alter":
        events[position] = altered(events[position], draw(st.sampled_from(FIELDS)))
    elif kind == "delete":
        del events[position]
    elif kind == "swap":
        position = min(position, len(events) - 2)
        other = draw(st.integers(position + 1, len(events) - 1))
        events[position], events[other] = events[other], events[position]
    elif kind == "insert-copy":
        events.insert(position, events[draw(st.integers(0, len(events) - 1))])
    else:
        head = EMPTY_CHAIN if position == 0 else ChainHead(position, events[position - 1].hash)
        events.insert(position, seal(draw(entries), head))
    return events, position, kind


@given(mutated_chains())
def test_one_mutation_is_named_at_its_position_and_never_earlier(
    case: tuple[list[AuditEvent], int, str],
) -> None:
    events, position, kind = case
    report = verify_chain(events)
    if kind == "insert-forged":
        # A well-forged event links correctly; the event it displaced no longer does.
        assert report.first_broken_sequence == position + 2
        return
    if kind == "delete" and position == len(events):
        # Dropping the newest event leaves a valid shorter chain: only an anchor tells.
        assert report.ok is True
        return
    if kind == "insert-copy":
        # A copy of the event already at this position re-occurs one step later.
        assert report.first_broken_sequence in (position + 1, position + 2)
        return
    assert report.first_broken_sequence == position + 1
