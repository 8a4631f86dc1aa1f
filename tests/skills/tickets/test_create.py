"""Creating a ticket from the conversation, on the local desk: from "lag en sak" to the number."""

from __future__ import annotations

import asyncio

from tests.harness import KARI, OLA, text_of
from tests.skills.tickets.conftest import (
    button,
    draft_for,
    inputs,
    press,
    result_card,
    result_message,
    the_card,
    verbs,
)


async def local_tickets(bot):
    return await bot.runtime.adapters.desk.local.all()


async def test_lag_en_sak_asks_what_it_is_about_then_drafts_and_sends_it(bot):
    [question] = await bot.channel.say(KARI, "lag en sak")
    assert "Hva gjelder saken?" in text_of(question)

    [draft] = await bot.channel.say(KARI, "Skriveren på 2. etasje skriver ikke ut. Den blinker oransje.")
    card = the_card(draft)
    assert "Her er et utkast til saken" in draft["text"]
    fields = inputs(card)
    assert fields == {
        "subject": "Skriveren på 2. etasje skriver ikke ut",
        "description": "Skriveren på 2. etasje skriver ikke ut. Den blinker oransje.",
        "category": "printing",
        "phone": "",
    }
    assert verbs(card) == ["tickets.send", "tickets.cancel"]
    assert "Foreslått prioritet Normal" in text_of(draft)

    created = result_card(await press(bot, KARI, card, "tickets.send"))

    [ticket] = await local_tickets(bot)
    assert (ticket.number, ticket.subject, ticket.category, ticket.priority) == (
        "1001", "Skriveren på 2. etasje skriver ikke ut", "printing", "normal",
    )
    assert (ticket.requester_email, ticket.requester_name) == ("kari.nordmann@molde.kommune.no", "Kari Nordmann")
    assert "Saksnummeret er **1001**" in text_of({"attachments": [{"content": created}]})
    assert button(created, "tickets.send") is None  # it cannot be sent twice


async def test_the_problem_in_the_request_itself_is_used_without_asking(bot):
    card = await draft_for(bot, KARI, "meld feil om skriveren")
    assert inputs(card)["subject"] == "Feil med skriveren"
    assert inputs(card)["category"] == "printing"


async def test_send_this_to_kundeservice_takes_the_problem_and_rakels_answer_from_the_conversation(bot):
    await bot.channel.say(KARI, "Jeg får ikke logget inn i Visma, den sier feil passord")
    card = await draft_for(bot, KARI, "kan du sende dette til Kundeservice")

    fields = inputs(card)
    assert fields["subject"] == "Jeg får ikke logget inn i Visma, den sier feil passord"
    assert fields["description"].startswith("Jeg får ikke logget inn i Visma, den sier feil passord")
    assert "Rakel har allerede foreslått:" in fields["description"]  # what the knowledge skill answered
    assert fields["category"] == "password"
    assert "Foreslått prioritet Høy" in text_of({"attachments": [{"content": card}]})  # blocked from work


async def test_the_users_edits_on_the_card_go_into_the_ticket(bot):
    card = await draft_for(bot, KARI, "lag en sak: skjermen flimrer")
    result_card(await press(
        bot, KARI, card, "tickets.send",
        subject="Skjermen på kontoret flimrer", description="Skjermen flimrer etter lunsj hver dag.",
        category="pc", phone="+47 912 34 567",
    ))
    [ticket] = await local_tickets(bot)
    assert (ticket.subject, ticket.description, ticket.category, ticket.phone) == (
        "Skjermen på kontoret flimrer", "Skjermen flimrer etter lunsj hver dag.", "pc", "+47 912 34 567",
    )


