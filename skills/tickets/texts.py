"""Everything the ticket skills say, in bokmål, nynorsk and English; and the words that go into tickets.

Ticket text itself (section headings in the description, the channel card for Kundeservice) is in
bokmål whatever the user writes: Kundeservice reads it.
"""

from __future__ import annotations

from core.texts import Localized

# --- asking what the ticket is about ---------------------------------------------------------
ASK_WHAT = Localized(
    nb="Hva gjelder saken? Beskriv problemet med egne ord – du kan også sende skjermbilder. "
    "(Skriv «avbryt» for å la være.)",
    nn="Kva gjeld saka? Beskriv problemet med eigne ord – du kan òg sende skjermbilete. "
    "(Skriv «avbryt» for å la vere.)",
    en="What is the ticket about? Describe the problem in your own words – you can also send screenshots. "
    "(Write “avbryt” to stop.)",
)
GOT_FILES_ASK_TEXT = Localized(
    nb="Takk, jeg tar med {count} vedlegg i saken. Skriv kort hva saken gjelder, så lager jeg et utkast.",
    nn="Takk, eg tek med {count} vedlegg i saka. Skriv kort kva saka gjeld, så lagar eg eit utkast.",
    en="Thanks, I'll include {count} attachment(s) in the ticket. Briefly write what it is about, and I'll draft it.",
)
NEED_WORDS = Localized(
    nb="Jeg klarte ikke å lese hva problemet er ut fra det. Beskriv med ord hva som ikke virker, "
    "så lager jeg et utkast.",
    nn="Eg klarte ikkje å lese kva problemet er ut frå det. Beskriv med ord kva som ikkje verkar, "
    "så lagar eg eit utkast.",
    en="I couldn't tell what the problem is from that. Describe in words what isn't working, and I'll draft it.",
)
DRAFT_INTRO = Localized(
    nb="Her er et utkast til saken. Se over, endre om du vil, og trykk «Send».",
    nn="Her er eit utkast til saka. Sjå over, endre om du vil, og trykk «Send».",
    en="Here is a draft of the ticket. Check it, change it if you like, and press “Send”.",
)

# --- the confirmation card -------------------------------------------------------------------
CARD_TITLE = Localized(nb="Ny sak til Kundeservice", nn="Ny sak til Kundeservice", en="New ticket for Kundeservice")
SUBJECT = Localized(nb="Emne", nn="Emne", en="Subject")
DESCRIPTION = Localized(nb="Beskrivelse", nn="Skildring", en="Description")
CATEGORY = Localized(nb="Kategori", nn="Kategori", en="Category")
PHONE = Localized(nb="Telefonnummer (valgfritt)", nn="Telefonnummer (valfritt)", en="Phone number (optional)")
PHONE_HINT = Localized(nb="For eksempel 912 34 567", nn="Til dømes 912 34 567", en="For example 912 34 567")
PRIORITY = Localized(nb="Foreslått prioritet", nn="Føreslått prioritet", en="Suggested priority")
PRIORITY_NOTE = Localized(
    nb="Kundeservice setter endelig prioritet.",
    nn="Kundeservice set endeleg prioritet.",
    en="Kundeservice sets the final priority.",
)
ATTACHMENTS = Localized(nb="Vedlegg", nn="Vedlegg", en="Attachments")
SEND = Localized(nb="Send", nn="Send", en="Send")
CANCEL = Localized(nb="Avbryt", nn="Avbryt", en="Cancel")
SUBJECT_MISSING = Localized(
    nb="Skriv et emne med ord, så Kundeservice ser hva saken gjelder.",
    nn="Skriv eit emne med ord, så Kundeservice ser kva saka gjeld.",
    en="Write a subject in words, so Kundeservice can see what the ticket is about.",
)
PHONE_INVALID = Localized(
    nb="Telefonnummeret ser ikke riktig ut. Skriv bare tall (gjerne med +47), eller la feltet stå tomt.",
    nn="Telefonnummeret ser ikkje rett ut. Skriv berre tal (gjerne med +47), eller la feltet stå tomt.",
    en="The phone number doesn't look right. Use digits only (+47 is fine), or leave it empty.",
)

