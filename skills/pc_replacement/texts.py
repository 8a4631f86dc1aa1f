"""Every string the PC replacement skill shows, in bokmål, nynorsk and English."""

from __future__ import annotations

from core.texts import Localized

# --- the employee's card --------------------------------------------------------------------
CARD_TITLE = Localized(nb="Tid for ny PC", nn="Tid for ny PC", en="Time for a new PC")
REMINDER_TITLE = Localized(nb="Påminnelse: tid for ny PC", nn="Påminning: tid for ny PC",
                           en="Reminder: time for a new PC")
CARD_INTRO = Localized(
    nb="Hei {name}! PC-en din er {age} gammel. ROR-IKT bytter PC-er etter {years} år, så du kan bestille en ny nå. "
    "Lederen din godkjenner bestillingen, og Kundeservice tar kontakt om utlevering.",
    nn="Hei {name}! PC-en din er {age} gammal. ROR-IKT byter PC-ar etter {years} år, så du kan bestille ein ny no. "
    "Leiaren din godkjenner bestillinga, og Kundeservice tek kontakt om utlevering.",
    en="Hi {name}! Your PC is {age} old. ROR-IKT replaces PCs after {years} years, so you can order a new one now. "
    "Your leader approves the order, and Kundeservice will contact you about delivery.",
)
CARD_INTRO_MANY = Localized(
    nb="Hei {name}! Du har {count} PC-er som kan byttes nå (ROR-IKT bytter etter {years} år). Én bestilling gjelder "
    "alle. Lederen din godkjenner, og Kundeservice tar kontakt om utlevering.",
    nn="Hei {name}! Du har {count} PC-ar som kan bytast no (ROR-IKT byter etter {years} år). Éi bestilling gjeld "
    "alle. Leiaren din godkjenner, og Kundeservice tek kontakt om utlevering.",
    en="Hi {name}! You have {count} PCs that can be replaced now (ROR-IKT replaces after {years} years). One order "
    "covers them all. Your leader approves it, and Kundeservice will contact you about delivery.",
)
FACT_DEVICE = Localized(nb="Enhet", nn="Eining", en="Device")
FACT_MODEL = Localized(nb="Modell", nn="Modell", en="Model")
FACT_SERIAL = Localized(nb="Serienummer", nn="Serienummer", en="Serial number")
FACT_PURCHASED = Localized(nb="Kjøpt", nn="Kjøpt", en="Purchased")
FACT_AGE = Localized(nb="Alder", nn="Alder", en="Age")
FACT_EMPLOYEE = Localized(nb="Ansatt", nn="Tilsett", en="Employee")
FACT_DEPARTMENT = Localized(nb="Avdeling", nn="Avdeling", en="Department")
FACT_MUNICIPALITY = Localized(nb="Kommune", nn="Kommune", en="Municipality")
FACT_ORDERED = Localized(nb="Bestilt", nn="Bestilt", en="Ordered")
BUTTON_ORDER = Localized(nb="Bestill ny PC", nn="Bestill ny PC", en="Order a new PC")
BUTTON_LATER = Localized(nb="Minn meg på det senere", nn="Minn meg på det seinare", en="Remind me later")
BUTTON_NOT_MINE = Localized(nb="Dette er ikke min PC", nn="Dette er ikkje PC-en min", en="This is not my PC")

