"""Everything the handoff says. The user reads bokmål, nynorsk or English; Kundeservice reads bokmål."""

from core.texts import Localized

# --- to the user ------------------------------------------------------------------------------
QUEUED = Localized(
    nb="Jeg har sendt forespørselen din til Kundeservice. Du er nr. {position} i køen.",
    nn="Eg har sendt førespurnaden din til Kundeservice. Du er nr. {position} i køen.",
    en="I have sent your request to Kundeservice. You are number {position} in the queue.",
)
WHILE_YOU_WAIT = Localized(
    nb="Skriv gjerne kort hva det gjelder mens du venter – alt du skriver her nå, går rett til Kundeservice. "
    "Skriv «avbryt» for å gå ut av køen.",
    nn="Skriv gjerne kort kva det gjeld medan du ventar – alt du skriv her no, går rett til Kundeservice. "
    "Skriv «avbryt» for å gå ut av køen.",
    en="While you wait, feel free to describe your issue – everything you write here now goes straight to "
    "Kundeservice. Write “avbryt” to leave the queue.",
)
LEFT_QUEUE = Localized(
    nb="Greit, du er ute av køen hos Kundeservice. Spør meg gjerne om noe annet!",
    nn="Greitt, du er ute av køen hos Kundeservice. Spør meg gjerne om noko anna!",
    en="All right, you have left the Kundeservice queue. Feel free to ask me something else!",
)
LEAVE_QUEUE = Localized(nb="Gå ut av køen", nn="Gå ut av køen", en="Leave the queue")
NOTED_WHILE_WAITING = Localized(
    nb="Kundeservice ser meldingen din. Du er nr. {position} i køen.",
    nn="Kundeservice ser meldinga di. Du er nr. {position} i køen.",
    en="Kundeservice can see your message. You are number {position} in the queue.",
)
EMPTY = Localized(
    nb="Meldingen var tom, så den ble ikke sendt til Kundeservice. Skriv det du vil si, her.",
    nn="Meldinga var tom, så ho vart ikkje send til Kundeservice. Skriv det du vil seie, her.",
    en="The message was empty, so it was not sent to Kundeservice. Write what you want to say here.",
)
ALREADY_WAITING = Localized(
    nb="Du står allerede i køen hos Kundeservice (nr. {position}). Skriv gjerne hva det gjelder mens du venter.",
    nn="Du står allereie i køen hos Kundeservice (nr. {position}). Skriv gjerne kva det gjeld medan du ventar.",
    en="You are already in the Kundeservice queue (number {position}). Feel free to describe your issue meanwhile.",
)
ALREADY_CHATTING = Localized(
    nb="Du chatter allerede med {agent} fra Kundeservice – skriv her, så får {agent} meldingen.",
    nn="Du chattar allereie med {agent} frå Kundeservice – skriv her, så får {agent} meldinga.",
    en="You are already chatting with {agent} from Kundeservice – write here and {agent} gets it.",
)
CLAIMED = Localized(
    nb="{agent} fra Kundeservice har tatt saken. Alt du skriver her nå, går til {agent}. "
    "Skriv «avslutt» når dere er ferdige.",
    nn="{agent} frå Kundeservice har teke saka. Alt du skriv her no, går til {agent}. "
    "Skriv «avslutt» når de er ferdige.",
    en="{agent} from Kundeservice has taken your case. Everything you write here now goes to {agent}. "
    "Write “avslutt” when you are done.",
)
TAKEN_OVER = Localized(
    nb="{agent} fra Kundeservice har tatt over samtalen. Skriv her som før, så får {agent} meldingene dine.",
    nn="{agent} frå Kundeservice har teke over samtalen. Skriv her som før, så får {agent} meldingane dine.",
    en="{agent} from Kundeservice has taken over the chat. Keep writing here and {agent} gets your messages.",
)
BACK_IN_QUEUE = Localized(
    nb="{agent} måtte gi fra seg samtalen, så du står i køen hos Kundeservice igjen (nr. {position}). "
    "Neste ledige tar over – skriv gjerne her imens.",
    nn="{agent} måtte gi frå seg samtalen, så du står i køen hos Kundeservice igjen (nr. {position}). "
    "Neste ledige tek over – skriv gjerne her medan du ventar.",
    en="{agent} had to hand over the chat, so you are back in the Kundeservice queue (number {position}). "
    "The next person free will take over – feel free to write here meanwhile.",
)
END_CHAT = Localized(nb="Avslutt samtalen", nn="Avslutt samtalen", en="End the chat")
CLOSED = Localized(
    nb="Kundeservice har stengt nå{reason} og åpner igjen {when}. Du kan ringe dem på {phone} når de har åpent, "
    "eller jeg kan lage en sak til dem nå, så følger de den opp.",
    nn="Kundeservice har stengt no{reason} og opnar igjen {when}. Du kan ringje dei på {phone} når dei har ope, "
    "eller eg kan lage ei sak til dei no, så følgjer dei ho opp.",
    en="Kundeservice is closed now{reason} and opens again {when}. You can call them on {phone} when they are "
    "open, or I can create a ticket for them now and they will follow it up.",
)
NOT_SET_UP = Localized(
    nb="Jeg får ikke koblet deg til Kundeservice her i chatten. Du kan ringe dem på {phone} (hverdager "
    "{opens}–{closes}), eller jeg kan lage en sak til dem nå.",
    nn="Eg får ikkje kopla deg til Kundeservice her i chatten. Du kan ringje dei på {phone} (kvardagar "
    "{opens}–{closes}), eller eg kan lage ei sak til dei no.",
    en="I can't connect you to Kundeservice in this chat. You can call them on {phone} (weekdays "
    "{opens}–{closes}), or I can create a ticket for them now.",
)
NOT_SENT = Localized(
    nb="Beklager, jeg fikk ikke sendt forespørselen din til Kundeservice akkurat nå. Prøv igjen om litt, "
    "ring {phone}, eller la meg lage en sak til dem.",
    nn="Orsak, eg fekk ikkje sendt førespurnaden din til Kundeservice akkurat no. Prøv igjen om litt, "
    "ring {phone}, eller la meg lage ei sak til dei.",
    en="Sorry, I couldn't send your request to Kundeservice just now. Try again shortly, call {phone}, "
    "or let me create a ticket for them.",
)
NOBODY_YET = Localized(
    nb="Beklager ventetiden – ingen i Kundeservice har fått tatt saken din ennå. Du står fortsatt i køen "
    "(nr. {position}). Vil du heller at jeg lager en sak nå? Da følger de den opp så snart de kan.",
    nn="Orsak ventetida – ingen i Kundeservice har fått teke saka di enno. Du står framleis i køen "
    "(nr. {position}). Vil du heller at eg lagar ei sak no? Då følgjer dei ho opp så snart dei kan.",
    en="Sorry for the wait – nobody at Kundeservice has been able to take your case yet. You are still in "
    "the queue (number {position}). Would you rather have me create a ticket now? They will follow it up "
    "as soon as they can.",
)
CLOSED_BEFORE_ANYONE = Localized(
    nb="Kundeservice har stengt for i dag og rakk ikke å ta saken din – beklager. De åpner igjen {when}. "
    "Vil du at jeg lager en sak nå, så følger de den opp?",
    nn="Kundeservice har stengt for i dag og rakk ikkje å ta saka di – orsak. Dei opnar igjen {when}. "
    "Vil du at eg lagar ei sak no, så følgjer dei ho opp?",
    en="Kundeservice has closed for today and didn't get to your case – sorry. They open again {when}. "
    "Shall I create a ticket now so they can follow it up?",
)
CREATE_TICKET = Localized(nb="Opprett sak nå", nn="Opprett sak no", en="Create a ticket now")
AGENT_ENDED = Localized(
    nb="{agent} har avsluttet samtalen.", nn="{agent} har avslutta samtalen.", en="{agent} has ended the chat."
)
YOU_ENDED = Localized(
    nb="Samtalen med {agent} er avsluttet.", nn="Samtalen med {agent} er avslutta.", en="Your chat with {agent} has ended."
)
SAVED_AS_TICKET = Localized(
    nb="Samtalen er lagret som sak {number} hos Kundeservice.",
    nn="Samtalen er lagra som sak {number} hos Kundeservice.",
    en="The chat has been saved as ticket {number} with Kundeservice.",
)
HOW_WAS_IT = Localized(
    nb="Hvordan var hjelpen du fikk?", nn="Korleis var hjelpa du fekk?", en="How was the help you got?"
)
GOOD = Localized(nb="👍 Bra", nn="👍 Bra", en="👍 Good")
BAD = Localized(nb="👎 Ikke bra", nn="👎 Ikkje bra", en="👎 Not good")
COMMENT = Localized(nb="Vil du si noe mer? (valgfritt)", nn="Vil du seie noko meir? (valfritt)",
                    en="Anything to add? (optional)")
