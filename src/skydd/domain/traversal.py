"""Planning a traversal of a dataset graph: which collections, in what access and erasure order.

A collection is queried once, after every reachable collection that feeds it (Fides
does the same); where references form a cycle, the collection nearest an identity
goes first and the edges that would feed it from later collections are not followed,
nor is a reference from a collection to itself.

The plan also gives the erasure order: a dataset declares a reference on the field
that holds the foreign key, so the declaring collection is the dependant and is
masked before what it references (``erase_after`` is honoured on top).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from skydd.domain.dataset_graph import (
    CollectionAddress,
    CollectionNode,
    DatasetGraph,
    Edge,
    FieldAddress,
    Identity,
)


@dataclass(frozen=True)
class Lookup:
    """Rows of a step are those whose ``field`` holds one of the ``source``'s values."""

    field: str
    source: Identity | FieldAddress


@dataclass(frozen=True)
class TraversalStep:
    """One collection to query, and where the values of each looked-up field come from."""

    collection: CollectionNode
    lookups: tuple[Lookup, ...]


@dataclass(frozen=True)
class TraversalPlan:
    """Steps in access order, the erasure order, and what the identities cannot reach."""

    identities: frozenset[str]
    steps: tuple[TraversalStep, ...]
    erasure_order: tuple[CollectionAddress, ...]
    unreachable: tuple[CollectionAddress, ...]
    reference_fields: frozenset[FieldAddress]
    """Fields at either end of a reference: never masked, foreign keys live there."""

    def step(self, address: CollectionAddress) -> TraversalStep:
        """The step that queries ``address``; :class:`KeyError` when it is not planned."""
        for step in self.steps:
            if step.collection.address == address:
                return step
        raise KeyError(address)


def plan_traversal(graph: DatasetGraph, identities: Iterable[str]) -> TraversalPlan:
    """The order to query collections from the identities a request has values for."""
    names = frozenset(identities)
    active = {a for a, c in graph.collections.items() if not c.skip}
    edges = [
        e
        for e in graph.edges
        if e.source.collection != e.target.collection
        and {e.source.collection, e.target.collection} <= active
    ]
    seeds: dict[CollectionAddress, list[Lookup]] = {}
    for a in sorted(active):
        for f in graph.collections[a].fields:
            if f.identity is not None and f.identity in names:
                seeds.setdefault(a, []).append(Lookup(f.name, Identity(f.identity)))
    distance = _distances(seeds, edges)
    feeders: dict[CollectionAddress, set[CollectionAddress]] = {a: set() for a in distance}
    for e in edges:
        if e.source.collection in distance and e.target.collection in distance:
            feeders[e.target.collection].add(e.source.collection)
    waits = {a: feeders[a] | (graph.after.get(a, frozenset()) & distance.keys()) for a in distance}
    order = _ordered(
        sorted(distance, key=lambda a: (distance[a], a)),
        waits,
        can_start=lambda a, placed: a in seeds or bool(feeders[a] & placed),
    )
    steps = tuple(_step(graph.collections[a], seeds.get(a, []), edges, order) for a in order)
    return TraversalPlan(
        identities=names,
        steps=steps,
        erasure_order=_erasure_order(graph, order),
        unreachable=tuple(sorted(active - distance.keys())),
        reference_fields=frozenset(f for e in graph.edges for f in (e.source, e.target)),
    )


def _distances(
    seeds: Mapping[CollectionAddress, object], edges: Sequence[Edge]
) -> dict[CollectionAddress, int]:
    """Breadth-first hops from the seeded collections along the edges."""
    distance = dict.fromkeys(seeds, 0)
    queue = deque(seeds)
    while queue:
        here = queue.popleft()
        for e in edges:
            there = e.target.collection
            if e.source.collection == here and there not in distance:
                distance[there] = distance[here] + 1
                queue.append(there)
    return distance


def _ordered(
    items: Sequence[CollectionAddress],
    before: Mapping[CollectionAddress, set[CollectionAddress]],
    can_start: Callable[[CollectionAddress, set[CollectionAddress]], bool],
) -> list[CollectionAddress]:
    """Topological order, preferring ``items``' order; a cycle yields to ``can_start``."""
    placed: list[CollectionAddress] = []
    done: set[CollectionAddress] = set()
    while len(placed) < len(items):
        pending = [a for a in items if a not in done]
        ready = [a for a in pending if before.get(a, set()) <= done]
        if not ready:
            ready = [a for a in pending if can_start(a, done)] or pending
        placed.append(ready[0])
        done.add(ready[0])
    return placed


def _step(
    node: CollectionNode,
    seeded: Sequence[Lookup],
    edges: Sequence[Edge],
    order: Sequence[CollectionAddress],
) -> TraversalStep:
    """Identity lookups first, then the edges from collections queried earlier."""
    earlier = set(order[: order.index(node.address)])
    lookups = [*seeded]
    lookups += sorted(
        (
            Lookup(e.target.field, e.source)
            for e in edges
            if e.target.collection == node.address and e.source.collection in earlier
        ),
        key=lambda lookup: (lookup.field, str(lookup.source)),
    )
    return TraversalStep(node, tuple(lookups))


def _erasure_order(
    graph: DatasetGraph, access_order: Sequence[CollectionAddress]
) -> tuple[CollectionAddress, ...]:
    """Dependants first, from the reverse access order; ``erase_after`` overrides that."""
    planned = set(access_order)
    dependants: dict[CollectionAddress, set[CollectionAddress]] = {a: set() for a in planned}
    for dependant, referenced in graph.declared_references:
        if dependant != referenced and {dependant, referenced} <= planned:
            dependants[referenced].add(dependant)
    inferred = _ordered(list(reversed(access_order)), dependants, lambda _a, _p: True)
    declared = {a: set(graph.erase_after.get(a, frozenset()) & planned) for a in planned}
    return tuple(_ordered(inferred, declared, lambda _a, _p: True))
