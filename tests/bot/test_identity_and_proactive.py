"""Who is talking (resolved once, cached), conversation references, uninstall and send_to_user."""

from __future__ import annotations

import pytest

from core.messages import Reply
from core.ports import DeliveryError, UserNotReachable
from core.settings import DEFAULT_MUNICIPALITY_DOMAINS, municipality_for
from tests.harness import KARI, OLA, SIRI, text_of


@pytest.mark.parametrize(
    ("email", "municipality"),
    [
        ("kari.nordmann@molde.kommune.no", "molde"),
        ("Ola@Rauma.Kommune.no", "rauma"),
        ("per@skole.hustadvika.kommune.no", "hustadvika"),
        ("siri@ror-ikt.no", "ror-ikt"),
        ("someone@gmail.com", None),
        ("", None),
    ],
)
def test_municipality_comes_from_the_email_domain(email, municipality):
    assert municipality_for(email, DEFAULT_MUNICIPALITY_DOMAINS) == municipality


async def test_the_user_is_resolved_through_teams_member_info_and_cached(harness):
    await harness.channel.say(KARI, "hei")
    user = await harness.runtime.store.users.get(KARI.member.aad_object_id)
    assert (user.name, user.email, user.municipality, user.is_staff) == (
        "Kari Nordmann", "kari.nordmann@molde.kommune.no", "molde", False)
    harness.connector.members.pop(KARI.member.id)  # a second turn must not ask Teams again
    await harness.channel.say(KARI, "hei")
    assert (await harness.runtime.store.users.get(KARI.member.aad_object_id)).email == KARI.member.email


async def test_ror_ikt_staff_are_recognised(harness):
    await harness.channel.say(SIRI, "hei")
    assert (await harness.runtime.store.users.get(SIRI.member.aad_object_id)).is_staff


async def test_a_failed_member_lookup_still_answers_and_is_retried_next_turn(harness):
    harness.connector.members.pop(OLA.member.id)
    [reply] = await harness.channel.say(OLA, "hei")
    assert "Dette kan jeg hjelpe deg med" in text_of(reply)
    assert await harness.runtime.store.users.get(OLA.member.aad_object_id) is None  # not cached
    harness.channel.join(OLA)
    await harness.channel.say(OLA, "hei")
    assert (await harness.runtime.store.users.get(OLA.member.aad_object_id)).municipality == "rauma"


async def test_a_conversation_reference_is_kept_on_install_and_send_to_user_reaches_the_user(harness):
    await harness.channel.install(KARI)
    stored = await harness.runtime.store.references.get(KARI.member.aad_object_id)
    assert stored.conversation_id == KARI.conversation_id and stored.installed
    await harness.runtime.adapters.messenger.send_to_user(KARI.member.aad_object_id, Reply(text="Din PC er seks år."))
    replies = await harness.connector.wait_for(KARI.conversation_id, 2)
    assert replies[-1]["text"] == "Din PC er seks år."


async def test_every_message_refreshes_the_reference(harness):
    await harness.channel.say(OLA, "hei")
    assert (await harness.runtime.store.references.get(OLA.member.aad_object_id)).installed


async def test_after_uninstall_the_user_is_not_reachable(harness):
    await harness.channel.install(KARI)
    assert (await harness.channel.uninstall(KARI)).status == 200
    with pytest.raises(UserNotReachable):
        await harness.runtime.adapters.messenger.send_to_user(KARI.member.aad_object_id, Reply(text="x"))


async def test_send_to_an_unknown_user_says_not_reachable(harness):
    with pytest.raises(UserNotReachable):
        await harness.runtime.adapters.messenger.send_to_user("no-such-user", Reply(text="x"))


async def test_channel_messages_do_not_replace_the_users_personal_reference(harness):
    await harness.channel.install(KARI)
    activity = harness.channel.activity(KARI, "message", text="hei")
    activity["conversation"] = {"id": "19:kundeservice@thread.tacv2", "conversationType": "channel"}
    assert (await harness.channel.post(activity)).status == 200
    assert (await harness.runtime.store.references.get(KARI.member.aad_object_id)).conversation_id == KARI.conversation_id


async def test_rakel_can_start_a_channel_thread_reply_in_it_and_update_its_card(harness):
    messenger = harness.runtime.adapters.messenger
    posted = await messenger.start_thread("19:kundeservice@thread.tacv2", Reply(text="Ny henvendelse"))
    assert posted.conversation_id == f"19:kundeservice@thread.tacv2;messageid={posted.activity_id}"
    assert harness.connector.channel_threads("19:kundeservice@thread.tacv2") == [posted.conversation_id]
    await messenger.send_to_conversation(posted.conversation_id, Reply(text="Brukeren skriver: hei"))
    await messenger.update_message(posted.conversation_id, posted.activity_id, Reply(text="Tatt av Per"))
    thread = harness.connector.replies(posted.conversation_id)
    assert [activity["text"] for activity in thread] == ["Tatt av Per", "Brukeren skriver: hei"]


async def test_a_refused_proactive_message_raises_a_delivery_error_with_retry_after(harness):
    await harness.channel.install(KARI)
    harness.connector.fail_next(429, count=10, retry_after=0)
    with pytest.raises(DeliveryError) as refused:
        await harness.runtime.adapters.messenger.send_to_user(KARI.member.aad_object_id, Reply(text="x"))
    assert refused.value.status == 429
