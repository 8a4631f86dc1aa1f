"""Word lists of the embedded router."""

# Short messages made only of these words are greetings; longer ones are questions.
GREETING_EXTRA_WORDS = 2
SMALLTALK = frozenset({"greeting", "help", "thanks"})

STOP_WORDS = frozenset(
    "en ei et ein eit the a an to of on om til for med å i på dette det den denne meg deg "
    "jeg eg du vi me kan kunne vil ville skal please pls gjerne".split()
)
