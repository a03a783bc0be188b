"""Where in a postcode district a person most likely is: each district's share of it.

Plain Python, no Django, so the rule can be property-tested alone. A person who gives only
an outcode (``BD3``) could be in any local authority district it touches; the chance of each
is taken as that district's share of the outcode's postcodes. The counts come from a sample
of the ONS Postcode Directory (``places/data/SOURCES.md``), about one postcode in 27, so a
count of 0 means "few", not "none": every district the outcode touches keeps a small share,
by adding half a postcode to each count before dividing (the Jeffreys prior). An outcode
whose sample holds none of its postcodes splits evenly.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

# Half a postcode added to each district's count before taking shares.
PRIOR = 0.5


def outcode_shares(counts: Sequence[int], *, prior: float = PRIOR) -> tuple[float, ...]:
    """Each district's share of an outcode from its count of sampled postcodes, in order.

    The shares are positive and sum to 1; a larger count never gets a smaller share.
    """
    if not counts:
        return ()
    if any(count < 0 for count in counts):
        raise ValueError("a count of postcodes cannot be negative")
    if len(counts) == 1:
        return (1.0,)
    total = sum(counts) + prior * len(counts)
    return tuple((count + prior) / total for count in counts)


def share_covered(shares: Sequence[float], covered: Collection[int]) -> float:
    """The share of the outcode in the districts at the positions ``covered``.

    1.0 exactly when every district is covered (so a service covering all of it scores as
    one covering a full postcode does), 0.0 when none is.
    """
    if len(covered) >= len(shares):
        return 1.0
    return min(1.0, sum(shares[i] for i in covered))
