"""What the ticket skill sends to Pureservice, request by request (the fake checks the real API shapes)."""

from __future__ import annotations

import base64

from tests.fakes.pureservice import FALLBACK_REQUESTER_EMAIL
from tests.harness import KARI, OLA
from tests.skills.tickets.conftest import PNG, button, draft_for, press, result_card


def api(fake, method: str, path: str):
    return [r for r in fake.requests if r.method == method and r.path == "/agent/api" + path]


async def test_the_ticket_is_posted_with_the_requester_found_by_email_and_the_cards_key(ps_bot, fake_pureservice):
    card = await draft_for(ps_bot, KARI, "lag en sak: Skriveren på 2. etasje skriver ikke ut")
    request_id = button(card, "tickets.send")["data"]["request"]
    fake_pureservice.requests.clear()

    created = result_card(await press(ps_bot, KARI, card, "tickets.send", phone="912 34 567"))

    kari = next(u for u in fake_pureservice.rows["user"].values() if u["firstName"] == "Kari")
    (post,) = api(fake_pureservice, "POST", "/ticket/")
    assert post.json() == {
        "tickets": [
            {
                "subject": "Skriveren på 2. etasje skriver ikke ut",
                "description": "<p>Skriveren på 2. etasje skriver ikke ut</p><p>Telefon: 912 34 567</p>",
                "visibility": 0,
                "customerReference": f"rakel:{request_id}",
                "links": {
                    "user": {"id": kari["id"]},
                    "requestType": {"id": fake_pureservice.id_of("requesttype", "Ticket")},
                    "ticketType": {"id": fake_pureservice.id_of("tickettype", "Henvendelse")},
                    "priority": {"id": fake_pureservice.id_of("priority", "Normal")},
                    "status": {"id": 3},
                    "source": {"id": fake_pureservice.id_of("source", "Chat")},
                    "assignedDepartment": {"id": fake_pureservice.id_of("department", "Kundeservice")},
                    "category1": {"id": fake_pureservice.id_of("category", "Utskrift")},
                },
            }
        ]
    }
    lookups = [r.query["filter"] for r in api(fake_pureservice, "GET", "/ticket/")]
    assert lookups[0] == f'customerReference == "rakel:{request_id}"'  # looked for before it was created
    assert [r.query["filter"] for r in api(fake_pureservice, "GET", "/emailaddress/")][0] == (
        f'email == "{KARI.member.email}"'
    )
    [ticket] = fake_pureservice.tickets
    number = str(ticket["requestNumber"])
    assert number in str(created)
    assert {"type": "Action.OpenUrl", "title": "Åpne saken",
            "url": f"{fake_pureservice.url}/agent/app#/ticket/{number}"} in created["actions"]


async def test_a_double_click_posts_one_ticket(ps_bot, fake_pureservice):
    card = await draft_for(ps_bot, KARI, "lag en sak: Passordet mitt er utløpt")
    first = await press(ps_bot, KARI, card, "tickets.send")
    second = await press(ps_bot, KARI, card, "tickets.send")
    assert len(api(fake_pureservice, "POST", "/ticket/")) == 1
    [ticket] = fake_pureservice.tickets
    for result in (first, second):
        assert str(ticket["requestNumber"]) in str(result_card(result))


async def test_a_user_unknown_to_pureservice_gets_the_fallback_requester_with_name_and_email_in_the_text(
    ps_bot, fake_pureservice
):
    card = await draft_for(ps_bot, OLA, "lag en sak: Jeg får ikke logget inn på PC-en")
    result_card(await press(ps_bot, OLA, card, "tickets.send"))

    [ticket] = fake_pureservice.tickets
    fallback = next(a for a in fake_pureservice.rows["emailaddress"].values() if a["email"] == FALLBACK_REQUESTER_EMAIL)
    assert ticket["userId"] == fallback["userId"]
    assert ticket["description"].startswith(
        "<p>Meldt inn via Rakel av Ola Hansen (ola.hansen@rauma.kommune.no), "
        "som ikke ble funnet som bruker i Pureservice.</p>"
    )


async def test_screenshots_are_uploaded_as_attachments_of_the_ticket(ps_bot, fake_pureservice, file_server):
    url = file_server.add("skjerm.png", PNG)
    [_ask] = await ps_bot.channel.say(KARI, "lag en sak")
    card = await draft_for(ps_bot, KARI, "Feilmeldingen kommer når jeg åpner Visma",
                           attachments=[{"contentType": "image/png", "contentUrl": url, "name": "skjerm.png"}])
    result_card(await press(ps_bot, KARI, card, "tickets.send"))

    [ticket] = fake_pureservice.tickets
    [attachment] = fake_pureservice.attachments_of(ticket["id"])
    assert (attachment["fileName"], attachment["contentType"]) == ("skjerm.png", "image/png")
    assert fake_pureservice.attachment_bytes[attachment["id"]] == PNG
    (post,) = api(fake_pureservice, "POST", "/attachment/")
    assert base64.b64decode(post.json()["attachments"][0]["bytes"]) == PNG


async def test_the_priority_suggestion_reaches_pureservice(ps_bot, fake_pureservice):
    card = await draft_for(ps_bot, KARI, "lag en sak: Helseplattformen er nede for alle på avdelingen")
    result_card(await press(ps_bot, KARI, card, "tickets.send"))
    [ticket] = fake_pureservice.tickets
    assert ticket["priorityId"] == fake_pureservice.id_of("priority", "Kritisk")
