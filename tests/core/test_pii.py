"""Masking personal data: what must be masked, what must be left alone, and when we are unsure."""

import pytest
from stdnum.no import fodselsnummer

from core.pii import mask, mask_personal_data

# Fake but valid numbers (both check digits hold); the test below proves it.
VALID_FNR = "01019012480"
VALID_FNR_2 = "15058543206"
VALID_D_NUMBER = "41019012393"  # day + 40
FH_LIKE = "31129987688"  # check digits hold, but no real birth date (century undecidable)
CHECKSUM_FAILS_DATE_LIKE = "01019012345"  # 01.01.90 + five digits, wrong check digits
CHECKSUM_FAILS_NOT_A_DATE = "12345678903"  # month 34: not a date


def test_the_sample_numbers_are_what_the_tests_say():
    assert fodselsnummer.is_valid(VALID_FNR)
    assert fodselsnummer.is_valid(VALID_FNR_2)
    assert fodselsnummer.is_valid(VALID_D_NUMBER)
    assert not fodselsnummer.is_valid(FH_LIKE)
    assert not fodselsnummer.is_valid(CHECKSUM_FAILS_DATE_LIKE)


# --- fødselsnummer -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        (f"Mitt fnr er {VALID_FNR}.", "Mitt fnr er [fødselsnummer]."),
        (f"{VALID_FNR_2} får ikke logget inn", "[fødselsnummer] får ikke logget inn"),
        (
            f"pasient {VALID_FNR[:6]} {VALID_FNR[6:]} i Helseplattformen",
            "pasient [fødselsnummer] i Helseplattformen",
        ),
        (f"nr {VALID_FNR[:6]}.{VALID_FNR[6:]}", "nr [fødselsnummer]"),
        (f"({VALID_FNR})", "([fødselsnummer])"),
        (f"D-nummer {VALID_D_NUMBER}", "D-nummer [fødselsnummer]"),
        (f"Nummer {FH_LIKE} står i journalen", "Nummer [fødselsnummer] står i journalen"),
    ],
)
def test_valid_identity_numbers_are_masked_with_confidence(text, expected):
    result = mask_personal_data(text)
    assert result.text == expected
    assert result.counts == {"fødselsnummer": 1}
    assert result.uncertain is False


def test_a_number_called_fodselsnummer_is_masked_even_with_wrong_check_digits():
    result = mask_personal_data(f"Fødselsnummer: {CHECKSUM_FAILS_NOT_A_DATE}")
    assert result.text == "Fødselsnummer: [fødselsnummer]"
    assert result.uncertain is False


def test_a_date_and_five_digits_with_wrong_check_digits_is_masked_but_unsure():
    result = mask_personal_data(f"Bruker {CHECKSUM_FAILS_DATE_LIKE} er låst")
    assert result.text == "Bruker [fødselsnummer] er låst"
    assert result.uncertain is True


def test_eleven_digits_that_are_no_date_are_kept_but_unsure():
    result = mask_personal_data(f"Koden er {CHECKSUM_FAILS_NOT_A_DATE}")
    assert result.text == f"Koden er {CHECKSUM_FAILS_NOT_A_DATE}"
    assert result.uncertain is True


@pytest.mark.parametrize(
    "text",
    [
        f"Kontonummer {CHECKSUM_FAILS_DATE_LIKE}",
        f"ordrenr. {CHECKSUM_FAILS_DATE_LIKE}",
        f"Fakturanummer: {CHECKSUM_FAILS_DATE_LIKE}",
        f"serienummer {CHECKSUM_FAILS_NOT_A_DATE}",
    ],
)
def test_eleven_digits_named_as_something_else_are_kept_with_confidence(text):
    result = mask_personal_data(text)
    assert result.text == text
    assert result.uncertain is False