THANKS_GOOD = Localized(
    nb="Takk for tilbakemeldingen! Så bra at du fikk hjelp.",
    nn="Takk for tilbakemeldinga! Så bra at du fekk hjelp.",
    en="Thanks for the feedback! Glad you got help.",
)
THANKS_BAD = Localized(
    nb="Takk for at du sa ifra – Kundeservice bruker tilbakemeldingen til å bli bedre. Trenger du mer hjelp, "
    "er det bare å skrive.",
    nn="Takk for at du sa ifrå – Kundeservice brukar tilbakemeldinga til å bli betre. Treng du meir hjelp, "
    "er det berre å skrive.",
    en="Thanks for telling us – Kundeservice uses the feedback to improve. If you need more help, just write.",
)
CHAT_IS_OVER = Localized(
    nb="Samtalen med Kundeservice er avsluttet. Spør meg gjerne om noe annet!",
    nn="Samtalen med Kundeservice er avslutta. Spør meg gjerne om noko anna!",
    en="The chat with Kundeservice has ended. Feel free to ask me something else!",
)
NO_LONGER_OPEN = Localized(
    nb="Denne samtalen med Kundeservice er allerede avsluttet.",
    nn="Denne samtalen med Kundeservice er allereie avslutta.",
    en="This chat with Kundeservice has already ended.",
)
UNKNOWN_REQUEST = Localized(
    nb="Jeg finner ikke den forespørselen lenger. Skriv «snakk med et menneske» for å starte på nytt.",
    nn="Eg finn ikkje den førespurnaden lenger. Skriv «snakk med eit menneske» for å starte på nytt.",
    en="I can't find that request any more. Write “talk to a human” to start again.",
)
CLOSED_REASON = Localized(nb=" ({holiday})", nn=" ({holiday})", en=" ({holiday})")