STATE_LATER = Localized(
    nb="Greit! Jeg minner deg på det om {days} dager. Du kan bestille når som helst med knappen under.",
    nn="Greitt! Eg minner deg på det om {days} dagar. Du kan bestille når som helst med knappen under.",
    en="OK! I will remind you in {days} days. You can order any time with the button below.",
)
STATE_ORDERED = Localized(
    nb="Bestilt {date}. Bestillingen venter på godkjenning fra {approver}.",
    nn="Bestilt {date}. Bestillinga ventar på godkjenning frå {approver}.",
    en="Ordered {date}. The order awaits approval from {approver}.",
)
STATE_ORDERED_NO_APPROVER = Localized(
    nb="Bestilt {date}. Vi finner riktig godkjenner og sender bestillingen videre.",
    nn="Bestilt {date}. Vi finn rett godkjennar og sender bestillinga vidare.",
    en="Ordered {date}. We are finding the right approver and will pass the order on.",
)
STATE_APPROVED = Localized(
    nb="Godkjent av {approver} {date}. Kundeservice har fått sak {ticket} og tar kontakt om utlevering.",
    nn="Godkjend av {approver} {date}. Kundeservice har fått sak {ticket} og tek kontakt om utlevering.",
    en="Approved by {approver} on {date}. Kundeservice has ticket {ticket} and will contact you about delivery.",
)
STATE_APPROVED_NO_TICKET = Localized(
    nb="Godkjent av {approver} {date}. Kundeservice får saken og tar kontakt om utlevering.",
    nn="Godkjend av {approver} {date}. Kundeservice får saka og tek kontakt om utlevering.",
    en="Approved by {approver} on {date}. Kundeservice gets the ticket and will contact you about delivery.",
)
STATE_REJECTED = Localized(
    nb="Avslått av {approver} {date}.", nn="Avslått av {approver} {date}.", en="Declined by {approver} on {date}."
)
COMMENT_LINE = Localized(nb="Kommentar: «{comment}»", nn="Kommentar: «{comment}»", en="Comment: “{comment}”")
STATE_NOT_MINE = Localized(
    nb="Takk for beskjeden! Kundeservice retter maskinregisteret.",
    nn="Takk for beskjeden! Kundeservice rettar maskinregisteret.",
    en="Thanks for telling us! Kundeservice will correct the device register.",
)
STATE_NOT_MINE_TICKET = Localized(
    nb="Takk for beskjeden! Kundeservice retter maskinregisteret (sak {ticket}).",
    nn="Takk for beskjeden! Kundeservice rettar maskinregisteret (sak {ticket}).",
    en="Thanks for telling us! Kundeservice will correct the device register (ticket {ticket}).",
)
ALREADY_ORDERED_AWAITING = Localized(
    nb="Du har allerede bestilt ny PC {date}; bestillingen venter på godkjenning fra {approver}.",
    nn="Du har allereie bestilt ny PC {date}; bestillinga ventar på godkjenning frå {approver}.",
    en="You already ordered a new PC on {date}; the order awaits approval from {approver}.",
)
ALREADY_ORDERED_NO_APPROVER = Localized(
    nb="Du har allerede bestilt ny PC {date}; vi finner riktig godkjenner og sender bestillingen videre.",
    nn="Du har allereie bestilt ny PC {date}; vi finn rett godkjennar og sender bestillinga vidare.",
    en="You already ordered a new PC on {date}; we are finding the right approver.",
)
ALREADY_ORDERED_APPROVED = Localized(
    nb="Du har allerede bestilt ny PC {date}; {approver} har godkjent.",
    nn="Du har allereie bestilt ny PC {date}; {approver} har godkjent.",
    en="You already ordered a new PC on {date}; {approver} has approved it.",
)
YOUR_LEADER = Localized(nb="lederen din", nn="leiaren din", en="your leader")
ORDERED_BY_SOMEONE_ELSE = Localized(
    nb="Denne PC-en er allerede bestilt byttet. Ta kontakt med Kundeservice hvis det er feil.",
    nn="Denne PC-en er allereie bestilt bytt. Ta kontakt med Kundeservice om det er feil.",
    en="A replacement for this PC has already been ordered. Please contact Kundeservice if that is wrong.",
)
NOT_YOUR_CARD = Localized(
    nb="Dette kortet gjelder PC-en til {name}, så knappene virker bare for {name}.",
    nn="Dette kortet gjeld PC-en til {name}, så knappane verkar berre for {name}.",
    en="This card is about {name}'s PC, so only {name} can use its buttons.",
)

# --- the approver's card --------------------------------------------------------------------
APPROVAL_TITLE = Localized(nb="Godkjenning: ny PC til {employee}", nn="Godkjenning: ny PC til {employee}",
                           en="Approval: a new PC for {employee}")
APPROVAL_INTRO = Localized(
    nb="{employee} har bestilt ny PC fordi den gamle er {age} gammel (ROR-IKT bytter etter {years} år). "
    "Godkjenner du byttet?",
    nn="{employee} har bestilt ny PC fordi den gamle er {age} gammal (ROR-IKT byter etter {years} år). "
    "Godkjenner du bytet?",
    en="{employee} has ordered a new PC because the old one is {age} old (ROR-IKT replaces after {years} years). "
    "Do you approve?",
)
APPROVAL_AS_FALLBACK = Localized(
    nb="Du får denne som reservegodkjenner fordi {employee} ikke har en aktiv leder registrert.",
    nn="Du får denne som reservegodkjennar fordi {employee} ikkje har ein aktiv leiar registrert.",
    en="You get this as the fallback approver because {employee} has no active leader on record.",
)
APPROVAL_AS_ESCALATION = Localized(
    nb="Du får denne som reservegodkjenner fordi lederen ikke har svart på {days} dager.",
    nn="Du får denne som reservegodkjennar fordi leiaren ikkje har svart på {days} dagar.",
    en="You get this as the fallback approver because the leader has not answered in {days} days.",
)
COMMENT_LABEL = Localized(nb="Kommentar til {employee} (valgfritt)", nn="Kommentar til {employee} (valfritt)",
                          en="Comment to {employee} (optional)")
