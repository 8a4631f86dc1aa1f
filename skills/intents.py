"""What a user can want from Rakel. The router picks one per message; skills declare theirs."""

from enum import StrEnum


class Intent(StrEnum):
    KNOWLEDGE = "knowledge_question"  # the default
    CREATE_TICKET = "create_ticket"
    TALK_TO_HUMAN = "talk_to_human"
    TICKET_STATUS = "ticket_status"
    PC_REPLACEMENT = "pc_replacement"
    GREETING_HELP = "greeting_help"
    FEEDBACK = "feedback"
    OUT_OF_SCOPE = "out_of_scope"


INTENT_DESCRIPTIONS: dict[Intent, str] = {
    Intent.KNOWLEDGE: "An IT question or problem the user wants an answer to (the default).",
    Intent.CREATE_TICKET: "The user asks to create a ticket / report an issue to Kundeservice (the service desk).",
    Intent.TALK_TO_HUMAN: "The user wants to talk or chat with a person / agent / human at Kundeservice.",
    Intent.TICKET_STATUS: "The user asks about their own tickets or the status of a ticket.",
    Intent.PC_REPLACEMENT: "The user asks about replacing/ordering a new PC because theirs is old (PC-rullering).",
    Intent.GREETING_HELP: "A greeting, thanks, or asking what Rakel can do / help / menu.",
    Intent.FEEDBACK: "The user gives feedback about Rakel or its answers.",
    Intent.OUT_OF_SCOPE: "Not about IT or work tools at all (weather, sports, jokes, private matters).",
}
