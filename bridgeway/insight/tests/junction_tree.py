"""The attacker's junction tree (decision 0148): which characteristics to model jointly.

Moved out of ``attacker.py`` to keep that module within 800 lines; plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable


def junction_tree(scopes: Iterable[frozenset[int]]) -> list[tuple[frozenset[int], int | None]]:
    """Groups of characteristics to model jointly, each with its parent in a junction tree.

    Characteristics counted together (a cross table's) must be modelled jointly; the graph of
    which are counted together is made chordal by eliminating the characteristic that adds
    fewest edges first, and its largest cliques are joined by a maximum spanning tree, so each
    clique shares with those before it only what it shares with its parent (the running
    intersection property). Then the margins that agree on the parent's shared part come from
    one joint table of everyone, and the programs below are exact.
    """
    neighbours: dict[int, set[int]] = {}
    for scope in scopes:
        for name in scope:
            neighbours.setdefault(name, set()).update(scope - {name})
    remaining = set(neighbours)
    cliques: list[frozenset[int]] = []
    while remaining:

        def fill(name: int) -> tuple[int, int, int]:
            around = neighbours[name] & remaining
            missing = sum(1 for a in around for b in around if a < b and b not in neighbours[a])
            return missing, len(around), name

        name = min(remaining, key=fill)
        around = neighbours[name] & remaining
        for other in around:
            neighbours[other] |= around - {other}
        remaining.remove(name)
        clique = frozenset(around | {name})
        if not any(clique <= known for known in cliques):
            cliques = [known for known in cliques if not known <= clique] + [clique]
    if not cliques:
        return [(frozenset(), None)]
    ordered: list[tuple[frozenset[int], int | None]] = [(cliques[0], None)]
    left = cliques[1:]
    while left:
        clique, parent = max(
            ((c, n) for c in left for n in range(len(ordered))),
            key=lambda pair: len(pair[0] & ordered[pair[1]][0]),
        )
        left.remove(clique)
        ordered.append((clique, parent))
    return ordered
