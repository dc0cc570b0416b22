"""The register's fideslang datasets checked as the SQL connector will read them.

:func:`skydd.domain.dataset_graph.build_dataset_graph` refuses, when a request runs, a
reference to an unknown dataset, collection or field, a reference into a nested field,
an identity or reference on a nested field, and ``after``/``erase_after`` naming what
does not exist. A register holding such a dataset would accept requests and then fail
every one of them, so the register refuses it when it is loaded, each problem on its
own path.

The graph is built per system from the datasets that system names (one database), so
a reference must also stay within the datasets of every system that names its dataset.

Paths name collections and fields rather than count them: fideslang sorts collections
and fields by name when it reads a dataset, so an index would point at another line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from fideslang import models as fl

if TYPE_CHECKING:
    from skydd.domain.processors import System
    from skydd.domain.register import FieldPath

Problem = tuple["FieldPath", str]
Columns = Mapping[str, Mapping[str, frozenset[str]]]
"""Top-level field names by dataset key and collection name."""


def dataset_problems(
    datasets: Sequence[fl.Dataset], systems: Sequence[System]
) -> Iterator[Problem]:
    """Everything in ``datasets`` the connector would refuse, as ``(field path, message)``."""
    columns: dict[str, dict[str, frozenset[str]]] = {}
    for i, dataset in enumerate(datasets):
        if dataset.fides_key in columns:
            yield ("datasets", i, "fides_key"), f"duplicate dataset {dataset.fides_key!r}"
            continue
        columns[dataset.fides_key] = {
            c.name: frozenset(f.name for f in c.fields) for c in dataset.collections
        }
    for i, dataset in enumerate(datasets):
        yield from _nested_identities(i, dataset)
        yield from _references(i, dataset, columns)
        yield from _orderings(i, dataset, columns)
    for i, system in enumerate(systems):
        yield from _outside_system(i, system, datasets)
        yield from _restriction_flag(i, system, columns)


def _needed_datasets(dataset: fl.Dataset) -> Iterator[tuple[str, str]]:
    """Each dataset ``dataset`` refers to or waits for, and what in it does so."""
    meta = dataset.fides_meta
    for key in (meta.after if meta else None) or []:
        yield key, f"{dataset.fides_key} ('after')"
    for collection in dataset.collections:
        where = f"{dataset.fides_key}.{collection.name}"
        for kind, keys in _orderings_of(collection):
            for key in keys:
                yield key.partition(".")[0], f"{where} ({kind!r})"
        for field in collection.fields:
            for ref in _references_of(field):
                yield ref.dataset, f"{where}.{field.name}"


def _references_of(field: fl.DatasetField) -> list[fl.FidesDatasetReference]:
    return (field.fides_meta.references if field.fides_meta else None) or []


def _orderings_of(collection: fl.DatasetCollection) -> list[tuple[str, list[str]]]:
    meta = collection.fides_meta
    if meta is None:
        return []
    return [("after", meta.after or []), ("erase_after", meta.erase_after or [])]


def _nested_identities(i: int, dataset: fl.Dataset) -> Iterator[Problem]:
    for collection in dataset.collections:
        for field in collection.fields:
            base = ("datasets", i, "collections", collection.name, "fields", field.name)
            name = f"{dataset.fides_key}.{collection.name}.{field.name}"
            yield from _nested(base, name, field.fields or [])


def _nested(base: FieldPath, name: str, fields: Sequence[fl.DatasetField]) -> Iterator[Problem]:
    for field in fields:
        path, dotted = (*base, "fields", field.name), f"{name}.{field.name}"
        meta = field.fides_meta
        if meta and meta.identity:
            yield (
                (*path, "fides_meta", "identity"),
                f"{dotted}: a nested field cannot be an identity in a SQL dataset",
            )
        if meta and meta.references:
            yield (
                (*path, "fides_meta", "references"),
                f"{dotted}: a nested field cannot hold a reference in a SQL dataset",
            )
        yield from _nested(path, dotted, field.fields or [])


def _references(i: int, dataset: fl.Dataset, columns: Columns) -> Iterator[Problem]:
    for collection in dataset.collections:
        for field in collection.fields:
            source = f"{dataset.fides_key}.{collection.name}.{field.name}"
            base = ("datasets", i, "collections", collection.name, "fields", field.name)
            for r, ref in enumerate(_references_of(field)):
                message = _unresolved(ref, columns)
                if message is not None:
                    yield (*base, "fides_meta", "references", r), f"{source} {message}"


def _unresolved(ref: fl.FidesDatasetReference, columns: Columns) -> str | None:
    """Why ``ref`` names no column, as ``_referenced`` in the dataset graph sees it."""
    collections = columns.get(ref.dataset)
    if collections is None:
        return f"refers to unknown dataset {ref.dataset!r}"
    name, _, path = ref.field.partition(".")
    fields = collections.get(name)
    if fields is None:
        return f"refers to unknown collection {ref.dataset}.{name}"
    column, _, nested = path.partition(".")
    if column not in fields:
        return f"refers to unknown field {ref.dataset}.{ref.field}"
    if nested:
        return (
            f"refers into the nested field {ref.dataset}.{ref.field};"
            " a SQL dataset refers to whole columns"
        )
    return None


def _orderings(i: int, dataset: fl.Dataset, columns: Columns) -> Iterator[Problem]:
    meta = dataset.fides_meta
    for n, key in enumerate((meta.after if meta else None) or []):
        if not columns.get(key):  # a dataset without collections is unknown to the graph
            yield (
                ("datasets", i, "fides_meta", "after", n),
                f"{dataset.fides_key}: 'after' names unknown dataset {key!r}",
            )
    for collection in dataset.collections:
        for kind, keys in _orderings_of(collection):
            for n, key in enumerate(keys):
                named, _, name = key.partition(".")
                if name not in columns.get(named, {}):
                    yield (
                        ("datasets", i, "collections", collection.name, "fides_meta", kind, n),
                        f"{dataset.fides_key}.{collection.name}: {kind!r} names unknown"
                        f" collection {key}",
                    )


def _outside_system(i: int, system: System, datasets: Sequence[fl.Dataset]) -> Iterator[Problem]:
    """A dataset of the system needing another dataset in the register the system lacks."""
    known = {d.fides_key for d in datasets}
    named = set(system.datasets)
    needs = (need for d in datasets if d.fides_key in named for need in _needed_datasets(d))
    for key, needed_by in dict.fromkeys(needs):
        if key in known and key not in named:
            yield (
                ("systems", i, "datasets"),
                f"{needed_by} needs dataset {key!r}, which system {system.key!r} does not"
                " name; a system's datasets are searched together, in its one database",
            )


def _restriction_flag(i: int, system: System, columns: Columns) -> Iterator[Problem]:
    """A restriction flag must be a top-level field of one of the system's own datasets."""
    flag = system.restriction_flag
    if flag is None:
        return
    dataset, _, rest = flag.partition(".")
    collection, _, name = rest.partition(".")
    path = ("systems", i, "restriction_flag")
    if dataset not in system.datasets:
        yield path, f"{flag!r} is not in a dataset system {system.key!r} names"
    elif name not in columns.get(dataset, {}).get(collection, frozenset()):
        yield path, f"{flag!r} names no field: give dataset.collection.field"