# When Kundeservice opens next: "i dag kl. 08:00", "i morgen kl. 08:00", "mandag kl. 08:00",
# "tirsdag 7. april kl. 08:00".
TODAY_AT = Localized(nb="i dag kl. {time}", nn="i dag kl. {time}", en="today at {time}")
TOMORROW_AT = Localized(nb="i morgen kl. {time}", nn="i morgon kl. {time}", en="tomorrow at {time}")
WEEKDAY_AT = Localized(nb="{weekday} kl. {time}", nn="{weekday} kl. {time}", en="on {weekday} at {time}")
DATE_AT = Localized(nb="{weekday} {day}. {month} kl. {time}", nn="{weekday} {day}. {month} kl. {time}",
                    en="on {weekday} {day} {month} at {time}")
WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
MONTHS["nn"] = MONTHS["nb"]

FILE_IN_TICKET_FOR_USER = Localized(
    nb="📎 {name} ({size}) blir lagt ved saken din hos Kundeservice.",
    nn="📎 {name} ({size}) blir lagd ved saka di hos Kundeservice.",
    en="📎 {name} ({size}) will be attached to your ticket with Kundeservice.",
)
FILE_TOO_LARGE_FOR_USER = Localized(
    nb="📎 {name} var større enn {limit}, så den kom ikke med.",
    nn="📎 {name} var større enn {limit}, så han kom ikkje med.",
    en="📎 {name} was larger than {limit}, so it could not be passed on.",
)
FILE_NOT_FETCHED_FOR_USER = Localized(
    nb="📎 {name} kunne ikke hentes, så den kom ikke med.",
    nn="📎 {name} kunne ikkje hentast, så han kom ikkje med.",
    en="📎 {name} could not be fetched, so it could not be passed on.",
)
NOT_DELIVERED_TOO_LARGE = Localized(
    nb="«{name}» er større enn {limit}, så jeg kunne ikke sende den til Kundeservice. Prøv et mindre bilde, "
    "eller beskriv det du ser.",
    nn="«{name}» er større enn {limit}, så eg kunne ikkje sende han til Kundeservice. Prøv eit mindre bilete, "
    "eller beskriv det du ser.",
    en="“{name}” is larger than {limit}, so I could not send it to Kundeservice. Try a smaller picture, "
    "or describe what you see.",
)
NOT_DELIVERED_UNAVAILABLE = Localized(
    nb="Jeg fikk ikke hentet «{name}», så Kundeservice har ikke fått den. Prøv å sende den en gang til.",
    nn="Eg fekk ikkje henta «{name}», så Kundeservice har ikkje fått han. Prøv å sende han ein gong til.",
    en="I could not fetch “{name}”, so Kundeservice has not got it. Please try sending it again.",
)

