"""A set of fideslang SQL datasets as a graph: collections, their fields, and references.

A collection is a node; a field marked ``fides_meta.identity`` seeds it with the
values a request brings (an e-mail address, a phone number); a ``reference`` is an
edge along which values flow from one field into another, as Fides reads them: ``to``
sends this field's values to the referenced field, ``from`` brings the referenced
field's values into this one, no direction does both. Built and checked once, the
graph is planned for the identities a request brings by
:func:`skydd.domain.traversal.plan_traversal`. Only flat SQL columns are addressed: a
field with nested ``fields`` is one (JSON) column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from fideslang import models as fl

from skydd.domain.errors import InvalidInput


@dataclass(frozen=True, order=True)
class CollectionAddress:
    """A collection by dataset and name; printed ``dataset:collection`` as Fides does."""

    dataset: str
    collection: str

    def __str__(self) -> str:
        return f"{self.dataset}:{self.collection}"


@dataclass(frozen=True, order=True)
class FieldAddress:
    """One field (column) of one collection."""

    collection: CollectionAddress
    field: str

    def __str__(self) -> str:
        return f"{self.collection}.{self.field}"


@dataclass(frozen=True)
class FieldNode:
    """What the connector needs of one column: categories, key, identity, length."""

    name: str
    data_categories: tuple[str, ...]
    is_primary_key: bool = False
    identity: str | None = None
    length: int | None = None
    read_only: bool = False


@dataclass(frozen=True)
class CollectionNode:
    """A table: its fields in dataset order, and the schema its dataset names, if any."""

    address: CollectionAddress
    fields: tuple[FieldNode, ...]
    schema: str | None = None
    skip: bool = False

    def field(self, name: str) -> FieldNode:
        """The field called ``name``; :class:`KeyError` when the dataset has none."""
        for node in self.fields:
            if node.name == name:
                return node
        raise KeyError(name)

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The fields the dataset declares as primary key (may be none)."""
        return tuple(f.name for f in self.fields if f.is_primary_key)


@dataclass(frozen=True)
class Edge:
    """Values of ``source`` are looked up in ``target``."""

    source: FieldAddress
    target: FieldAddress


@dataclass(frozen=True)
class Identity:
    """Values come from the request: the identity of this name (``email``)."""

    name: str


@dataclass(frozen=True)
class DatasetGraph:
    """Validated collections and edges of a set of datasets, ready to be planned."""

    collections: Mapping[CollectionAddress, CollectionNode]
    edges: frozenset[Edge]
    declared_references: frozenset[tuple[CollectionAddress, CollectionAddress]]
    """(declaring, referenced) collection pairs: the dependant comes first."""
    erase_after: Mapping[CollectionAddress, frozenset[CollectionAddress]]
    after: Mapping[CollectionAddress, frozenset[CollectionAddress]]

    @property
    def identity_names(self) -> frozenset[str]:
        """Every identity some field is seeded by."""
        return frozenset(
            f.identity for c in self.collections.values() for f in c.fields if f.identity
        )


def build_dataset_graph(datasets: Sequence[fl.Dataset]) -> DatasetGraph:
    """Index ``datasets`` as a graph; every reference must point at a known column.

    Raises :class:`InvalidInput` naming the dataset, collection and field at fault.
    """
    collections: dict[CollectionAddress, CollectionNode] = {}
    for dataset in datasets:
        if any(a.dataset == dataset.fides_key for a in collections):
            raise InvalidInput(f"dataset {dataset.fides_key!r} appears twice")
        schema = _schema_of(dataset)
        for collection in dataset.collections:  # fideslang refuses duplicate names within
            node = _collection_node(dataset, collection, schema)
            collections[node.address] = node
    edges: set[Edge] = set()
    declared: set[tuple[CollectionAddress, CollectionAddress]] = set()
    for dataset in datasets:
        for collection in dataset.collections:
            for field in collection.fields:
                here = FieldAddress(
                    CollectionAddress(dataset.fides_key, collection.name), field.name
                )
                meta = field.fides_meta
                for ref in (meta.references if meta else None) or []:
                    there = _referenced(collections, _where(dataset, collection, field), ref)
                    if ref.direction in (None, fl.EdgeDirection.TO):
                        edges.add(Edge(here, there))
                    if ref.direction in (None, fl.EdgeDirection.FROM):
                        edges.add(Edge(there, here))
                    declared.add((here.collection, there.collection))
    return DatasetGraph(
        collections=collections,
        edges=frozenset(edges),
        declared_references=frozenset(declared),
        erase_after=_ordering(datasets, collections, erase=True),
        after=_ordering(datasets, collections, erase=False),
    )