@pytest.mark.parametrize(
    "text",
    [
        "Org.nr 944 543 201",
        "Kontonummer 1234.56.78903",
        "Kortnummer 4111111111111111",
        f"{VALID_FNR}9 er for langt",
        f"ID-{VALID_FNR}x",
        "Versjon 10.0.19045.3803",
    ],
)
def test_other_long_numbers_are_not_identity_numbers(text):
    result = mask_personal_data(text)
    assert result.counts.get("fødselsnummer") is None
    assert result.text == text


# --- phone numbers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ring meg på 912 34 567", "Ring meg på [telefon]"),
        ("tlf 91 23 45 67.", "tlf [telefon]."),
        ("Sentralbord: 71112233", "Sentralbord: [telefon]"),
        ("mobil 9123 4567", "mobil [telefon]"),
        ("Nå på +47 912 34 567", "Nå på [telefon]"),
        ("Nå på +4791234567", "Nå på [telefon]"),
        ("Nå på 0047 22 12 34 56", "Nå på [telefon]"),
        ("Nå på (+47) 41234567", "Nå på [telefon]"),
        ("nr: 912-34-567, takk", "nr: [telefon], takk"),
        ("Ring 22123456 eller 91234567", "Ring [telefon] eller [telefon]"),
        ("tlf 12345678", "tlf [telefon]"),  # a phone cue outweighs an unusual first digit
        ("91234567", "[telefon]"),
    ],
)
def test_norwegian_phone_numbers_are_masked(text, expected):
    result = mask_personal_data(text)
    assert result.text == expected
    assert result.uncertain is False


def test_each_phone_number_is_counted():
    assert mask_personal_data("912 34 567 / 71 11 22 33").counts == {"telefon": 2}


@pytest.mark.parametrize(
    "text",
    [
        "Det skjedde i 2024",
        "skoleåret 2023-2024",
        "fra 2019 2020",
        "Logg fra 20240115",
        "Dato 25122023",
        "Se sak 91234567",
        "saksnummer: 71112233",
        "Sak nr. 91234567",
        "Jfr. #91234567",
        "INC91234567",
        "Ordre 91234567",
        "IP-adresse 192.168.100.200",
        "Gateway 10.0.0.1, DNS 8.8.8.8",
        "Pris 12 345 678 kr",
        "Koster kr 91234567",
        "Koster 91234567,- eks. mva",
        "Beløp 91234567,50",
        "NOK 45 67 89 12",
        "Org.nr 944543201",
        "Kortnr 4111 1111 1111 1111",
        "Telefonnummer 22 33 44 55 66 har ti sifre",
        "Åpent kl 0800-1530",
        "Bygg 01234567",
        "Versjon 1.2.3.45678901",
    ],
)
def test_numbers_that_are_not_phone_numbers_are_kept(text):
    result = mask_personal_data(text)
    assert result.text == text
    assert result.counts == {}


# --- e-mail addresses ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Send til kari.nordmann@molde.kommune.no.", "Send til [e-post]."),
        ("<ola+test@ror-ikt.no>", "<[e-post]>"),
        ("mailto:Per.Ås@aukra.kommune.no", "mailto:[e-post]"),
        ("a@b.no, c_d@e-f.com", "[e-post], [e-post]"),
    ],
)
def test_email_addresses_are_masked(text, expected):
    assert mask(text) == expected


def test_a_phone_number_inside_an_email_address_goes_with_the_address():
    result = mask_personal_data("91234567@sms.molde.kommune.no")
    assert result.text == "[e-post]"
    assert result.counts == {"e-post": 1}


def test_at_signs_that_are_no_address_are_kept():
    assert mask("Møte @ 10:00 i rom @kantina") == "Møte @ 10:00 i rom @kantina"


# --- names ---------------------------------------------------------------------------------
def test_known_names_are_masked_whole_and_by_part_in_any_case():
    result = mask_personal_data(
        "Kari Nordmann ringte. Jeg sa til kari at NORDMANN må logge ut. Karis PC er treg.",
        known_names=["Kari Nordmann"],
    )
    assert result.text == "[navn] ringte. Jeg sa til [navn] at [navn] må logge ut. [navn] PC er treg."
    assert result.counts == {"navn": 4}


