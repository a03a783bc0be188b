"""Which stage of the funnel may follow which: a case moves only forwards.

Plain data, no Django, so the rule can be property-tested alone and shared by the services
and the demo generator.
"""

from __future__ import annotations

from bridgeway.equality.vocabulary import stage_order


def stage_can_follow(current: str, proposed: str) -> bool:
    """Stages move only forwards; after ``declined`` only ``closed`` may follow."""
    if current == "closed":
        return False
    if current == "declined":
        return proposed == "closed"
    if proposed == "started" and current != "accepted":
        return False
    return stage_order(proposed) > stage_order(current)
