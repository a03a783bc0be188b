"""/readyz names what is not ready; /metrics answers only allowed addresses."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings

from bridgeway.operations.models import JobRun

pytestmark = pytest.mark.django_db


def test_ready_when_everything_answers(client: Client, tmp_path: Path) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checked": ["database", "migrations", "storage"]}
    assert list(tmp_path.rglob("*.*")) == []  # the probe file is gone


def test_storage_that_cannot_be_written_is_named(client: Client, tmp_path: Path) -> None:
    blocker = tmp_path / "media"
    blocker.write_text("a file where the folder should be")
    with override_settings(MEDIA_ROOT=blocker):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == {"storage": "uploaded-file storage cannot be written"}


@pytest.mark.database_owner
def test_a_migration_not_applied_is_named(client: Client, tmp_path: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'operations' AND name = '0001_initial'"
        )
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == {
        "migrations": "1 migrations are not applied; run bridgeway migrate"
    }


def test_metrics_count_requests_by_route_and_read_jobs_and_the_queue(client: Client) -> None:
    from django.utils import timezone

    now = timezone.now()
    JobRun.objects.create(
        job="snapshot", outcome="succeeded", worker="w", started_at=now, lease_until=now
    )
    client.get("/healthz")
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'bridgeway_requests_total{method="GET",route="healthz",status="2xx"}' in text
    assert 'bridgeway_request_seconds_count{route="healthz"}' in text
    assert 'bridgeway_job_runs_last_day{job="snapshot",outcome="succeeded"} 1.0' in text
    assert "bridgeway_job_queue_depth 0.0" in text
    assert "bridgeway_inbox_waiting 0.0" in text


def test_metrics_are_hidden_from_other_addresses(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    with override_settings(METRICS_ALLOWED_ADDRESSES=["10.1.0.0/16"]):
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_behind_a_proxy_the_forwarded_address_is_the_one_checked(client: Client) -> None:
    with override_settings(TRUSTED_PROXY_COUNT=1):
        outside = client.get(
            "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
        )
    assert outside.status_code == 404


def test_every_answer_carries_a_request_id(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != client.get("/healthz")["X-Request-ID"]
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-1234")["X-Request-ID"] == "proxy-id-1234"
    )
    # Anything that is not an id is replaced, so a header cannot write into the logs.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="x" * 100 + " name")["X-Request-ID"] != "x"


def test_metrics_show_how_long_the_inbox_has_waited(client: Client, organisation) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from bridgeway.casework.models import Referral
    from bridgeway.casework.tests.factories import CaseworkServiceFactory, make_referral

    service = CaseworkServiceFactory(organisation=organisation)
    now = timezone.now()
    for hours in (0.5, 2, 30):
        make_referral(service=service, received_at=now - timedelta(hours=hours))
    contacted = make_referral(service=service, received_at=now - timedelta(days=20))
    Referral.objects.filter(pk=contacted.pk).update(stage="contacted")
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    figures = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("bridgeway_inbox_")
    }
    assert figures["bridgeway_inbox_waiting"] == 3
    assert 30 * 3600 <= figures["bridgeway_inbox_oldest_waiting_seconds"] < 31 * 3600
    assert figures['bridgeway_inbox_waiting_seconds_bucket{le="3600.0"}'] == 1
    assert figures['bridgeway_inbox_waiting_seconds_bucket{le="14400.0"}'] == 2
    assert figures['bridgeway_inbox_waiting_seconds_bucket{le="86400.0"}'] == 2
    assert figures['bridgeway_inbox_waiting_seconds_bucket{le="259200.0"}'] == 3
    assert figures['bridgeway_inbox_waiting_seconds_bucket{le="+Inf"}'] == 3
    assert figures["bridgeway_inbox_waiting_seconds_gcount"] == 3
    assert 32.5 * 3600 <= figures["bridgeway_inbox_waiting_seconds_gsum"] < 33 * 3600
