"""Contract tests of the Pureservice adapter against the local fake, which checks the real request shapes."""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

import tests.fakes.pureservice as fake_module
from connectors.pureservice import DeskNames, PureserviceClient, PureserviceTicketDesk, ticket_url
from connectors.pureservice.errors import (
    AuthenticationError,
    MissingEntityError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
    ValidationError,
)
from connectors.pureservice.query import datetime_literal, query_string, string_literal
from core.lifecycle import NotReady
from core.ports import TicketAttachment, TicketDeskError, TicketDraft
from core.settings import SettingsError
from tests.fakes.pureservice import FALLBACK_REQUESTER_EMAIL, FakePureservice
from tests.virtual_time import run_virtual

KARI = "kari.nordmann@molde.kommune.no"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class RecordedWaits:
    """Stands in for asyncio.sleep in the retry loops: remembers each back-off instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def waits() -> RecordedWaits:
    return RecordedWaits()


def make_client(fake: FakePureservice, waits: RecordedWaits, **options) -> PureserviceClient:
    settings = dict(requests_per_minute=60_000, burst=1000, timeout_seconds=2.0, sleep=waits)
    return PureserviceClient(fake.url, fake.api_key, **{**settings, **options})


@pytest.fixture
async def client(fake_pureservice: FakePureservice, waits: RecordedWaits) -> AsyncIterator[PureserviceClient]:
    async with make_client(fake_pureservice, waits) as client:
        yield client


@pytest.fixture
def desk(client: PureserviceClient, waits: RecordedWaits) -> PureserviceTicketDesk:
    return PureserviceTicketDesk(
        client, fallback_requester_email=FALLBACK_REQUESTER_EMAIL, clock=lambda: NOW, sleep=waits
    )


@pytest.fixture
def kari(fake_pureservice: FakePureservice) -> dict:
    return fake_pureservice.add_user("Kari", "Nordmann", KARI)


def draft(**fields) -> TicketDraft:
    values = dict(
        subject="Skriveren på 2. etasje skriver ikke ut",
        description="Skriveren står med «papirstopp».\nRakel foreslo å starte den på nytt; det hjalp ikke.",
        category="printing",
        priority="high",
        requester_email=KARI,
        requester_name="Kari Nordmann",
        idempotency_key="conv-1:msg-7",
    )
    return TicketDraft(**{**values, **fields})


def api_requests(fake: FakePureservice, method: str, path: str):
    return [r for r in fake.requests if r.method == method and r.path == "/agent/api" + path]


# --- request shape -------------------------------------------------------------------------
async def test_every_request_carries_the_key_and_the_vnd_api_accept_header_under_the_prefix(
    fake_pureservice, desk, kari
):
    await desk.create_ticket(draft())

    assert fake_pureservice.requests
    for request in fake_pureservice.requests:
        assert request.path.startswith("/agent/api/")
        assert request.headers["x-authorization-key"] == fake_pureservice.api_key
        assert request.headers["accept"] == "application/vnd.api+json"


async def test_a_new_ticket_is_posted_in_the_plural_envelope_with_links_looked_up_by_name(
    fake_pureservice, desk, kari
):
    summary = await desk.create_ticket(draft())

    (post,) = api_requests(fake_pureservice, "POST", "/ticket/")
    assert post.headers["content-type"] == "application/vnd.api+json"
    assert post.json() == {
        "tickets": [
            {
                "subject": "Skriveren på 2. etasje skriver ikke ut",
                "description": "<p>Skriveren står med «papirstopp».<br>"
                "Rakel foreslo å starte den på nytt; det hjalp ikke.</p>",
                "visibility": 0,
                "customerReference": "conv-1:msg-7",
                "links": {
                    "user": {"id": kari["id"]},
                    "requestType": {"id": 1},
                    "ticketType": {"id": fake_pureservice.id_of("tickettype", "Henvendelse")},
                    "priority": {"id": fake_pureservice.id_of("priority", "Høy")},
                    "status": {"id": 3},  # "Ny" of request type Ticket, not of Change (9)
                    "source": {"id": fake_pureservice.id_of("source", "Chat")},
                    "assignedDepartment": {"id": fake_pureservice.id_of("department", "Kundeservice")},
                    "category1": {"id": fake_pureservice.id_of("category", "Utskrift")},
                },
            }
        ]
    }
    (ticket,) = fake_pureservice.tickets
    assert summary.id == str(ticket["id"])
    assert summary.number == str(ticket["requestNumber"]) == "24001"
    assert summary.url == f"{fake_pureservice.url}/agent/app#/ticket/24001"
    assert (summary.status, summary.is_open, summary.requester_email) == ("Ny", True, KARI)


async def test_a_ticket_solved_in_a_chat_is_created_resolved_with_its_solution(fake_pureservice, desk, kari):
    summary = await desk.create_ticket(draft(resolved=True, solution="Løst i chat med Per Agent fra Kundeservice."))

    (post,) = api_requests(fake_pureservice, "POST", "/ticket/")
    (ticket,) = post.json()["tickets"]
    assert ticket["links"]["status"] == {"id": 7}  # "Løst", looked up by name
    assert ticket["solution"] == "<p>Løst i chat med Per Agent fra Kundeservice.</p>"
    assert (summary.status, summary.is_open) == ("Løst", False)


async def test_ids_are_looked_up_by_name_once_per_client(fake_pureservice, desk, kari):
    await desk.create_ticket(draft(idempotency_key="a"))
    await desk.create_ticket(draft(idempotency_key="b", priority="high"))

    lookups = {
        r.path.removeprefix("/agent/api"): r.query["filter"]
        for r in fake_pureservice.requests
        if r.path.removeprefix("/agent/api")
        in ("/requesttype/", "/priority/", "/tickettype/", "/source/", "/department/", "/category/")
    }
    assert lookups == {
        "/requesttype/": 'key == "Ticket"',
        "/priority/": 'name == "Høy" AND requestTypeId == 1',
        "/tickettype/": 'name == "Henvendelse"',
        "/source/": 'name == "Chat"',
        "/department/": 'name == "Kundeservice"',
        "/category/": 'name == "Utskrift"',
    }
    for path in lookups:
        assert len(api_requests(fake_pureservice, "GET", path)) == 1, path
    assert len(api_requests(fake_pureservice, "POST", "/ticket/")) == 2


async def test_our_priorities_map_to_the_tenants_names(fake_pureservice, desk, kari):
    for key, name in (("low", "Lav"), ("normal", "Normal"), ("critical", "Kritisk")):
        summary = await desk.create_ticket(draft(priority=key, idempotency_key=key))
        ticket = fake_pureservice.rows["ticket"][int(summary.id)]
        assert ticket["priorityId"] == fake_pureservice.id_of("priority", name)


async def test_the_priority_and_category_names_are_configurable(fake_pureservice, client, kari):
    desk = PureserviceTicketDesk(
        client, names=DeskNames(priorities={"high": "Kritisk"}, categories={"printing": "Sikkerhet"})
    )
    summary = await desk.create_ticket(draft())
    ticket = fake_pureservice.rows["ticket"][int(summary.id)]
    assert ticket["priorityId"] == fake_pureservice.id_of("priority", "Kritisk")
    assert ticket["category1Id"] == fake_pureservice.id_of("category", "Sikkerhet")


async def test_a_category_the_tenant_lacks_does_not_stop_the_ticket(fake_pureservice, client, desk, kari, caplog):
    summary = await desk.create_ticket(draft(category="printing-3d"))
    assert "category1Id" not in fake_pureservice.rows["ticket"][int(summary.id)]
    assert "no Pureservice category is mapped for 'printing-3d' in RAKEL_PURESERVICE_CATEGORIES" in caplog.text
    renamed = PureserviceTicketDesk(client, names=DeskNames(categories={"printing": "Skrivere"}))
    summary = await renamed.create_ticket(draft(idempotency_key="renamed"))
    assert "category1Id" not in fake_pureservice.rows["ticket"][int(summary.id)]
    assert """RAKEL_PURESERVICE_CATEGORIES["printing"]: Pureservice has no category named 'Skrivere'""" in caplog.text


async def test_an_unmapped_priority_is_a_configuration_error(desk, kari):
    with pytest.raises(MissingEntityError) as caught:
        await desk.create_ticket(draft(priority="urgent"))
    assert caught.value.retryable is False


async def test_a_name_missing_in_the_tenant_names_the_lookup(fake_pureservice, client, kari):
    desk = PureserviceTicketDesk(client, names=DeskNames(zone="Servicedesk"))
    with pytest.raises(MissingEntityError, match="RAKEL_PURESERVICE_ZONE: Pureservice has no zone .department. named 'Servicedesk'"):
        await desk.create_ticket(draft())
    assert fake_pureservice.tickets == []


def test_filters_are_percent_encoded_and_string_literals_escaped():
    assert query_string(
        {"filter": 'email == "a@b.no"', "include": "user,user.emailaddress", "limit": 500}
    ) == ("filter=email%20%3D%3D%20%22a%40b.no%22&include=user,user.emailaddress&limit=500")
    assert string_literal('a "b" \\ c') == '"a \\"b\\" \\\\ c"'
    assert datetime_literal(datetime(2024, 1, 15, 10, 5, 6, 789000, tzinfo=timezone(timedelta(hours=1)))) == (
        "DateTimeOffset(2024,1,15,9,5,6,789,TimeSpan(0,0,0,0))"
    )


async def test_a_configurable_prefix_is_used_and_a_wrong_one_is_reported(waits):
    async with FakePureservice(prefix="/api") as fake:
        async with make_client(fake, waits, prefix="/api/") as right:
            assert (await right.page("status", limit=1)).rows
        assert fake.requests[-1].path == "/api/status/"
        async with make_client(fake, waits) as wrong:
            with pytest.raises(NotFoundError, match="RAKEL_PURESERVICE_API_PREFIX") as caught:
                await wrong.page("status")
    assert caught.value.retryable is False
    assert caught.value.status == 404


def test_the_ticket_link_uses_the_request_number():
    assert (
        ticket_url("https://ror-ikt.pureservice.com/", 24017)
        == "https://ror-ikt.pureservice.com/agent/app#/ticket/24017"
    )


# --- requester ------------------------------------------------------------------------------
async def test_the_requester_is_found_by_email_address(fake_pureservice, desk, kari):
    summary = await desk.create_ticket(draft(requester_email="Kari.Nordmann@Molde.Kommune.no"))

    (lookup,) = [
        r
        for r in api_requests(fake_pureservice, "GET", "/emailaddress/")
        if "Kari.Nordmann" in r.query.get("filter", "")
    ]
    assert lookup.query["filter"] == 'email == "Kari.Nordmann@Molde.Kommune.no"'
    assert lookup.query["include"] == "user"
    assert fake_pureservice.rows["ticket"][int(summary.id)]["userId"] == kari["id"]


async def test_an_unknown_requester_gets_the_fallback_requester_and_is_named_in_the_text(
    fake_pureservice, desk
):
    summary = await desk.create_ticket(
        draft(requester_email="ola.vikar@rauma.kommune.no", requester_name="Ola Vikar", phone="912 34 567")
    )

    ticket = fake_pureservice.rows["ticket"][int(summary.id)]
    (fallback,) = [
        a for a in fake_pureservice.rows["emailaddress"].values() if a["email"] == FALLBACK_REQUESTER_EMAIL
    ]
    assert ticket["userId"] == fallback["userId"]
    assert ticket["description"].startswith(
        "<p>Meldt inn via Rakel av Ola Vikar (ola.vikar@rauma.kommune.no), "
        "som ikke ble funnet som bruker i Pureservice.</p>"
    )
    assert ticket["description"].endswith("<p>Telefon: 912 34 567</p>")


async def test_an_unknown_requester_without_a_fallback_is_refused(fake_pureservice, client):
    desk = PureserviceTicketDesk(client)
    with pytest.raises(MissingEntityError, match="FALLBACK_REQUESTER_EMAIL") as caught:
        await desk.create_ticket(draft(requester_email="ukjent@aukra.kommune.no"))
    assert caught.value.retryable is False
    assert fake_pureservice.tickets == []


# --- nothing doubled ------------------------------------------------------------------------
async def test_the_same_idempotency_key_twice_makes_one_ticket(fake_pureservice, desk, kari):
    first = await desk.create_ticket(draft())
    second = await desk.create_ticket(draft())

    assert first == second
    assert len(fake_pureservice.tickets) == 1
    lookup, *_ = [r for r in api_requests(fake_pureservice, "GET", "/ticket/")]
    assert lookup.query["filter"] == 'customerReference == "conv-1:msg-7"'


async def test_a_double_click_at_the_same_moment_makes_one_ticket(fake_pureservice, desk, kari):
    first, second = await asyncio.gather(desk.create_ticket(draft()), desk.create_ticket(draft()))
    assert first == second
    assert len(fake_pureservice.tickets) == 1


@pytest.mark.parametrize("after_handling", [False, True], ids=["refused", "stored-then-500"])
async def test_a_500_during_create_is_retried_into_exactly_one_ticket(
    fake_pureservice, desk, kari, after_handling
):
    fake_pureservice.fail_next(500, method="POST", path="/ticket/", after_handling=after_handling)

    summary = await desk.create_ticket(draft())

    assert len(fake_pureservice.tickets) == 1
    assert summary.id == str(fake_pureservice.tickets[0]["id"])
    assert len(api_requests(fake_pureservice, "POST", "/ticket/")) == (1 if after_handling else 2)


async def test_a_create_that_timed_out_is_not_repeated_at_once_and_is_found_later(
    fake_pureservice, waits, kari
):
    """The server may still be storing a POST that timed out: retrying at once would double it."""
    fake_pureservice.slow_next(1.0, method="POST", path="/ticket/")
    async with make_client(fake_pureservice, waits, timeout_seconds=0.3) as client:
        desk = PureserviceTicketDesk(client, sleep=waits)
        with pytest.raises(UnavailableError) as caught:
            await desk.create_ticket(draft())
        assert caught.value.retryable is True
        assert len(api_requests(fake_pureservice, "POST", "/ticket/")) == 1
        await asyncio.sleep(0.8)  # meanwhile the slow server stores the ticket

        summary = await desk.create_ticket(draft())  # the outbox tries again later

    assert len(fake_pureservice.tickets) == 1
    assert summary.number == "24001"


async def test_when_pureservice_stays_down_the_error_is_retryable_and_nothing_is_created(
    fake_pureservice, desk, kari
):
    fake_pureservice.fail_next(503, 50)
    with pytest.raises(TicketDeskError) as caught:
        await desk.create_ticket(draft())
    assert caught.value.retryable is True
    assert fake_pureservice.tickets == []


async def test_attachments_are_uploaded_base64_and_not_doubled_by_a_retry(fake_pureservice, desk, kari):
    screenshot = TicketAttachment(
        name="skjermbilde.png", content_type="image/png", data=b"\x89PNG fake" * 300
    )
    log_file = TicketAttachment(
        name="feil.txt", content_type="text/plain", data=b"Feilkode 0x80070005"
    )
    fake_pureservice.fail_next(503, method="POST", path="/attachment/")  # the first upload fails once

    summary = await desk.create_ticket(draft(attachments=[screenshot, log_file]))

    ticket_id = int(summary.id)
    assert len(fake_pureservice.tickets) == 1
    stored = fake_pureservice.attachments_of(ticket_id)
    assert sorted(a["fileName"] for a in stored) == ["feil.txt", "skjermbilde.png"]
    png = next(a for a in stored if a["fileName"] == "skjermbilde.png")
    assert fake_pureservice.attachment_bytes[png["id"]] == screenshot.data
    upload = next(
        r
        for r in api_requests(fake_pureservice, "POST", "/attachment/")
        if r.json()["attachments"][0]["fileName"] == "skjermbilde.png"
    )
    assert upload.json() == {
        "attachments": [
            {
                "name": "skjermbilde",
                "fileName": "skjermbilde.png",
                "contentType": "image/png",
                "size": "2.6 KB",
                "ticketId": ticket_id,
                "bytes": base64.b64encode(screenshot.data).decode(),
                "isVisible": True,
            }
        ]
    }


# --- my tickets -----------------------------------------------------------------------------
async def test_my_tickets_are_open_and_recently_closed_ones_newest_first(fake_pureservice, desk, kari):
    other = fake_pureservice.add_user("Per", "Hansen", "per.hansen@vestnes.kommune.no")
    add = fake_pureservice.add_ticket
    old_closed = add(
        "VPN virker ikke",
        kari,
        status="Lukket",
        created=NOW - timedelta(days=90),
        modified=NOW - timedelta(days=80),
    )
    open_one = add(
        "Skriver",
        kari,
        status="Under arbeid",
        created=NOW - timedelta(days=40),
        modified=NOW - timedelta(days=35),
    )
    resolved = add(
        "Passord", kari, status="Løst", created=NOW - timedelta(days=5), modified=NOW - timedelta(days=2)
    )
    newest = add(
        "Teams", kari, status="Ny", created=NOW - timedelta(hours=1), modified=NOW - timedelta(hours=1)
    )
    add("Hans sak", other, status="Ny", created=NOW, modified=NOW)
    add("Slettet", kari, status="Ny", isMarkedForDeletion=True)

    mine = await desk.tickets_for(KARI)

    assert [t.id for t in mine] == [str(newest["id"]), str(resolved["id"]), str(open_one["id"])]
    assert [(t.status, t.is_open) for t in mine] == [("Ny", True), ("Løst", False), ("Under arbeid", True)]
    assert mine[1].number == str(resolved["requestNumber"])
    assert mine[1].updated == NOW - timedelta(days=2)
    assert str(old_closed["id"]) not in {t.id for t in mine}
    (request,) = api_requests(fake_pureservice, "GET", "/ticket/")
    assert request.query == {
        "filter": f'user.emailaddress.email == "{KARI}" AND !isMarkedForDeletion'
        " AND (status.coreStatus < 50 OR modified >= DateTimeOffset(2026,10,21,12,0,0,0,TimeSpan(0,0,0,0)))",
        "include": "user,user.emailaddress",
        "sort": "created desc",
        "start": "0",
        "limit": "20",
    }


async def test_my_tickets_never_include_another_requesters_ticket_even_if_the_server_sends_one(
    fake_pureservice, desk, kari, monkeypatch, caplog
):
    other = fake_pureservice.add_user("Per", "Hansen", "per.hansen@vestnes.kommune.no")
    mine = fake_pureservice.add_ticket("Min sak", kari)
    theirs = fake_pureservice.add_ticket("Hans sak om lønn", other)
    monkeypatch.setattr(fake_module, "compile_filter", lambda *args: lambda row: True)  # a server bug

    tickets = await desk.tickets_for(KARI)

    assert [t.id for t in tickets] == [str(mine["id"])]
    assert f"ticket {theirs['id']} of another requester" in caplog.text
    assert "per.hansen" not in caplog.text


# --- notes and health -------------------------------------------------------------------------
async def test_a_note_is_an_internal_communication(fake_pureservice, desk, kari):
    ticket = fake_pureservice.add_ticket("Sak", kari)
    await desk.add_note(str(ticket["id"]), "Brukeren la til: <skjer hver morgen>")

    (post,) = api_requests(fake_pureservice, "POST", "/communication/")
    assert post.json() == {
        "communications": [
            {
                "ticketId": ticket["id"],
                "text": "<p>Brukeren la til: &lt;skjer hver morgen&gt;</p>",
                "type": 1,
                "direction": 3,
                "visibility": 0,
            }
        ]
    }
    assert len(fake_pureservice.communications_of(ticket["id"])) == 1


async def test_check_looks_up_every_name_then_is_one_cheap_request_and_raises_when_down(fake_pureservice, desk):
    await desk.check()  # the first check looks every name up
    looked_up = {r.path for r in fake_pureservice.requests}
    assert {"/agent/api/tickettype/", "/agent/api/status/", "/agent/api/priority/", "/agent/api/source/",
            "/agent/api/department/", "/agent/api/category/", "/agent/api/requesttype/",
            "/agent/api/emailaddress/"} <= looked_up
    before = len(fake_pureservice.requests)
    await desk.check()  # then, for five minutes, one cheap request per probe
    assert [(r.path, r.query["limit"]) for r in fake_pureservice.requests[before:]] == [("/agent/api/status/", "1")]

    fake_pureservice.fail_next(503)
    with pytest.raises(TicketDeskError) as caught:
        await desk.check()
    assert caught.value.retryable is True
    assert len(fake_pureservice.requests) == before + 2  # no retries: /readyz must answer fast


async def test_readiness_and_start_up_name_each_missing_name_and_its_setting(fake_pureservice, client):
    names = DeskNames(ticket_type="Sak", priorities={**DeskNames().priorities, "high": "Haster"})
    desk = PureserviceTicketDesk(client, names=names, fallback_requester_email="borte@ror-ikt.no")
    with pytest.raises(NotReady) as caught:
        await desk.check()
    assert str(caught.value) == (
        "RAKEL_PURESERVICE_TICKET_TYPE: Pureservice has no ticket type named 'Sak'; "
        """RAKEL_PURESERVICE_PRIORITIES["high"]: Pureservice has no priority named 'Haster'; """
        "RAKEL_PURESERVICE_FALLBACK_REQUESTER_EMAIL: borte@ror-ikt.no is not a Pureservice user"
    )
    with pytest.raises(SettingsError, match="RAKEL_PURESERVICE_TICKET_TYPE: Pureservice has no ticket type named 'Sak'"):
        await desk.verify_names()
    fake_pureservice.rows["tickettype"][21]["name"] = "Sak"  # renamed in Pureservice: ready within minutes
    fake_pureservice.add("priority", id=16, name="Haster", requestTypeId=1, disabled=False)
    fake_pureservice.add_user("Borte", "Igjen", "borte@ror-ikt.no")
    assert await desk.recheck_names() == []
    await desk.check()


async def test_a_bad_key_stops_the_start_and_an_outage_does_not(fake_pureservice, client):
    fake_pureservice.fail_next(401)
    with pytest.raises(SettingsError, match="RAKEL_PURESERVICE_API_KEY"):
        await PureserviceTicketDesk(client).verify_names()
    fake_pureservice.fail_next(503, 10)
    await PureserviceTicketDesk(client).verify_names()  # tickets queue until Pureservice answers


# --- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, error_type, retryable",
    [
        (401, AuthenticationError, False),
        (403, AuthenticationError, False),
        (404, NotFoundError, False),
        (422, ValidationError, False),
        (429, RateLimitedError, True),
        (500, UnavailableError, True),
        (502, UnavailableError, True),
        (503, UnavailableError, True),
    ],
)
async def test_http_errors_become_ticket_desk_errors(fake_pureservice, client, status, error_type, retryable):
    fake_pureservice.fail_next(status, 10, retry_after=0)
    with pytest.raises(error_type) as caught:
        await client.page("status")
    assert isinstance(caught.value, TicketDeskError)
    assert (caught.value.status, caught.value.retryable) == (status, retryable)
    attempts = 4 if retryable else 1
    assert len(fake_pureservice.requests) == attempts


async def test_a_bad_key_says_which_setting_to_check(fake_pureservice, waits):
    async with PureserviceClient(fake_pureservice.url, "wrong-key", sleep=waits) as client:
        with pytest.raises(AuthenticationError, match="RAKEL_PURESERVICE_API_KEY"):
            await client.page("status")


async def test_a_validation_error_carries_the_servers_message(client):
    with pytest.raises(ValidationError) as caught:
        await client.create("ticket", {"subject": "Uten lenker"})
    assert "user, requestType, ticketType" in caught.value.server_message
    assert "user, requestType, ticketType" in str(caught.value)


async def test_a_timeout_is_retryable(fake_pureservice, waits):
    fake_pureservice.slow_next(1.0, count=2)
    async with make_client(fake_pureservice, waits, timeout_seconds=0.2, attempts=2) as client:
        with pytest.raises(UnavailableError, match="within 0.2 s") as caught:
            await client.page("status")
    assert (caught.value.retryable, caught.value.status) == (True, None)


async def test_429_waits_as_long_as_retry_after_says(fake_pureservice, client, waits):
    fake_pureservice.fail_next(429, retry_after=7)
    page = await client.page("status")
    assert page.rows
    assert waits.delays == [7.0]


async def test_5xx_is_retried_with_growing_backoff(fake_pureservice, waits):
    fake_pureservice.fail_next(503, 3)
    async with make_client(fake_pureservice, waits, backoff_seconds=1.0) as client:
        assert (await client.page("status")).rows
    assert len(waits.delays) == 3
    assert waits.delays[0] >= 1.0 and waits.delays[2] >= 4.0


async def test_a_post_is_not_blindly_retried_after_a_500(fake_pureservice, client):
    """A failed create may have been stored; the desk retries it after looking for it (see above)."""
    fake_pureservice.fail_next(500, method="POST")
    with pytest.raises(UnavailableError):
        await client.create("emailaddress", {"email": "x@y.no"})
    assert len(fake_pureservice.requests) == 1


async def test_a_post_is_retried_after_429_because_nothing_was_done(fake_pureservice, client, waits):
    fake_pureservice.fail_next(429, method="POST", retry_after=2)
    created = await client.create("emailaddress", {"email": "x@y.no"})
    assert created["email"] == "x@y.no"
    assert waits.delays == [2.0]


async def test_logs_name_the_request_but_never_the_ticket_text_or_the_requester(
    fake_pureservice, desk, kari, caplog
):
    caplog.set_level(logging.DEBUG, logger="connectors.pureservice")
    fake_pureservice.fail_next(500, method="POST", path="/ticket/", after_handling=True)
    await desk.create_ticket(draft(description="Fødselsnummeret mitt er 15058543206"))

    assert "POST /ticket/ -> 500" in caplog.text
    for record in caplog.records:
        message = record.getMessage()
        assert "Fødselsnummeret" not in message and "15058543206" not in message
        assert "kari.nordmann" not in message.lower() and "skriveren" not in message.lower()


# --- paging and pacing ---------------------------------------------------------------------------
async def test_pages_move_start_by_the_page_size_until_a_short_page(fake_pureservice, client, kari):
    for number in range(7):
        fake_pureservice.add_ticket(f"Sak {number}", kari)

    pages = [page async for page in client.pages("ticket", sort="id", page_size=3)]

    assert [len(page.rows) for page in pages] == [3, 3, 1]
    assert [(r.query["start"], r.query["limit"]) for r in fake_pureservice.requests] == [
        ("0", "3"),
        ("3", "3"),
        ("6", "3"),
    ]


async def test_a_full_last_page_costs_one_empty_page(fake_pureservice, client, kari):
    for number in range(4):
        fake_pureservice.add_ticket(f"Sak {number}", kari)
    pages = [page async for page in client.pages("ticket", page_size=2)]
    assert [len(page.rows) for page in pages] == [2, 2, 0]


async def test_the_page_size_may_not_exceed_the_apis_limit(client):
    with pytest.raises(ValueError, match="1..500"):
        await client.page("ticket", limit=501)


def test_the_rate_limiter_spaces_requests(waits):
    """The limiter waits on the event loop's clock, so on a virtual-time loop its minute-long gaps pass at once,
    and the fake stamps each request with that clock: a gap is the limiter's, and a busy machine's
    milliseconds are far inside the margin."""

    async def scenario() -> list[float]:
        async with FakePureservice() as fake:
            async with make_client(fake, waits, requests_per_minute=1, burst=1, timeout_seconds=600) as client:
                await asyncio.gather(*(client.page("status", limit=1) for _ in range(5)))
            return fake.arrivals

    gaps = [b - a for a, b in itertools.pairwise(run_virtual(scenario()))]
    assert len(gaps) == 4 and waits.delays == []  # five requests, none retried
    assert all(55 <= gap < 65 for gap in gaps), gaps  # one request a minute


# --- resolved tickets for the knowledge index ---------------------------------------------------
async def test_resolved_tickets_bring_problem_solution_category_and_the_people_on_them(
    fake_pureservice, desk, kari
):
    agnes = next(u for u in fake_pureservice.rows["user"].values() if u["firstName"] == "Agnes")
    ticket = fake_pureservice.add_ticket(
        "Låst ute av Visma",
        kari,
        status="Løst",
        description="<p>Hei,</p><p>Jeg er låst ute.<br>Hilsen Kari</p>",
        solution="<ol><li>Åpne <b>IDweb</b></li><li>Lås opp kontoen</li></ol>",
        assignedAgentId=agnes["id"],
        category1Id=fake_pureservice.id_of("category", "Passord og låst konto"),
    )
    fake_pureservice.add(
        "communication", ticketId=ticket["id"], text="<p>Ringte brukeren</p>", type=1, senderId=agnes["id"]
    )

    (resolved,) = [t async for t in desk.resolved_tickets()]

    assert resolved.id == str(ticket["id"])
    assert resolved.number == str(ticket["requestNumber"])
    assert resolved.subject == "Låst ute av Visma"
    assert resolved.problem == "Hei,\n\nJeg er låst ute.\nHilsen Kari"
    assert resolved.solution == "- Åpne IDweb\n- Lås opp kontoen"
    assert resolved.category == "Passord og låst konto"
    assert resolved.people == ("Kari Nordmann", "Agnes Agent")
    assert resolved.url == f"{fake_pureservice.url}/agent/app#/ticket/{ticket['requestNumber']}"
    (request,) = api_requests(fake_pureservice, "GET", "/ticket/")
    assert request.query["filter"] == "status.coreStatus >= 50 AND !isMarkedForDeletion"
    assert request.query["include"] == "communications,user,user.emailaddress,assignedAgent,category1"
    assert request.query["sort"] == "modified asc"


async def test_a_solution_kept_only_as_a_communication_is_used(fake_pureservice, desk, kari):
    ticket = fake_pureservice.add_ticket("Skriver", kari, status="Lukket", description="Skriver offline")
    fake_pureservice.add(
        "communication",
        ticketId=ticket["id"],
        text="<p>Byttet toner</p>",
        type=4,
        created="2026-01-02T10:00:00Z",
    )
    fake_pureservice.add(
        "communication",
        ticketId=ticket["id"],
        text="<p>Startet skriverkøen på nytt</p>",
        type=50,
        created="2026-01-03T10:00:00Z",
    )

    (resolved,) = [t async for t in desk.resolved_tickets()]

    assert resolved.solution == "Startet skriverkøen på nytt"


async def test_only_finished_tickets_are_read_even_if_the_server_sends_open_ones(
    fake_pureservice, desk, kari, monkeypatch
):
    finished = fake_pureservice.add_ticket("Ferdig", kari, status="Lukket", solution="Ok")
    fake_pureservice.add_ticket("Åpen", kari, status="Under arbeid")
    monkeypatch.setattr(fake_module, "compile_filter", lambda *args: lambda row: True)  # a server bug

    assert [t.id async for t in desk.resolved_tickets()] == [str(finished["id"])]


async def test_resolved_tickets_page_through_everything_and_can_start_from_a_moment(
    fake_pureservice, client, kari
):
    desk = PureserviceTicketDesk(client, resolved_page_size=2)
    for number in range(5):
        fake_pureservice.add_ticket(
            f"Sak {number}", kari, status="Løst", solution="Løst", modified=NOW - timedelta(days=number)
        )

    assert len([t async for t in desk.resolved_tickets()]) == 5
    recent = [t.subject async for t in desk.resolved_tickets(modified_since=NOW - timedelta(days=2, hours=1))]

    assert recent == ["Sak 2", "Sak 1", "Sak 0"]  # oldest change first
    last = api_requests(fake_pureservice, "GET", "/ticket/")[-1]
    assert last.query["filter"].endswith(
        "AND modified > DateTimeOffset(2026,11,18,11,0,0,0,TimeSpan(0,0,0,0))"
    )
