"""Issue 14: a share gives back no count a reader cannot see (plain Python, no Django)."""

from __future__ import annotations

from bridgeway.insight.scrutiny import quality_share


def test_a_data_quality_share_of_a_hidden_zero_is_hidden():
    """A hidden count's share is hidden whatever the count is: a share of 0.0000 beside a
    hidden cell would tell the reader the cell is empty."""
    assert quality_share(0, 20, hidden=True, people_hidden=False).text == "[c]"
    assert quality_share(3, 20, hidden=True, people_hidden=False).text == "[c]"
    # A hidden denominator hides every share over it, zero included.
    assert quality_share(0, 4, hidden=False, people_hidden=True).text == "[c]"
    assert quality_share(0, 20, hidden=False, people_hidden=False).text == "0.0000"