def test_known_names_match_whole_words_only():
    text = "Tindra og Fjellvangveien er ikke Tindra Fjellvang"
    assert mask(text) == text  # not a name we know or a common given name
    assert mask_personal_data(text, ["Tindra Fjellvang"]).text == "[navn] og Fjellvangveien er ikke [navn]"


def test_names_that_are_everyday_words_are_masked_only_with_a_capital():
    result = mask_personal_data("Per sier det koster 10 kr per dag.", ["Per Dag Hansen"])
    assert result.text == "[navn] sier det koster 10 kr per dag."


def test_hyphenated_and_spaced_names():
    text = "Anne-Lise  Berg skrev til Anne-Lise"
    assert mask_personal_data(text, ["Anne-Lise Berg"]).text == "[navn] skrev til [navn]"


def test_blank_and_initial_names_are_ignored():
    assert mask_personal_data("K. Olsen", ["", "  ", "K."]).text == "K. Olsen"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Takk for hjelpen!\nHilsen Kari", "Takk for hjelpen!\nHilsen [navn]"),
        ("mvh Ola Nordmann", "mvh [navn]"),
        ("Mvh,\nOla Nordmann\nRådgiver", "Mvh,\n[navn]\nRådgiver"),
        ("Med vennlig hilsen\n\nKari Nordmann\nMolde kommune", "Med vennlig hilsen\n\n[navn]\nMolde kommune"),
        ("Venleg helsing Synnøve Fjellheim", "Venleg helsing [navn]"),
        ("Best regards, John Smith", "Best regards, [navn]"),
        ("Hilsen fra Anne-Lise", "Hilsen fra [navn]"),
    ],
)
def test_names_after_a_signature_cue_are_masked(text, expected):
    result = mask_personal_data(text)
    assert result.text == expected
    assert result.uncertain is False


def test_a_signed_name_is_masked_everywhere_in_the_text():
    result = mask_personal_data("Dette er Kari på Aukra sykehjem.\n\nHilsen Kari")
    assert result.text == "Dette er [navn] på Aukra sykehjem.\n\nHilsen [navn]"


@pytest.mark.parametrize(
    "text",
    [
        "Hilsen Kundeservice",
        "Mvh ROR-IKT",
        "Med vennlig hilsen\nMolde kommune",
        "Hilsen oss i IT",
        "Hilsen hele gjengen",
        "Ha en fin dag!\nmvh",
        "Jeg fikk hilsen fra IT-avdelingen",
        "with kind regards to all of you",
    ],
)
def test_signatures_without_a_person_are_kept(text):
    result = mask_personal_data(text)
    assert result.text == text
    assert result.uncertain is False


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mvh kari", "mvh [navn]"),
        ("Hilsen K.N.", "Hilsen K.N."),
        ("Mvh ØLK", "Mvh ØLK"),
    ],
)
def test_a_signature_cue_followed_by_something_unknown_is_unsure(text, expected):
    result = mask_personal_data(text)
    assert result.text == expected
    assert result.uncertain is True


# --- names nobody told us about ---------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hun heter Berit Sunde-Hoem og begynner 1. mars.", "Hun heter [navn] og begynner 1. mars."),
        ("Kollega Anne Lise Tokle har det samme.", "Kollega [navn] har det samme."),
        ("Sommervikaren Marianne Rekkedal får ikke logget inn.", "Sommervikaren [navn] får ikke logget inn."),
        ("Berit trenger tilgang.", "[navn] trenger tilgang."),
        ("Kontakt IT-koordinator Even Bjørnerud.", "Kontakt IT-koordinator [navn]."),
        ("Per Hansen og Liv Ullmann", "[navn] og [navn]"),
    ],
)
def test_capitalized_words_led_by_a_common_given_name_are_masked(text, expected):
    result = mask_personal_data(text)
    assert result.text == expected
    assert result.uncertain is False