COMMENT_PLACEHOLDER = Localized(nb="For eksempel hvorfor du avslår", nn="Til dømes kvifor du avslår",
                                en="For example why you decline")
BUTTON_APPROVE = Localized(nb="Godkjenn", nn="Godkjenn", en="Approve")
BUTTON_REJECT = Localized(nb="Avslå", nn="Avslå", en="Decline")
DECIDED_APPROVED = Localized(nb="Godkjent av {name} {date}.", nn="Godkjend av {name} {date}.",
                             en="Approved by {name} on {date}.")
DECIDED_REJECTED = Localized(nb="Avslått av {name} {date}.", nn="Avslått av {name} {date}.",
                             en="Declined by {name} on {date}.")
MOVED_TO = Localized(
    nb="Bestillingen er sendt videre til {approver}, som nå avgjør den.",
    nn="Bestillinga er send vidare til {approver}, som no avgjer ho.",
    en="The order has been passed on to {approver}, who now decides.",
)
ONLY_APPROVER = Localized(
    nb="Bare {approver} kan godkjenne eller avslå denne bestillingen. Ingenting er endret.",
    nn="Berre {approver} kan godkjenne eller avslå denne bestillinga. Ingenting er endra.",
    en="Only {approver} can approve or decline this order. Nothing was changed.",
)
ALREADY_DECIDED = Localized(
    nb="Denne bestillingen er allerede behandlet, så ingenting er endret.",
    nn="Denne bestillinga er allereie handsama, så ingenting er endra.",
    en="This order has already been decided, so nothing was changed.",
)
UNKNOWN_ORDER = Localized(
    nb="Jeg finner ikke denne bestillingen lenger. Skriv «jeg trenger ny PC» for å se status.",
    nn="Eg finn ikkje denne bestillinga lenger. Skriv «eg treng ny PC» for å sjå status.",
    en="I can no longer find this order. Write “I need a new PC” to see its status.",
)

# --- messages -------------------------------------------------------------------------------
TOLD_APPROVED = Localized(
    nb="Gode nyheter! {approver} har godkjent den nye PC-en din. Kundeservice har fått sak {ticket} og tar kontakt "
    "om utlevering.",
    nn="Gode nyheiter! {approver} har godkjent den nye PC-en din. Kundeservice har fått sak {ticket} og tek kontakt "
    "om utlevering.",
    en="Good news! {approver} has approved your new PC. Kundeservice has ticket {ticket} and will contact you about "
    "delivery.",
)
TOLD_APPROVED_QUEUED = Localized(
    nb="Gode nyheter! {approver} har godkjent den nye PC-en din. Saken sendes til Kundeservice så snart saks"
    "systemet svarer, og du får saksnummeret her.",
    nn="Gode nyheiter! {approver} har godkjent den nye PC-en din. Saka blir send til Kundeservice så snart saks"
    "systemet svarar, og du får saksnummeret her.",
    en="Good news! {approver} has approved your new PC. The ticket goes to Kundeservice as soon as the ticket "
    "system answers, and you will get its number here.",
)
TOLD_REJECTED = Localized(
    nb="{approver} har avslått bestillingen av ny PC.", nn="{approver} har avslått bestillinga av ny PC.",
    en="{approver} has declined your order for a new PC.",
)
TOLD_REJECTED_ASK = Localized(
    nb="Ta kontakt med {approver} hvis du har spørsmål.", nn="Ta kontakt med {approver} om du har spørsmål.",
    en="Please contact {approver} if you have questions.",
)
LEADER_REMINDER_ONE = Localized(
    nb="Påminnelse: {names} venter på at du godkjenner eller avslår bestillingen av ny PC. Kortet finner du lenger "
    "opp i chatten.",
    nn="Påminning: {names} ventar på at du godkjenner eller avslår bestillinga av ny PC. Kortet finn du lenger "
    "oppe i chatten.",
    en="Reminder: {names} is waiting for you to approve or decline their order for a new PC. The card is further "
    "up in this chat.",
)
LEADER_REMINDER_MANY = Localized(
    nb="Påminnelse: {count} bestillinger av ny PC venter på deg ({names}). Kortene finner du lenger opp i chatten.",
    nn="Påminning: {count} bestillingar av ny PC ventar på deg ({names}). Korta finn du lenger oppe i chatten.",
    en="Reminder: {count} orders for a new PC are waiting for you ({names}). The cards are further up in this chat.",
)