async def test_a_subject_without_words_or_a_bad_phone_keeps_the_draft_open_with_the_edits(bot):
    card = await draft_for(bot, KARI, "lag en sak: Outlook krasjer")

    again = result_card(await press(bot, KARI, card, "tickets.send", subject="🙈", description="Hver morgen"))
    assert "Skriv et emne med ord" in str(again)
    assert inputs(again)["description"] == "Hver morgen"
    again = result_card(await press(bot, KARI, again, "tickets.send", subject="Outlook krasjer", phone="ring meg"))
    assert "Telefonnummeret ser ikke riktig ut" in str(again)
    assert await local_tickets(bot) == []

    result_card(await press(bot, KARI, again, "tickets.send", phone="91234567"))
    [ticket] = await local_tickets(bot)
    assert (ticket.subject, ticket.description, ticket.phone) == ("Outlook krasjer", "Hver morgen", "91234567")


async def test_a_double_click_or_a_teams_retry_creates_one_ticket(bot):
    card = await draft_for(bot, KARI, "lag en sak: VPN kobler ned hvert tiende minutt")

    first, second = await asyncio.gather(
        press(bot, KARI, card, "tickets.send"), press(bot, KARI, card, "tickets.send")
    )
    third = await press(bot, KARI, card, "tickets.send")  # much later, on the stale card

    [ticket] = await local_tickets(bot)
    for result in (first, second, third):
        answered = result_card(result)
        assert ticket.number in str(answered)
        assert button(answered, "tickets.send") is None


async def test_a_stale_card_shows_the_current_state_and_changes_nothing(bot):
    card = await draft_for(bot, KARI, "lag en sak: Teams-møtene mine mangler lyd")
    result_card(await press(bot, KARI, card, "tickets.send"))

    after_cancel = result_card(await press(bot, KARI, card, "tickets.cancel"))
    after_edit = result_card(await press(bot, KARI, card, "tickets.send", subject="Noe helt annet"))

    [ticket] = await local_tickets(bot)
    assert ticket.subject == "Teams-møtene mine mangler lyd" and ticket.status == "Ny"
    for answered in (after_cancel, after_edit):
        assert "Saken er sendt til Kundeservice" in str(answered) and ticket.number in str(answered)


async def test_cancel_sends_nothing_and_a_later_send_on_that_card_stays_cancelled(bot):
    card = await draft_for(bot, KARI, "lag en sak: mus virker ikke")
    cancelled = result_card(await press(bot, KARI, card, "tickets.cancel"))
    assert "saken ble ikke sendt" in str(cancelled)
    assert verbs(cancelled) == []

    stale = result_card(await press(bot, KARI, card, "tickets.send"))
    assert "saken ble ikke sendt" in str(stale)
    assert await local_tickets(bot) == []


async def test_avbryt_while_rakel_asks_what_it_is_about_ends_the_dialog(bot):
    await bot.channel.say(KARI, "lag en sak")
    [reply] = await bot.channel.say(KARI, "avbryt")
    assert "avbrutt" in text_of(reply)
    assert await bot.runtime.store.dialogs.active(KARI.conversation_id) is None


async def test_another_user_cannot_send_or_see_someone_elses_draft(bot):
    card = await draft_for(bot, KARI, "lag en sak: tastaturet mangler taster")
    message = result_message(await press(bot, OLA, card, "tickets.send"))
    assert "finner ikke dette utkastet" in message
    assert await local_tickets(bot) == []


async def test_the_opprett_sak_button_under_an_answer_drafts_from_the_question_and_the_answer(bot):
    result = await bot.channel.click(KARI, "tickets.start", {
        "question": "Hvordan kobler jeg til trådløst nett på hjemmekontoret?",
        "answer": "Velg nettverket «Kommune-gjest» og logg inn med Feide [1].",
    }, reply_to_id="bot-7")
    card = result_card(result)
    fields = inputs(card)
    assert fields["subject"] == "Hvordan kobler jeg til trådløst nett på hjemmekontoret?"
    assert "Velg nettverket «Kommune-gjest» og logg inn med Feide." in fields["description"]
    assert fields["category"] == "remote_access"

    again = result_card(await bot.channel.click(KARI, "tickets.start", {
        "question": "Hvordan kobler jeg til trådløst nett på hjemmekontoret?", "answer": "",
    }, reply_to_id="bot-7"))
    assert button(again, "tickets.send")["data"] == button(card, "tickets.send")["data"]  # the same draft