# --- to Kundeservice (the channel card and notes in its thread) ---------------------------------
CARD_TITLE = "💬 {name} vil chatte med Kundeservice"
FACT_MUNICIPALITY = "Kommune"
FACT_EMAIL = "E-post"
FACT_CATEGORY = "Foreslått kategori"
FACT_REQUESTED = "Ba om hjelp"
FACT_STATUS = "Status"
UNKNOWN = "ukjent"
PROBLEM = "**Hva det gjelder:** {summary}"
NO_SUMMARY = "**Hva det gjelder:** brukeren har ikke skrevet det ennå."
RECENT = "**Siste meldinger med Rakel** (personopplysninger maskert):"
SPEAKER_USER = "Bruker"
SPEAKER_RAKEL = "Rakel"
SUGGESTED = "**Rakel har foreslått:** {text}"
STATUS_WAITING = "Venter i kø"
STATUS_WAITING_LONG = "Venter fortsatt – ingen har tatt saken på {minutes} min"
STATUS_CLAIMED = "Tatt av {agent} kl. {time}"
STATUS_WRAPPING_UP = "{user} avsluttet kl. {time} – velg hvordan samtalen skal lagres"
STATUS_CLOSED = "Avsluttet kl. {time} – {outcome}"
STATUS_CANCELLED = "{user} gikk ut av køen kl. {time}"
STATUS_EXPIRED = "Kundeservice stengte før noen tok saken; {user} har fått tilbud om å lage sak"
STATUS_FAILED = "Kunne ikke settes i kø"
OUTCOME_RESOLVED = "løst"
OUTCOME_OPEN = "åpen, trenger oppfølging"
OUTCOME_QUEUED = "venter på Pureservice"
OUTCOME_REFUSED = "Pureservice avviste saken, den ligger i utboksen og prøves igjen"
TICKET_NUMBER = "sak {number}"
RELAY_HINT = (
    "Det {agent} skriver i denne tråden, går til {user}, og det {user} skriver, kommer hit. "
    "Skriv «avslutt» (løst) eller «avslutt åpen», eller bruk knappene."
)
CLAIM = "Ta saken"
TRANSFER = "Overfør"
TRANSFER_LABEL = "Overfør samtalen til"
TRANSFER_TO_QUEUE = "Tilbake i køen (neste ledige tar den)"
TRANSFER_UNKNOWN = "Finner ikke den kollegaen. Be hen skrive i tråden, så kan hen ta over derfra."
TRANSFER_TOO_LATE = "Samtalen er ikke lenger din å overføre (nå: {status})."
TAKE_OVER_QUESTION = ("{colleague}: {agent} har denne samtalen, så meldingen din gikk ikke til {user}. "
                      "Vil du ta over samtalen? Da går meldingen din til {user}, og {agent} får beskjed.")
TAKE_OVER = "Ta over samtalen"
KEEP_AS_NOTE = "Nei, det var et notat"
YOU_TOOK_OVER = "Du har tatt over samtalen. Det du skriver i tråden, går nå til {user}."
KEPT_AS_NOTE = "Greit – meldingen står i tråden som et notat, og {user} ser den ikke."
NOTE_TRANSFERRED = "{by} overførte samtalen til {to}. Det {to} skriver i tråden, går nå til {user}."
NOTE_TAKEN_OVER = "{to} tok over samtalen fra {agent}. Det {to} skriver i tråden, går nå til {user}."
NOTE_REQUEUED = "{by} satte samtalen tilbake i køen. Trykk «Ta saken» for å ta den."
EVENT_TRANSFERRED = "{by} overførte samtalen til {to}."
EVENT_TAKEN_OVER = "{to} tok over samtalen fra {agent}."
EVENT_REQUEUED = "{by} satte samtalen tilbake i køen."
END_RESOLVED = "Avslutt – løst"
END_OPEN = "Avslutt – la saken stå åpen"
SAVE_RESOLVED = "Lagre som løst"
SAVE_OPEN = "Lagre som åpen sak"
TAKEN_BEFORE_YOU = "{agent} tok saken før deg."
NOT_FROM_CHANNEL = "Saken kan bare tas fra Kundeservice-kanalen."

