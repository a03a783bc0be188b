"""Bridgeway's own Open Referral feed answers "changed since?" (issue 13, item 6; decision
0156): every answer carries an ETag, and a request naming it gets 304 with no body until the
answer would change, so a directory harvesting this feed nightly reads only what changed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGES = (
    "/api/v1/services?per_page=2&page=1",
    "/api/v1/services/",
    "/api/v1/service_at_locations?per_page=2",
    "/api/v1/taxonomies",
)


@pytest.mark.parametrize("url", PAGES)
def test_an_unchanged_page_is_answered_304_with_no_body(client, directory, url):
    first = client.get(url)
    assert first.status_code == 200
    tag = first["ETag"]
    assert tag
    again = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == tag
    # Another tag is not this page: the whole answer is sent.
    other = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    assert other.content == first.content


def test_a_changed_service_is_sent_again_with_a_new_tag_on_its_page_and_by_id(client, directory):
    service = directory["urdu"]
    by_id = f"/api/v1/services/{service.pk}"
    listing = "/api/v1/services?per_page=50"
    tags = {url: client.get(url)["ETag"] for url in (by_id, listing)}
    service.name = "Bradford Urdu Hate Support Line"
    service.save()
    for url, tag in tags.items():
        answer = client.get(url, HTTP_IF_NONE_MATCH=tag)
        assert answer.status_code == 200, url
        assert answer["ETag"] != tag
        assert "Bradford Urdu Hate Support Line" in answer.content.decode()


def test_an_unknown_service_is_still_404_with_or_without_a_tag(client, directory):
    url = "/api/v1/services/00000000-0000-0000-0000-000000000000"
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 404
