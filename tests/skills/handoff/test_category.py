"""The handoff's suggested category comes from the tickets skill's classifier, on masked text."""

from __future__ import annotations

from skills.handoff.category import category_label, suggest_category


def test_what_masking_left_does_not_steer_the_category():
    assert suggest_category("Outlook krasjer, tlf [telefon]") == "email"
    assert suggest_category("[navn] sier at skriveren står") == "printing"


def test_without_a_clue_kundeservice_picks():
    assert suggest_category("Kan dere ringe meg på [telefon]?") == ""
    assert category_label("") == "Vet ikke (Kundeservice velger)"
    assert category_label("remote_access") == "Fjerntilgang"
