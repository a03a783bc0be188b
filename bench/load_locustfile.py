"""The public mix for ``bench/load.py``, as locust runs it (``locust -f`` this file).

Read from the environment: ``LOAD_RATE_PER_USER`` (requests a second each simulated person
sends), ``LOAD_SERVICE_IDS`` (comma-separated services to open) and ``LOAD_BASELINE`` (``1``:
only ``/healthz``, the same run's baseline).
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, constant_throughput, task

RATE = float(os.environ.get("LOAD_RATE_PER_USER", "1"))
SERVICES = [s for s in os.environ.get("LOAD_SERVICE_IDS", "").split(",") if s]
BASELINE = os.environ.get("LOAD_BASELINE") == "1"
# A browser's own header on a form post from one of our pages (frontdoor/csrf.py).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
POSTCODES = ["LS6 1AA", "LS1 4AP", "BD1 1HY", "LS11 5AA"]


class Baseline(HttpUser):
    """Only ``/healthz``: what the stack costs with no page behind it."""

    wait_time = constant_throughput(RATE)
    weight = 1 if BASELINE else 0

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")


class Person(HttpUser):
    """Someone on the public site, or a site using the API: a realistic mix of reads."""

    wait_time = constant_throughput(RATE)
    weight = 0 if BASELINE else 1

    @task(3)
    def get_support(self) -> None:
        self.client.cookies.clear()
        self.client.get("/en/get-support/", name="/en/get-support/")

    @task(3)
    def a_match(self) -> None:
        self.client.cookies.clear()
        self.client.post(
            "/en/get-support/",
            {"where": random.choice(POSTCODES), "action": "continue"},
            headers=SAME_ORIGIN,
            allow_redirects=False,
            name="/en/get-support/ (answer)",
        )
        self.client.get("/en/get-support/results/", name="/en/get-support/results/")

    @task(2)
    def a_service(self) -> None:
        if SERVICES:
            self.client.get(f"/en/services/{random.choice(SERVICES)}/", name="/en/services/[id]/")

    @task(1)
    def the_report_form(self) -> None:
        self.client.get("/en/report/", name="/en/report/")

    @task(2)
    def api_match(self) -> None:
        self.client.post(
            "/api/v1/match", json={"postcode": random.choice(POSTCODES)}, name="/api/v1/match"
        )

    @task(1)
    def oruk_feed(self) -> None:
        self.client.get("/api/v1/services?per_page=20", name="/api/v1/services")
