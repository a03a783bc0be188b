"""Disclosure control and intervals: plain Python, no Django, no app.

Intervals (``statistics``) and the suppression of small counts (``suppression``) are the
same whether insight publishes a needs assessment or an organisation's manager reads its own
caseload, so they live here, where any app may use them without depending on another app
(docs/decisions/0117-statistics-shared-without-an-arrow.md).
"""
