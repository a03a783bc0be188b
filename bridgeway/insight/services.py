"""Insight's one write, taking the snapshot, and the names older code imports from here.

The snapshot writer lives in ``insight.snapshot_write`` (the one module of insight that may
read case records) and the reports in ``insight.reports``; both are re-exported here so
``from bridgeway.insight.services import snapshot_write`` and the report names keep working.
The writer's tuning constants and private steps are deliberately not re-exported: patching
them here would change nothing, so a test must patch ``insight.snapshot_write`` itself.
"""

from __future__ import annotations

from bridgeway.insight.reports import (
    ALL_AREAS,
    BreakdownReport,
    EmptyPeriod,
    PeriodError,
    coverage_gaps_report,
    funnel_report,
    intersections_report,
    needs_assessment_rows,
    needs_assessments,
    provider_report,
)
from bridgeway.insight.snapshot_write import SnapshotResult, snapshot_write

__all__ = [
    "ALL_AREAS",
    "BreakdownReport",
    "EmptyPeriod",
    "PeriodError",
    "SnapshotResult",
    "coverage_gaps_report",
    "funnel_report",
    "intersections_report",
    "needs_assessment_rows",
    "needs_assessments",
    "provider_report",
    "snapshot_write",
]