def test_a_mentioned_name_is_masked_wherever_it_recurs():
    text = "Mens Øystein Lauvås har permisjon tar jeg postmottaket. Øystein er tilbake i mai."
    assert mask(text) == "Mens [navn] har permisjon tar jeg postmottaket. [navn] er tilbake i mai."


@pytest.mark.parametrize(
    "text",
    [
        "Per dag kommer det 40 saker.",
        "Hans PC er treg.",
        "Siri svarer ikke på iPhone.",
        "Installer Jabra Direct fra Firmaportal.",
        "Logg inn med Microsoft Authenticator.",
        "Åpne Visma Flyt og velg Innstillinger.",
        "Etter Windows-oppdateringen virker ikke skriveren.",
        "Trykk Caps Lock for å slå av store bokstaver.",
        "Gjelder det Molde Kommune?",
        "Hilsen Postmottak, Vestnes kommune",
    ],
)
def test_words_that_only_look_like_names_are_kept(text):
    result = mask_personal_data(text)
    assert result.text == text
    assert result.uncertain is False


def test_two_unknown_capitalized_words_mid_sentence_are_unsure():
    result = mask_personal_data("Saken gjelder Gunnvor Tjelle på legevakta.")
    assert result.uncertain is True
    assert result.text == "Saken gjelder Gunnvor Tjelle på legevakta."


# --- everything together -------------------------------------------------------------------
def test_a_realistic_ticket():
    text = (
        "Hei!\nJeg (Kari Nordmann, fnr 15058543206) får ikke logget på Visma etter passordbytte.\n"
        "Ring meg på 912 34 567 eller send e-post til kari.nordmann@molde.kommune.no.\n"
        "Gjelder sak 240115 og PC-en bygget 2019. Skriver på 10.20.30.40.\n"
        "Med vennlig hilsen\nKari Nordmann\nHelse og omsorg, Molde kommune"
    )
    result = mask_personal_data(text, known_names=["Kari Nordmann", "Ole Agent"])
    assert result.text == (
        "Hei!\nJeg ([navn], fnr [fødselsnummer]) får ikke logget på Visma etter passordbytte.\n"
        "Ring meg på [telefon] eller send e-post til [e-post].\n"
        "Gjelder sak 240115 og PC-en bygget 2019. Skriver på 10.20.30.40.\n"
        "Med vennlig hilsen\n[navn]\nHelse og omsorg, Molde kommune"
    )
    assert result.counts == {"fødselsnummer": 1, "telefon": 1, "e-post": 1, "navn": 2}
    assert result.uncertain is False


def test_text_without_personal_data_is_unchanged():
    text = "Start PC-en på nytt og logg inn med Feide. Versjon 2.4, 2024."
    result = mask_personal_data(text, ["Kari Nordmann"])
    assert (result.text, result.counts, result.uncertain) == (text, {}, False)


def test_empty_text():
    assert mask_personal_data("") == mask_personal_data("", [])
    assert mask("") == ""


def test_masking_is_idempotent():
    once = mask_personal_data("Hilsen Kari, tlf 91234567, kari@a.no, 15058543206", ["Kari"]).text
    again = mask_personal_data(once, ["Kari"])
    assert again.text == once
    assert again.counts == {}


def test_an_incoming_message_is_masked_once_where_it_enters():
    from core.language import Language
    from core.messages import Incoming

    incoming = Incoming(text="Ring meg på 912 34 567 eller kari.nordmann@molde.kommune.no", language=Language.BOKMAAL,
                        conversation_id="c", activity_id="a")
    assert incoming.masked == "Ring meg på [telefon] eller [e-post]"
    assert incoming.masked is incoming.masked  # computed once per message
    assert "912 34 567" in incoming.text  # the raw text stays for the user's own ticket