# --- what happened to the text and the files (shown on the card) -----------------------------
NOTICES = {
    "fnr_removed": Localized(
        nb="Jeg fjernet et fødselsnummer fra teksten – det skal ikke stå i saker.",
        nn="Eg fjerna eit fødselsnummer frå teksten – det skal ikkje stå i saker.",
        en="I removed a national identity number (fødselsnummer) from the text – it must not be in tickets.",
    ),
    "cut": Localized(
        nb="Teksten var over 10 000 tegn, så jeg har kortet den ned.",
        nn="Teksten var over 10 000 teikn, så eg har korta han ned.",
        en="The text was over 10,000 characters, so I shortened it.",
    ),
}
FILE_PROBLEMS = {
    "too_large": Localized(
        nb="«{name}» er for stor til å legges ved (over {limit}). Lenken står i beskrivelsen i stedet.",
        nn="«{name}» er for stor til å leggjast ved (over {limit}). Lenkja står i skildringa i staden.",
        en="“{name}” is too large to attach (over {limit}). Its link is in the description instead.",
    ),
    "unavailable": Localized(
        nb="Jeg fikk ikke hentet «{name}». Lenken står i beskrivelsen i stedet.",
        nn="Eg fekk ikkje henta «{name}». Lenkja står i skildringa i staden.",
        en="I couldn't fetch “{name}”. Its link is in the description instead.",
    ),
    "too_many": Localized(
        nb="Jeg legger ved høyst {max} filer; lenken til «{name}» står i beskrivelsen i stedet.",
        nn="Eg legg ved høgst {max} filer; lenkja til «{name}» står i skildringa i staden.",
        en="I attach at most {max} files; the link to “{name}” is in the description instead.",
    ),
}

# --- after "Send" ------------------------------------------------------------------------------
CREATED_TITLE = Localized(
    nb="Saken er sendt til Kundeservice", nn="Saka er send til Kundeservice", en="The ticket has been sent to Kundeservice"
)
CREATED_TEXT = Localized(
    nb="Saksnummeret er **{number}**. Du finner saken igjen med «mine saker».",
    nn="Saksnummeret er **{number}**. Du finn saka att med «mine saker».",
    en="The ticket number is **{number}**. You can find it again with “my tickets”.",
)
NUMBER = Localized(nb="Saksnummer", nn="Saksnummer", en="Ticket number")
STATUS = Localized(nb="Status", nn="Status", en="Status")
OPEN_TICKET = Localized(nb="Åpne saken", nn="Opne saka", en="Open the ticket")
QUEUED_TITLE = Localized(nb="Saken blir sendt", nn="Saka blir send", en="The ticket will be sent")
QUEUED_TEXT = Localized(
    nb="Saksystemet til Kundeservice svarer ikke akkurat nå. Saken er lagret hos meg og sendes automatisk – "
    "du får saksnummeret her i chatten så snart den er registrert.",
    nn="Saksystemet til Kundeservice svarar ikkje akkurat no. Saka er lagra hos meg og vert send automatisk – "
    "du får saksnummeret her i chatten så snart ho er registrert.",
    en="Kundeservice's ticket system isn't answering right now. Your ticket is saved and will be sent "
    "automatically – you'll get the ticket number here in the chat as soon as it is registered.",
)
SENDING_TEXT = Localized(nb="Saken sendes nå …", nn="Saka vert send no …", en="Sending the ticket …")
FAILED_TITLE = Localized(
    nb="Saken ble ikke tatt imot", nn="Saka vart ikkje teken imot", en="The ticket was not accepted"
)
FAILED_TEXT = Localized(
    nb="Saksystemet til Kundeservice tok ikke imot saken: {reason}. Utkastet ditt er tatt vare på – du kan "
    "rette det og trykke «Send» igjen, eller ringe Kundeservice på {phone}.",
    nn="Saksystemet til Kundeservice tok ikkje imot saka: {reason}. Utkastet ditt er teke vare på – du kan "
    "rette det og trykkje «Send» att, eller ringje Kundeservice på {phone}.",
    en="Kundeservice's ticket system did not accept the ticket: {reason}. Your draft is kept – you can "
    "correct it and press “Send” again, or call Kundeservice at {phone}.",
)
REASONS = {
    "refused": Localized(
        nb="innholdet ble avvist", nn="innhaldet vart avvist", en="the content was refused"
    ),
    "access": Localized(
        nb="Rakel har ikke tilgang til saksystemet nå", nn="Rakel har ikkje tilgang til saksystemet no",
        en="Rakel has no access to the ticket system right now",
    ),
    "setup": Localized(
        nb="Rakels kobling til saksystemet er ikke satt opp riktig. Det er ikke noe du har gjort feil, "
        "og saken prøves igjen senere",
        nn="koplinga Rakel har til saksystemet er ikkje sett opp rett. Det er ikkje noko du har gjort feil, "
        "og saka vert prøvd att seinare",
        en="Rakel's connection to the ticket system is not set up correctly. It is nothing you did wrong, "
        "and the ticket will be tried again later",
    ),
    "unknown_requester": Localized(
        nb="saksystemet kjenner ikke e-postadressen din, og Rakel kan ikke melde inn saker for brukere "
        "som ikke er registrert der ennå",
        nn="saksystemet kjenner ikkje e-postadressa di, og Rakel kan ikkje melde inn saker for brukarar "
        "som ikkje er registrerte der enno",
        en="the ticket system does not know your e-mail address, and Rakel cannot file tickets for users "
        "who are not registered there yet",
    ),
    "other": Localized(nb="en feil i saksystemet", nn="ein feil i saksystemet", en="an error in the ticket system"),
}
CANCELLED_TEXT = Localized(
    nb="Greit, saken ble ikke sendt.", nn="Greitt, saka vart ikkje send.", en="OK, the ticket was not sent."
)
UNKNOWN_DRAFT = Localized(
    nb="Jeg finner ikke dette utkastet lenger. Skriv «lag en sak» for å lage et nytt.",
    nn="Eg finn ikkje dette utkastet lenger. Skriv «lag ei sak» for å lage eit nytt.",
    en="I can't find this draft any more. Write “create a ticket” to make a new one.",
)