def _where(
    dataset: fl.Dataset,
    collection: fl.DatasetCollection | None = None,
    field: fl.DatasetField | None = None,
) -> str:
    where = f"dataset {dataset.fides_key!r}"
    where += f", collection {collection.name!r}" if collection else ""
    return where + (f", field {field.name!r}" if field else "")


def _schema_of(dataset: fl.Dataset) -> str | None:
    """The schema from ``fides_meta.namespace.schema``, as Fides's SQL connectors read it."""
    namespace = dataset.fides_meta.namespace if dataset.fides_meta else None
    schema = (namespace or {}).get("schema")
    return schema if isinstance(schema, str) and schema else None


def _collection_node(
    dataset: fl.Dataset, collection: fl.DatasetCollection, schema: str | None
) -> CollectionNode:
    for field in collection.fields:
        for nested in _nested(field.fields or []):
            if nested.fides_meta and (nested.fides_meta.identity or nested.fides_meta.references):
                raise InvalidInput(
                    f"{_where(dataset, collection, field)}: a nested field cannot be an"
                    " identity or a reference in a SQL dataset"
                )
    meta = collection.fides_meta
    return CollectionNode(
        address=CollectionAddress(dataset.fides_key, collection.name),
        fields=tuple(_field_node(f) for f in collection.fields),
        schema=schema,
        skip=bool(meta and meta.skip_processing),
    )


def _nested(fields: Sequence[fl.DatasetField]) -> Iterable[fl.DatasetField]:
    for field in fields:
        yield field
        yield from _nested(field.fields or [])


def _field_node(field: fl.DatasetField) -> FieldNode:
    """One column; a field with nested ``fields`` carries their categories too."""
    categories = [*(field.data_categories or [])]
    for nested in _nested(field.fields or []):
        categories += [c for c in nested.data_categories or [] if c not in categories]
    meta = field.fides_meta
    return FieldNode(
        name=field.name,
        data_categories=tuple(dict.fromkeys(categories)),
        is_primary_key=bool(meta and meta.primary_key),
        identity=meta.identity if meta else None,
        length=meta.length if meta else None,
        read_only=bool(meta and meta.read_only),
    )


def _referenced(
    collections: Mapping[CollectionAddress, CollectionNode],
    where: str,
    ref: fl.FidesDatasetReference,
) -> FieldAddress:
    """The column ``ref`` names, or :class:`InvalidInput` saying which part is unknown."""
    if not any(a.dataset == ref.dataset for a in collections):
        raise InvalidInput(f"{where}: reference to unknown dataset {ref.dataset!r}")
    name, _, path = ref.field.partition(".")
    node = collections.get(CollectionAddress(ref.dataset, name))
    if node is None:
        raise InvalidInput(f"{where}: reference to unknown collection {ref.dataset}.{name}")
    column, _, nested = path.partition(".")
    if not column or column not in {f.name for f in node.fields}:
        raise InvalidInput(f"{where}: reference to unknown field {ref.dataset}.{ref.field}")
    if nested:
        raise InvalidInput(
            f"{where}: reference into nested field {ref.dataset}.{ref.field}; a SQL dataset"
            " references whole columns"
        )
    return FieldAddress(node.address, column)


def _ordering(
    datasets: Sequence[fl.Dataset],
    collections: Mapping[CollectionAddress, CollectionNode],
    *,
    erase: bool,
) -> dict[CollectionAddress, frozenset[CollectionAddress]]:
    """``after`` (or ``erase_after``) keys of each collection, checked to exist.

    A dataset's own ``after`` lists whole datasets, so every one of its collections
    waits for all of theirs.
    """
    result: dict[CollectionAddress, frozenset[CollectionAddress]] = {}
    for dataset in datasets:
        dataset_after = [] if erase or not dataset.fides_meta else dataset.fides_meta.after or []
        for key in dataset_after:
            if not any(a.dataset == key for a in collections):
                raise InvalidInput(f"{_where(dataset)}: 'after' names unknown dataset {key!r}")
        for collection in dataset.collections:
            meta = collection.fides_meta
            keys = (meta.erase_after if erase else meta.after) if meta else None
            wanted = {a for a in collections if a.dataset in dataset_after}
            for key in keys or []:
                address = CollectionAddress(*key.split(".", 1))
                if address not in collections:
                    raise InvalidInput(
                        f"{_where(dataset, collection)}: ordering names unknown collection {key}"
                    )
                wanted.add(address)
            if wanted:
                result[CollectionAddress(dataset.fides_key, collection.name)] = frozenset(wanted)
    return result
