"""Talking to Rakel through the real HTTP endpoint: welcome, help, routing, "avbryt", bad input."""

from __future__ import annotations

import pytest

from core.cards import validate_card
from tests.harness import KARI, OLA, cards_of, text_of


async def test_installing_rakel_shows_the_welcome_card(harness):
    [welcome] = await harness.channel.install(KARI)
    [card] = cards_of(welcome)
    validate_card(card)
    assert "Hei, jeg er Rakel" in text_of(welcome)
    buttons = [action["data"]["msteams"]["value"] for action in card["actions"]]
    assert buttons == ["Hvordan bytter jeg passord?", "Lag en sak", "Mine saker", "Snakk med et menneske"]


@pytest.mark.parametrize("text", ["hei", "Hjelp", "hva kan du?", "heisann"])
async def test_greeting_and_help_answer_with_the_welcome_card(harness, text):
    [reply] = await harness.channel.say(KARI, text)
    assert "Dette kan jeg hjelpe deg med" in text_of(reply)


async def test_help_answers_in_nynorsk_and_english(harness):
    [nynorsk] = await harness.channel.say(KARI, "kva kan du hjelpe meg med")
    assert "Eg er IT-assistenten" in text_of(nynorsk)
    [english] = await harness.channel.say(OLA, "what can you do")
    assert "I'm the IT assistant" in text_of(english)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("kan eg få snakke med eit menneske", "handoff"),
        ("agent please", "handoff"),
        ("lag en sak", "create_ticket"),
        ("kan du sende dette til Kundeservice", "create_ticket"),
        ("mine saker", "my_tickets"),
        ("jeg trenger ny pc", "pc_order"),
        ("skrivern virker ikke", "knowledge"),
        ("hva blir været i morgen", "out_of_scope"),
    ],
)
async def test_messages_reach_the_skill_for_their_intent(harness, text, intent):
    await harness.channel.say(KARI, text)
    counted = harness.runtime.metrics.turns.labels(intent)._value.get()
    assert counted == 1


async def test_out_of_scope_says_what_rakel_is_for(harness):
    [reply] = await harness.channel.say(KARI, "fortell en vits")
    assert "IT-assistenten til ROR-IKT" in text_of(reply)


async def test_thanks_gets_a_short_reply_not_the_menu(harness):
    [reply] = await harness.channel.say(KARI, "tusen takk!")
    assert "Bare hyggelig" in text_of(reply)


async def test_a_skill_holds_the_conversation_until_it_is_done(harness):
    [ask] = await harness.channel.say(KARI, "jeg vil gi tilbakemelding")
    assert "Skriv den her" in text_of(ask)
    # "hei" would normally be a greeting; the feedback skill holds the conversation and takes it.
    [thanks] = await harness.channel.say(KARI, "hei, Rakel er kjempefin men ring meg på 91234567")
    assert "Takk for tilbakemeldingen" in text_of(thanks)
    [stored] = await harness.runtime.store.feedback.recent()
    assert stored.comment == "hei, Rakel er kjempefin men ring meg på [telefon]"
    [menu] = await harness.channel.say(KARI, "hei")
    assert "Dette kan jeg hjelpe deg med" in text_of(menu)


async def test_a_message_that_is_the_feedback_is_stored_at_once(harness):
    """ "svarene dine er for lange" already says it: Rakel thanks and keeps it, she does not ask for it again."""
    [thanks] = await harness.channel.say(KARI, "svarene dine er altfor lange og tunge å lese")
    assert "Takk for tilbakemeldingen" in text_of(thanks)
    [stored] = await harness.runtime.store.feedback.recent()
    assert stored.comment == "svarene dine er altfor lange og tunge å lese"
    assert await harness.runtime.store.dialogs.active(KARI.conversation_id) is None


async def test_avbryt_leaves_a_held_conversation(harness):
    await harness.channel.say(KARI, "tilbakemelding")
    [cancelled] = await harness.channel.say(KARI, "Avbryt")
    assert "avbrutt" in text_of(cancelled)
    assert await harness.runtime.store.dialogs.active(KARI.conversation_id) is None
    [nothing] = await harness.channel.say(KARI, "avbryt")
    assert "ingenting å avbryte" in text_of(nothing)


async def test_an_empty_message_gets_a_friendly_answer(harness):
    [reply] = await harness.channel.say(KARI, "   ")
    assert "tom melding" in text_of(reply)


async def test_an_attachment_without_text_is_acknowledged(harness):
    attachment = {"contentType": "image/png", "contentUrl": "https://example.invalid/skjerm.png", "name": "skjerm.png"}
    [reply] = await harness.channel.say(KARI, "", attachments=[attachment])
    assert "vedlegg" in text_of(reply)


async def test_a_huge_message_is_cut_with_a_notice_and_still_answered(harness):
    replies = await harness.channel.say(KARI, "hei " + "x" * 50_000, expect=2)
    assert "veldig lang" in text_of(replies[0])


async def test_an_unknown_card_action_gets_a_friendly_invoke_response(harness):
    result = await harness.channel.click(KARI, "no.such.verb", {"x": 1})
    assert result.status == 200
    assert result.body["statusCode"] == 200
    assert "ikke i bruk lenger" in result.body["value"]


async def test_an_im_back_button_sent_without_text_is_read_as_its_text(harness):
    # Teams sends an imBack button's text as the message; some clients send only the button's data.
    [reply] = await harness.channel.say(KARI, "", value={"msteams": {"type": "imBack", "value": "hjelp"}})
    assert "Dette kan jeg hjelpe deg med" in text_of(reply)
