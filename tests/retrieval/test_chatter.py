"""The question inside a chatty message: what is searched once greetings, thanks and signature are gone."""

from __future__ import annotations

from retrieval.chatter import strip_chatter


def test_greetings_thanks_and_framing_are_left_out() -> None:
    message = "Hei! Jeg har et spørsmål. Hvordan bytter jeg passord? Takk for hjelpen"

    assert strip_chatter(message) == "Hvordan bytter jeg passord?"


def test_a_signature_is_cut_from_its_closing_word_to_the_end() -> None:
    assert strip_chatter("Skriveren virker ikke. Hilsen Kari på legekontoret") == "Skriveren virker ikke."
    assert strip_chatter("VPN kobler ikke til.\nMed vennlig hilsen\nOla Nordmann, Molde") == "VPN kobler ikke til."
    assert strip_chatter("Hvordan bytter jeg passord? Takk, Ola") == "Hvordan bytter jeg passord?"


def test_a_closing_word_followed_by_a_question_is_not_a_signature() -> None:
    message = "Hilsen fra Molde: hvordan bytter jeg passord?"

    assert strip_chatter(message) == message


def test_nynorsk_and_english_chatter() -> None:
    assert strip_chatter("Hei! Korleis byter eg passord? Takk for hjelpa. Helsing Per") == "Korleis byter eg passord?"
    assert (
        strip_chatter("Hi, sorry to bother you. How do I reset my password? Thanks in advance!")
        == "How do I reset my password?"
    )


def test_the_assistants_name_is_chatter_only_when_addressed() -> None:
    assert strip_chatter("Hei Rakel, hvordan bytter jeg passord?") == "hvordan bytter jeg passord?"
    assert "Rakel" in strip_chatter("Hvor raskt må vi svare på saker fra Rakel?")


def test_words_inside_other_words_are_kept_and_a_follow_up_survives() -> None:
    assert strip_chatter("Takk! Og på mobilen?") == "Og på mobilen?"
    assert strip_chatter("Takknemlighetsbrev i Public 360") == "Takknemlighetsbrev i Public 360"
    assert strip_chatter("Hei!") == ""