# --- told later (proactive) ----------------------------------------------------------------------
NOTIFY_CREATED = Localized(
    nb="Saken din «{subject}» er nå registrert hos Kundeservice med saksnummer **{number}**.",
    nn="Saka di «{subject}» er no registrert hos Kundeservice med saksnummer **{number}**.",
    en="Your ticket “{subject}” is now registered with Kundeservice as number **{number}**.",
)
NOTIFY_FAILED = Localized(
    nb="Saken din «{subject}» ble ikke tatt imot av saksystemet: {reason}. Utkastet er tatt vare på – trykk "
    "«Send» på kortet i chatten for å prøve igjen, eller ring Kundeservice på {phone}.",
    nn="Saka di «{subject}» vart ikkje teken imot av saksystemet: {reason}. Utkastet er teke vare på – trykk "
    "«Send» på kortet i chatten for å prøve att, eller ring Kundeservice på {phone}.",
    en="Your ticket “{subject}” was not accepted by the ticket system: {reason}. The draft is kept – press "
    "“Send” on the card in the chat to try again, or call Kundeservice at {phone}.",
)

# --- "my tickets" ----------------------------------------------------------------------------------
MY_TICKETS = Localized(nb="Sakene dine", nn="Sakene dine", en="Your tickets")
OPEN_TICKETS = Localized(nb="Åpne saker", nn="Opne saker", en="Open tickets")
RECENTLY_CLOSED = Localized(nb="Nylig lukket", nn="Nyleg lukka", en="Recently closed")
WAITING = Localized(nb="Venter på å bli sendt", nn="Ventar på å bli send", en="Waiting to be sent")
NOT_ACCEPTED = Localized(nb="Ikke tatt imot – se kortet i chatten", nn="Ikkje teken imot – sjå kortet i chatten",
                         en="Not accepted – see the card in the chat")