# --- "jeg trenger ny PC" -------------------------------------------------------------------
NO_INVENTORY = Localized(
    nb="Jeg får ikke slått opp maskinregisteret akkurat nå. PC-er byttes etter {years} år. Ring "
    "Kundeservice på {phone} hvis du lurer på din, eller prøv igjen senere.",
    nn="Eg får ikkje slått opp maskinregisteret akkurat no. PC-ar blir bytte etter {years} år. Ring "
    "Kundeservice på {phone} om du lurer på din, eller prøv igjen seinare.",
    en="I cannot look up the device register right now. PCs are replaced after {years} years. Call "
    "Kundeservice at {phone} if you wonder about yours, or try again later.",
)
NO_DEVICES = Localized(
    nb="Jeg finner ingen PC registrert på deg i maskinregisteret. PC-er byttes etter {years} år. Er PC-en "
    "din ødelagt eller treg, skriv «lag en sak», så hjelper Kundeservice deg.",
    nn="Eg finn ingen PC registrert på deg i maskinregisteret. PC-ar blir bytte etter {years} år. Er PC-en "
    "din øydelagd eller treg, skriv «lag ei sak», så hjelper Kundeservice deg.",
    en="I cannot find a PC registered to you in the device register. PCs are replaced when they are {years} years "
    "old. If yours is broken or slow, write “create a ticket” and Kundeservice will help.",
)
NOT_YET = Localized(
    nb="ROR-IKT bytter PC-er etter {years} år. Slik ser det ut for deg:\n\n{devices}\n\nEr PC-en ødelagt "
    "eller veldig treg før det, skriv «lag en sak», så ser Kundeservice på den.",
    nn="ROR-IKT byter PC-ar etter {years} år. Slik ser det ut for deg:\n\n{devices}\n\nEr PC-en øydelagd "
    "eller veldig treg før det, skriv «lag ei sak», så ser Kundeservice på han.",
    en="ROR-IKT replaces PCs after {years} years. This is how it looks for you:\n\n{devices}\n\nIf your "
    "PC is broken or very slow before then, write “create a ticket” and Kundeservice will look at it.",
)
NOT_YET_DEVICE = Localized(
    nb="- {model} ({serial}), kjøpt {purchased}, er {age} gammel og kan byttes fra {due}.",
    nn="- {model} ({serial}), kjøpt {purchased}, er {age} gammal og kan bytast frå {due}.",
    en="- {model} ({serial}), purchased {purchased}, is {age} old and can be replaced from {due}.",
)
ALREADY_HANDLED_DEVICE = Localized(
    nb="- {model} ({serial}) er allerede bestilt eller byttet.",
    nn="- {model} ({serial}) er allereie bestilt eller bytt.",
    en="- {model} ({serial}) has already been ordered or replaced.",
)
STATUS_INTRO = Localized(nb="Her er status for PC-bestillingen din:", nn="Her er status for PC-bestillinga di:",
                         en="Here is the status of your PC order:")

# --- tickets for Kundeservice (always bokmål) -------------------------------------------------
SWAP_SUBJECT = "PC-bytte godkjent: {employee} ({serials})"
SWAP_DESCRIPTION = (
    "Bytte av PC er godkjent av {approver} {date}.\n\n"
    "Ansatt: {employee} <{upn}>\nKommune: {municipality}\nAvdeling: {department}\n\n"
    "PC-er som skal byttes:\n{devices}\n\nKommentar fra godkjenner: {comment}\n\n"
    "(Opprettet av Rakel, PC-rullering {campaign}.)"
)
NOT_MINE_SUBJECT = "Rett maskinregisteret: {serials} er ikke PC-en til {employee}"
NOT_MINE_DESCRIPTION = (
    "{employee} <{upn}> sier at denne PC-en ikke er deres:\n{devices}\n\n"
    "Registeret sier: bruker {upn}, kommune {municipality}, avdeling {department}, leder {manager}.\n"
    "Finn riktig bruker og rett maskinregisteret.\n\n(Opprettet av Rakel, PC-rullering {campaign}.)"
)
DEVICE_LINE = "- {model}, serienummer {serial}, enhet {id}, kjøpt {purchased}"
