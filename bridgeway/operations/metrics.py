"""Prometheus metrics: requests by route name, job runs, queue depth, inbox waiting times.

Request counts and latencies are counted in each process (set PROMETHEUS_MULTIPROC_DIR for
gunicorn's several processes, docs/operating.md); job runs, the queue and the inbox are read
from the database when the metrics are asked for, so every process gives the same figures.
"""

from __future__ import annotations

import ipaddress
import os
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bridgeway.operations import logs
from bridgeway.operations.models import JobRun
from bridgeway.operations.selectors import queue_depth
from bridgeway.throttles.client_address import client_address

REQUESTS = Counter(
    "bridgeway_requests",
    "Requests answered, by route name, method and status class.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "bridgeway_request_seconds",
    "Time to answer a request, by route name.",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# How long referrals have waited for first contact: an hour, four, a day, three, a week.
WAITING_BUCKETS = (3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400)


class DatabaseCollector(Collector):
    """Figures read from the database at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily | GaugeHistogramMetricFamily]:
        since = timezone.now() - timedelta(days=1)
        runs = GaugeMetricFamily(
            "bridgeway_job_runs_last_day",
            "Tries of each job in the last day, by outcome.",
            labels=["job", "outcome"],
        )
        for row in (
            JobRun.objects.filter(started_at__gte=since)
            .values("job", "outcome")
            .annotate(n=Count("id"))
            .order_by("job", "outcome")
        ):
            runs.add_metric([row["job"], row["outcome"]], row["n"])
        yield runs
        yield GaugeMetricFamily(
            "bridgeway_job_queue_depth", "Tasks waiting for a worker.", value=queue_depth()
        )
        yield from _inbox_waiting(timezone.now())


def _inbox_waiting(now: datetime) -> Iterator[GaugeMetricFamily | GaugeHistogramMetricFamily]:
    """Referrals no one has contacted yet: how many, the oldest's wait, and all waits."""
    referral = apps.get_model("casework", "Referral")
    waits = sorted(
        (now - received).total_seconds()
        for received in referral.objects.filter(stage="referred").values_list(
            "received_at", flat=True
        )
    )
    yield GaugeMetricFamily(
        "bridgeway_inbox_waiting", "Referrals not yet contacted.", value=len(waits)
    )
    yield GaugeMetricFamily(
        "bridgeway_inbox_oldest_waiting_seconds",
        "How long the oldest referral not yet contacted has waited.",
        value=waits[-1] if waits else 0.0,
    )
    buckets = [
        (str(float(limit)), float(sum(wait <= limit for wait in waits)))
        for limit in WAITING_BUCKETS
    ]
    yield GaugeHistogramMetricFamily(
        "bridgeway_inbox_waiting_seconds",
        "How long each referral not yet contacted has waited.",
        buckets=[*buckets, ("+Inf", float(len(waits)))],
        gsum_value=sum(waits),
    )


def registry() -> CollectorRegistry:
    """The figures to serve: this process's (or every process's) counters and the database's."""
    from prometheus_client import REGISTRY

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
    else:
        combined = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return _Both(combined, database)  # type: ignore[return-value]


class _Both:
    """Two registries read as one by ``generate_latest``."""

    def __init__(self, *registries: CollectorRegistry) -> None:
        self.registries = registries

    def collect(self) -> Iterator[object]:
        for one in self.registries:
            yield from one.collect()


def address_allowed(request: HttpRequest) -> bool:
    """Whether the client (behind TRUSTED_PROXY_COUNT proxies) is in METRICS_ALLOWED_ADDRESSES."""
    address = client_address(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_proxies=settings.TRUSTED_PROXY_COUNT,
    )
    try:
        client = ipaddress.ip_network(address, strict=False)
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_ADDRESSES:
        network = ipaddress.ip_network(allowed, strict=False)
        if client.version == network.version and client.subnet_of(network):  # type: ignore[arg-type]
            return True
    return False


def metrics_response() -> HttpResponse:
    """The metrics in Prometheus' text format."""
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Gives each request an id (for the logs and the X-Request-ID header) and counts it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        current = offered if logs.acceptable_request_id(offered) else uuid.uuid4().hex
        token = logs.request_id.set(current)
        request.request_id = current  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            logs.request_id.reset(token)
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match is not None and match.view_name else "unmatched"
        REQUESTS.labels(route, request.method or "", f"{response.status_code // 100}xx").inc()
        LATENCY.labels(route).observe(time.perf_counter() - started)
        response["X-Request-ID"] = current
        return response
