"""The handoff's state in the store, on SQLite and PostgreSQL: one active request per conversation,
exactly one claim among many, sequence numbers in order, redeliveries stored once, the delivery lease,
and users kept held while their handoff is active."""

from __future__ import annotations

import asyncio
import time

import pytest

from store.dialogs import Dialog
from store.handoffs import Handoff, HandoffState, RelayMessage, Sender
from store.store import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'rakel.db'}" if request.param == "sqlite" else request.getfixturevalue("fresh_postgres_url")
    opened = await open_store(url)
    yield opened
    await opened.close()


def request_from(conversation: str, handoff_id: str, requested_at: float = 1000.0) -> Handoff:
    return Handoff(
        id=handoff_id, state=HandoffState.WAITING, user_id=f"aad-{conversation}", user_conversation_id=conversation,
        user_name="Kari", user_email="kari@molde.kommune.no", municipality="Molde", language="nb", summary="",
        category="advice", context={"recent": [], "suggested": ""}, requested_at=requested_at,
    )


def message(handoff_id: str, text: str, sender: Sender = Sender.USER) -> RelayMessage:
    return RelayMessage(handoff_id=handoff_id, seq=0, sender=sender, sender_name="Kari", text=text, masked=text,
                        created_at=1000.0, received_at=time.time())


async def test_one_active_request_per_conversation(store):
    handoffs = store.handoffs
    assert await handoffs.open(request_from("a:1", "h1"))
    assert not await handoffs.open(request_from("a:1", "h2"))
    assert await handoffs.leave_queue("h1", HandoffState.CANCELLED, 1001.0)
    assert await handoffs.open(request_from("a:1", "h3"))  # a new one after the first ended
    assert (await handoffs.active_for_conversation("a:1")).id == "h3"


async def test_of_many_simultaneous_claims_exactly_one_wins(store):
    await store.handoffs.open(request_from("a:1", "h1"))
    results = await asyncio.gather(*(store.handoffs.claim("h1", f"agent-{n}", f"Agent {n}", "", 1001.0) for n in range(8)))
    assert sum(results) == 1
    winner = results.index(True)
    assert (await store.handoffs.get("h1")).agent_name == f"Agent {winner}"


async def test_the_queue_position_follows_the_request_time(store):
    await store.handoffs.open(request_from("a:2", "h-late", requested_at=1005.0))
    await store.handoffs.open(request_from("a:1", "h-early", requested_at=1000.0))
    assert await store.handoffs.queue_position(await store.handoffs.get("h-early")) == 1
    assert await store.handoffs.queue_position(await store.handoffs.get("h-late")) == 2


async def test_messages_are_numbered_in_order_and_a_redelivery_is_stored_once(store):
    await store.handoffs.open(request_from("a:1", "h1"))
    assert await store.handoffs.append(message("h1", "én"), "activity-1")
    assert await store.handoffs.append(message("h1", "to", Sender.AGENT), "activity-2")
    assert not await store.handoffs.append(message("h1", "én"), "activity-1")
    assert await store.handoffs.append(message("h1", "tre"), "activity-3")
    transcript = await store.handoffs.transcript("h1")
    assert [(m.text, m.sender) for m in transcript] == [("én", Sender.USER), ("to", Sender.AGENT), ("tre", Sender.USER)]
    assert [m.seq for m in transcript] == sorted(m.seq for m in transcript)
    assert [m.text for m in await store.handoffs.undelivered("h1", Sender.USER)] == ["én", "tre"]


async def test_a_delivered_message_keeps_only_its_masked_text(store):
    await store.handoffs.open(request_from("a:1", "h1"))
    await store.handoffs.append(RelayMessage(handoff_id="h1", seq=0, sender=Sender.USER, sender_name="Kari",
                                             text="ring 91234567", masked="ring [telefon]"), "activity-1")
    [pending] = await store.handoffs.undelivered("h1", Sender.USER)
    await store.handoffs.delivered(pending)
    [kept] = await store.handoffs.transcript("h1")
    assert (kept.text, kept.masked) == ("", "ring [telefon]") and kept.delivered_at is not None


async def test_the_lease_is_let_go_only_when_nothing_waits(store):
    await store.handoffs.open(request_from("a:1", "h1"))
    assert await store.handoffs.take_lease("h1", Sender.USER)
    assert not await store.handoffs.take_lease("h1", Sender.USER)  # one deliverer at a time
    assert await store.handoffs.take_lease("h1", Sender.AGENT)  # each direction has its own
    await store.handoffs.append(message("h1", "kom mens vi leverte"), "activity-1")
    assert not await store.handoffs.release_lease_when_done("h1", Sender.USER)  # we must deliver it first
    [pending] = await store.handoffs.undelivered("h1", Sender.USER)
    await store.handoffs.delivered(pending)
    assert await store.handoffs.release_lease_when_done("h1", Sender.USER)
    assert await store.handoffs.take_lease("h1", Sender.USER)


async def test_users_in_an_active_handoff_are_kept_held(store):
    for conversation, handoff_id in (("a:1", "h1"), ("a:2", "h2")):
        await store.handoffs.open(request_from(conversation, handoff_id))
        await store.dialogs.save(conversation, Dialog("handoff", "chat", {"handoff_id": handoff_id}))
    await store.handoffs.leave_queue("h2", HandoffState.CANCELLED, 1001.0)
    await store.db.execute("UPDATE dialogs SET updated_at = ?", time.time() - 3600)  # idle for an hour
    assert await store.handoffs.keep_users_held() == 1
    assert (await store.dialogs.active("a:1")).skill == "handoff"
    assert await store.dialogs.active("a:2") is None  # an ended handoff lets its user go