async def test_the_opprett_sak_button_with_nothing_to_go_on_asks_first(bot):
    result = await bot.channel.click(KARI, "tickets.start", {})
    assert result.status == 200
    [question] = bot.connector.replies(KARI.conversation_id)[-1:]
    assert "Hva gjelder saken?" in text_of(question)
    [draft] = await bot.channel.say(KARI, "Kalenderen min er tom")
    assert inputs(the_card(draft))["category"] == "email"


async def test_a_fodselsnummer_is_masked_and_the_user_told_why(bot):
    card = await draft_for(bot, KARI, "lag en sak: Pasientjournalen for 01019012345 åpner seg ikke")
    assert "[fødselsnummer]" in inputs(card)["subject"] and "01019012345" not in str(card)
    assert "Jeg fjernet et fødselsnummer fra teksten – det skal ikke stå i saker." in text_of({"attachments": [{"content": card}]})

    created = result_card(await press(
        bot, KARI, card, "tickets.send", description="Gjelder fnr 010190 12345, haster",
    ))
    [ticket] = await local_tickets(bot)
    assert "12345" not in ticket.description and "[fødselsnummer]" in ticket.description
    assert "Jeg fjernet et fødselsnummer" in str(created)


async def test_a_huge_text_is_cut_to_10000_characters_with_a_notice(bot):
    huge = "Feilmelding: " + "Excel henger når jeg åpner regnearket. " * 400  # ~16 000 characters
    card = await draft_for(bot, KARI, "lag en sak: Excel henger")
    created = result_card(await press(bot, KARI, card, "tickets.send", description=huge))

    [ticket] = await local_tickets(bot)
    assert len(ticket.description) <= 10_000
    assert ticket.description.endswith("[Forkortet av Rakel: teksten var over 10 000 tegn.]")
    assert "Teksten var over 10 000 tegn, så jeg har kortet den ned." in str(created)


async def test_emoji_only_is_not_a_description_and_rakel_asks_for_words(bot):
    [question] = await bot.channel.say(KARI, "lag en sak 😡😡😡")
    assert "Hva gjelder saken?" in text_of(question)
    [again] = await bot.channel.say(KARI, "😡😡😡")
    assert "Beskriv med ord" in text_of(again)
    [draft] = await bot.channel.say(KARI, "PC-en min starter ikke 😡")
    fields = inputs(the_card(draft))
    assert (fields["subject"], fields["category"]) == ("PC-en min starter ikke 😡", "pc")


async def test_english_and_other_languages_get_a_sensible_draft(bot):
    [draft] = await bot.channel.say(KARI, "create a ticket: my laptop will not start")
    card = the_card(draft)
    assert "Here is a draft of the ticket" in draft["text"]
    assert (inputs(card)["subject"], inputs(card)["category"]) == ("My laptop will not start", "pc")
    assert [action["title"] for action in card["actions"]] == ["Send", "Cancel"]

    card = await draft_for(bot, OLA, "lag en sak: Мій принтер не працює")
    assert inputs(card)["subject"] == "Мій принтер не працює"
    assert inputs(card)["category"] == "unknown"  # Kundeservice picks
    result_card(await press(bot, OLA, card, "tickets.send"))
    [ticket] = await local_tickets(bot)
    assert (ticket.subject, ticket.category) == ("Мій принтер не працює", "")


async def test_a_nynorsk_user_gets_nynorsk(bot):
    [question] = await bot.channel.say(KARI, "eg treng å lage ei sak")
    assert "Kva gjeld saka?" in text_of(question)
    [draft] = await bot.channel.say(KARI, "Eg får ikkje skrive ut frå skrivaren, han er heilt stille")
    assert "Her er eit utkast til saka" in draft["text"]
