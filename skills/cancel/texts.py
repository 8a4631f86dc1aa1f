"""What Rakel says when the user cancels."""

from core.texts import Localized

CANCELLED = Localized(nb="Greit, jeg har avbrutt. Hva kan jeg hjelpe deg med?",
                      nn="Greitt, eg har avbrote. Kva kan eg hjelpe deg med?",
                      en="OK, cancelled. What can I help you with?")
NOTHING_TO_CANCEL = Localized(nb="Det er ingenting å avbryte. Hva kan jeg hjelpe deg med?",
                              nn="Det er ingenting å avbryte. Kva kan eg hjelpe deg med?",
                              en="There is nothing to cancel. What can I help you with?")