WROTE = "**{name}:** {text}"  # a relayed message, both ways
FILE_IN_TICKET = "📎 {name} ({size}) legges ved saken i Pureservice når samtalen lagres."
FILE_TOO_LARGE = "📎 {name} er større enn {limit}, så Rakel kunne ikke ta den med. Be om den på annen måte."
FILE_NOT_FETCHED = "📎 {name} kunne ikke hentes fra Teams, så den kom ikke med. Be om å få den på nytt."
NOTE_YOUR_FILE_TOO_LARGE = "📎 {name} er større enn {limit}, så Rakel kunne ikke sende den til {user}."
NOTE_YOUR_FILE_NOT_FETCHED = "📎 {name} kunne ikke hentes fra Teams, så {user} fikk den ikke. Prøv å sende den på nytt."
NOTE_LEFT_QUEUE = "{user} gikk ut av køen."
NOTE_USER_ENDED = "{user} avsluttet samtalen. Velg på kortet om den skal lagres som løst eller åpen sak."
NOTE_ENDED = "Samtalen er avsluttet av {who} ({outcome})."
NOTE_SAVED = "{who} valgte å lagre samtalen: {outcome}."
NOTE_NOBODY_YET = "Ingen har tatt denne på {minutes} minutter. {user} har fått tilbud om å lage sak, men står fortsatt i kø."
NOTE_EXPIRED = "Kundeservice har stengt, og {user} har fått tilbud om å lage sak i stedet."
NOTE_SAVED_AS_OPEN = "Ingen valgte hvordan samtalen skulle lagres, så den lagres som åpen sak."
NOTE_CLAIM_FIRST = "Trykk «Ta saken» på kortet først, så går meldingene dine til {user}."
NOTE_CHAT_OVER = "Samtalen er avsluttet, så meldingen ble ikke sendt til {user}."
NOTE_TICKET = "Samtalen er lagret som {ticket} ({outcome})."
NOTE_FILED_BEFORE_CHOICE = ("Ingen har valgt ennå, så samtalen er lagret som åpen sak med en gang. "
                            "Velger dere «Lagre som løst», blir saken oppdatert til løst.")
NOTE_TICKET_RESOLVED = "Sak {number} er oppdatert til løst i Pureservice."
NOTE_TICKET_QUEUED = "Pureservice svarer ikke akkurat nå; samtalen lagres som sak ({outcome}) så snart den er tilbake."
NOTE_TICKET_REFUSED = ("Pureservice tok ikke imot samtalen som sak ({reason}). Den ligger i utboksen og prøves "
                       "igjen av seg selv; kortet viser når den er lagret.")
NOTE_UNREACHABLE = "Meldingen nådde ikke {user}, som ikke lenger har Rakel i Teams. Ta kontakt på annen måte."

# --- the transcript ticket ----------------------------------------------------------------------
TICKET_SUBJECT = "Chat med Kundeservice: {summary}"
TICKET_SUBJECT_EMPTY = "Chat med Kundeservice via Rakel"
TICKET_HEADER = "Chat mellom {user} og {agent} (Kundeservice) via Rakel, {day} kl. {start}–{end}."
TICKET_OUTCOME = "Utfall: {outcome}"
TICKET_OUTCOME_RESOLVED = "Løst i chatten"
TICKET_OUTCOME_OPEN = "Ikke løst i chatten – trenger oppfølging"
TICKET_SOLUTION = "Løst i chat med {agent} fra Kundeservice. Samtalen står i beskrivelsen."
TICKET_CATEGORY = "Foreslått kategori: {category}"
TICKET_SUMMARY = "Hva det gjelder: {summary}"
TICKET_TRANSCRIPT = "Samtalen (personopplysninger maskert):"
TICKET_LINE = "[{time}] {who}: {text}"
TICKET_NO_MESSAGES = "(ingen meldinger)"
TICKET_ATTACHMENT = "[vedlegg: {name}]"