UPDATED = Localized(nb="Sist oppdatert", nn="Sist oppdatert", en="Last updated")
REFRESH = Localized(nb="Oppdater", nn="Oppdater", en="Refresh")
NO_TICKETS = Localized(
    nb="Du har ingen åpne eller nylig lukkede saker hos Kundeservice.",
    nn="Du har ingen opne eller nyleg lukka saker hos Kundeservice.",
    en="You have no open or recently closed tickets with Kundeservice.",
)
NOT_AMONG_YOURS = Localized(
    nb="Jeg finner ikke sak {number} blant sakene dine. Jeg kan bare vise saker der du selv er innmelder.",
    nn="Eg finn ikkje sak {number} blant sakene dine. Eg kan berre vise saker der du sjølv er innmeldar.",
    en="I can't find ticket {number} among your tickets. I can only show tickets you reported yourself.",
)
NO_EMAIL = Localized(
    nb="Jeg vet ikke hvilken e-postadresse du har, så jeg kan ikke slå opp sakene dine. "
    "Kundeservice hjelper deg på telefon {phone}.",
    nn="Eg veit ikkje kva e-postadresse du har, så eg kan ikkje slå opp sakene dine. "
    "Kundeservice hjelper deg på telefon {phone}.",
    en="I don't know your e-mail address, so I can't look up your tickets. Kundeservice can help at {phone}.",
)
DESK_DOWN = Localized(
    nb="Jeg får ikke kontakt med saksystemet akkurat nå. Prøv igjen om litt – sakene dine er ikke borte.",
    nn="Eg får ikkje kontakt med saksystemet akkurat no. Prøv att om litt – sakene dine er ikkje borte.",
    en="I can't reach the ticket system right now. Please try again shortly – your tickets are not lost.",
)
CREATE_TICKET = Localized(nb="Lag en sak", nn="Lag ei sak", en="Create a ticket")
MY_TICKETS_SUGGESTION = Localized(nb="Mine saker", nn="Mine saker", en="My tickets")

# --- names of categories and priorities --------------------------------------------------------------
CATEGORY_NAMES = {
    "access": Localized(nb="Tilgang og pålogging", nn="Tilgang og pålogging", en="Access and sign-in"),
    "password": Localized(nb="Passord og låst konto", nn="Passord og låst konto", en="Password and locked account"),
    "email": Localized(nb="E-post, Teams og Microsoft 365", nn="E-post, Teams og Microsoft 365",
                       en="E-mail, Teams and Microsoft 365"),
    "pc": Localized(nb="PC og utstyr", nn="PC og utstyr", en="PC and equipment"),
    "software": Localized(nb="Programvare", nn="Programvare", en="Software"),
    "printing": Localized(nb="Utskrift", nn="Utskrift", en="Printing"),
    "remote_access": Localized(nb="Fjerntilgang", nn="Fjerntilgang", en="Remote access"),
    "phone": Localized(nb="Telefon og mobil", nn="Telefon og mobil", en="Phone and mobile"),
    "advice": Localized(nb="Rådgivning", nn="Rådgjeving", en="Advice"),
    "security": Localized(nb="Sikkerhet", nn="Tryggleik", en="Security"),
}
UNKNOWN_CATEGORY = Localized(
    nb="Vet ikke (Kundeservice velger)", nn="Veit ikkje (Kundeservice vel)", en="Don't know (Kundeservice picks)"
)
PRIORITY_NAMES = {
    "low": Localized(nb="Lav", nn="Låg", en="Low"),
    "normal": Localized(nb="Normal", nn="Normal", en="Normal"),
    "high": Localized(nb="Høy", nn="Høg", en="High"),
    "critical": Localized(nb="Kritisk", nn="Kritisk", en="Critical"),
}

# --- text that goes into the ticket (bokmål: Kundeservice reads it) ----------------------------------
TRIED_HEADING = "Rakel har allerede foreslått:"
OWN_WORDS_HEADING = "Brukerens egne ord:"
LINKS_HEADING = "Vedlegg som ikke kunne legges ved (lenker):"
CUT_MARK = "[Forkortet av Rakel: teksten var over 10 000 tegn.]"
DEFAULT_SUBJECT = "Henvendelse via Rakel"

# --- the card in Kundeservice's channel (local desk) -------------------------------------------------
CHANNEL_TITLE = "Ny sak {number} fra Rakel"
CHANNEL_FACTS = {
    "requester": "Innmelder",
    "email": "E-post",
    "category": "Kategori",
    "priority": "Foreslått prioritet",
    "phone": "Telefon",
    "attachments": "Vedlegg",
}
CHANNEL_FOOTER = "Se alle saker med «rakel tickets»."
