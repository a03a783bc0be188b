"""A steady stream of public submissions through nginx while parts fail (issue 18, item 4).

Used by ``test_fault_drill.py`` (short) and ``bench/fault_drill.py`` (the full drill), so it
imports no pytest and no Django: it speaks HTTP to the site and to the store.

Each client of ``Stream`` is a new person each time: it opens a self-referral or report form
(which carries a submission key), sends it, and, as a person or their browser would, sends
the same form again after anything but an answer (a dropped connection, nginx's 502, the
calm 503) until the site says it was received (302), then reads the reference on the page
that follows. ``Uploads`` is a member of staff adding a spoken introduction to one service
after another, trying again in the same way. ``Tally`` counts what each was told; ``check``
compares that with the database and the bucket.
"""

from __future__ import annotations

import http.client
import itertools
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests

from bridgeway.site.tests.cluster import free_port

KEY = re.compile(r'name="submission_key" value="([A-Za-z0-9_-]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFERENCE = re.compile(r"\b(BW-[A-Z0-9]{4}-[A-Z0-9]{4})\b")
# A browser's own header on a form post from one of our pages (frontdoor/csrf.py).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
# Answers after which the same form is sent again: the site or the proxy could not take it.
TRY_AGAIN = {0, 502, 503, 504}
REQUEST_SECONDS = 15
BUCKET = "bridgeway-media"
REGION = "eu-west-2"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 40

REFERRAL = {
    "what": ["hate_incident"],
    "narrative": "People shout at me on the way to work.",
    "name_to_use": "Mara",
    "channels": ["phone"],
    "phone": "07700 900 123",
    "email": "",
    "times": "Weekdays after 6pm",
    "may_leave_message": "no",
    "others_may_see": "no",
    "safe_word": "bluebell",
    "postcode": "LS6 1AA",
    "ethnic_group": "black_caribbean",
    "ethnic_group_description": "",
    "age_band": "25_34",
    "language": "eng",
}
REPORT = {
    "narrative": "A man shouted racist abuse at my neighbour at the bus stop.",
    "incident_day": "3",
    "incident_month": "2",
    "incident_year": "2025",
    "incident_place": "Bus stop on Otley Road",
    "postcode": "LS6",
    "hate_strands": ["race"],
    "identity": "anonymous",
    "wants_police_told": "no",
}


@dataclass
class Tally:
    """What clients sent and were told, counted under one lock."""

    started: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # key or name -> reference
    answers: Counter[int] = field(default_factory=Counter)  # HTTP status; 0: no answer
    problems: list[str] = field(default_factory=list)
    retries: int = 0
    acknowledged_at: list[float] = field(default_factory=list)  # time.monotonic()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, response: requests.Response | None) -> None:
        """Note one answer; a stack trace, a 500 or a 503 without Retry-After is a problem."""
        with self.lock:
            if response is None:
                self.answers[0] += 1
                return
            self.answers[response.status_code] += 1
            body = response.text
            if response.status_code == 500 or "Traceback" in body or "botocore" in body:
                self.problems.append(f"{response.status_code} {response.url}: {body[:300]}")
            if response.status_code in {502, 504}:
                self.problems.append(f"{response.status_code} from the proxy for {response.url}")
            if response.status_code == 503 and response.headers.get("Retry-After") != "30":
                # Bridgeway's and the proxy's calm 503s always say when to come back.
                self.problems.append(f"503 without Retry-After from {response.url}")
            if response.status_code == 503 and "Please try again" not in body:
                self.problems.append(f"503 without the calm page from {response.url}")


class _Client(threading.Thread):
    def __init__(self, base: str, tally: Tally, stop: threading.Event, give_up: float) -> None:
        super().__init__(daemon=True)
        self.base, self.tally, self.stop, self.give_up = base, tally, stop, give_up

    def _send(self, session: requests.Session, method: str, path: str, **kw: Any) -> Any:
        try:
            response = session.request(
                method,
                f"{self.base}{path}",
                timeout=REQUEST_SECONDS,
                allow_redirects=False,
                **kw,
            )
        except requests.RequestException:
            self.tally.answer(None)
            return None
        self.tally.answer(response)
        return response

    def _until_answered(self, attempt: Callable[[], Any], deadline: float) -> Any:
        """``attempt()`` again after no answer, a 502 or a 503, until it answers or time is up."""
        first = True
        while time.monotonic() < deadline:
            if not first:
                with self.tally.lock:
                    self.tally.retries += 1
                time.sleep(0.3)
            first = False
            response = attempt()
            if response is not None and response.status_code not in TRY_AGAIN:
                return response
        return None


class Stream:
    """``clients`` people sending self-referrals and reports in turn, until ``stop``."""

    def __init__(self, base: str, refer_path: str, *, clients: int = 3, give_up: float = 60):
        self.base, self.refer_path = base, refer_path
        self.tally = Tally()
        self.stopping = threading.Event()
        self.threads = [_Submitter(self, give_up) for _ in range(clients)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self, seconds: float = 120) -> Tally:
        """Let each client finish the submission it is on, then the tally."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=seconds)
        return self.tally


class _Submitter(_Client):
    def __init__(self, stream: Stream, give_up: float) -> None:
        super().__init__(stream.base, stream.tally, stream.stopping, give_up)
        self.kinds = itertools.cycle([(stream.refer_path, REFERRAL), ("/en/report/", REPORT)])

    def run(self) -> None:
        while not self.stop.is_set():
            path, answers = next(self.kinds)
            self.submit(path, answers)

    def submit(self, path: str, answers: dict[str, Any]) -> None:
        person = requests.Session()
        deadline = time.monotonic() + self.give_up
        form = self._until_answered(lambda: self._send(person, "GET", path), deadline)
        found = KEY.search(form.text) if form is not None else None
        if found is None:
            return  # nothing was sent: the form never showed
        key = found.group(1)
        with self.tally.lock:
            self.tally.started += 1
        data = {**answers, "submission_key": key}
        sent = self._until_answered(
            lambda: self._send(person, "POST", path, data=data, headers=SAME_ORIGIN), deadline
        )
        if sent is None or sent.status_code != 302:
            with self.tally.lock:
                self.tally.problems.append(
                    f"gave up on {key}: {None if sent is None else sent.status_code}"
                )
            return
        done_path = sent.headers["Location"]
        done = self._until_answered(lambda: self._send(person, "GET", done_path), deadline)
        reference = REFERENCE.search(done.text) if done is not None else None
        with self.tally.lock:
            if reference is None:
                self.tally.problems.append(f"no reference shown for {key}")
            else:
                self.tally.acknowledged[key] = reference.group(1)
                self.tally.acknowledged_at.append(time.monotonic())


class Uploads(_Client):
    """A member of staff adding an introduction to each service in turn, until ``stop``.

    ``session`` is signed in already; ``acknowledged`` maps service id to "kept" once the page
    said the recording is on the service's page.
    """

    def __init__(
        self, base: str, session: requests.Session, service_ids: list[str], give_up: float = 60
    ) -> None:
        self.tally = Tally()
        self.stopping = threading.Event()
        super().__init__(base, self.tally, self.stopping, give_up)
        self.session, self.service_ids = session, list(service_ids)

    def run(self) -> None:
        while self.service_ids and not self.stop.is_set():
            self.upload(self.service_ids.pop(0))
            time.sleep(0.5)

    def upload(self, service_id: str) -> None:
        path = f"/staff/directory/{service_id}/introduction/"
        deadline = time.monotonic() + self.give_up
        with self.tally.lock:
            self.tally.started += 1
        while time.monotonic() < deadline:
            page = self._until_answered(lambda: self._send(self.session, "GET", path), deadline)
            token = CSRF.search(page.text) if page is not None else None
            if token is None:
                break
            data = {
                "action": "upload",
                "kind": "audio",
                "language": "urd",
                "transcript": "Salaam. We help people after hate.",
                "csrfmiddlewaretoken": token.group(1),
            }
            files = {"file": ("welcome.mp3", MP3, "audio/mpeg")}
            sent = self._send(self.session, "POST", path, data=data, files=files)
            if sent is not None and sent.status_code == 302:
                with self.tally.lock:
                    self.tally.acknowledged[service_id] = "kept"
                    self.tally.acknowledged_at.append(time.monotonic())
                return
            with self.tally.lock:
                self.tally.retries += 1
            time.sleep(0.5)
        with self.tally.lock:
            self.tally.problems.append(f"gave up uploading to {service_id}")

    def finish(self, seconds: float = 120) -> Tally:
        """Wait for every service's upload to be taken (or given up), then the tally."""
        self.join(timeout=seconds)
        self.stopping.set()
        return self.tally


def staff_session(base: str, email: str, password: str, code: Callable[[], str]) -> Any:
    """A member of staff signed in with both factors through ``base``."""
    session = requests.Session()
    for path, data in (
        ("/staff/sign-in/", {"email": email, "password": password}),
        ("/staff/sign-in/verify/", None),
    ):
        page = session.get(f"{base}{path}", timeout=REQUEST_SECONDS)
        token = CSRF.search(page.text)
        if token is None:
            raise RuntimeError(f"no form at {path}: {page.status_code}")
        fields = data if data is not None else {"code": code()}
        answer = session.post(
            f"{base}{path}",
            {**fields, "csrfmiddlewaretoken": token.group(1)},
            timeout=REQUEST_SECONDS,
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"signing in stopped at {path}: {answer.status_code}")
    return session


class Store:
    """moto's S3 server on one port, which can be taken away and brought back (its objects
    are kept in this process meanwhile, as a store's disks are)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server: Any = None

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def bucket(self) -> None:
        """Empty the store and make the drill's bucket (once, before the drill)."""
        # moto keeps its buckets in the process, shared by every server started in it: another
        # test's server in this process may have left the bucket behind.
        reset = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        reset.request("POST", "/moto-api/reset")
        reset.getresponse().read()
        reset.close()
        self.client().create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@dataclass(frozen=True)
class Findings:
    """What the drill found: clients' counts beside the database's."""

    started: int
    acknowledged: int
    in_database: int
    missing: list[str]  # acknowledged references not in the database
    duplicated: int  # records in the database beyond one per submission key
    unacknowledged_in_database: int
    answers: dict[int, int]
    retries: int
    problems: list[str]

    @property
    def sound(self) -> bool:
        return (
            not self.missing
            and self.duplicated == 0
            and not self.problems
            and self.acknowledged == self.started
        )


def findings(tally: Tally, references_in_database: list[str]) -> Findings:
    """Compare what clients were told with the references the database holds."""
    told = set(tally.acknowledged.values())
    held = Counter(references_in_database)
    return Findings(
        started=tally.started,
        acknowledged=len(tally.acknowledged),
        in_database=len(references_in_database),
        missing=sorted(told - set(held)),
        # One record per submission key: more references than keys told, or two keys one
        # reference, is a duplicate.
        duplicated=sum(count - 1 for count in held.values())
        + (len(tally.acknowledged) - len(told)),
        unacknowledged_in_database=len(set(held) - told),
        answers=dict(sorted(tally.answers.items())),
        retries=tally.retries,
        problems=list(tally.problems),
    )
