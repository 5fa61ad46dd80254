"""Written replies understood: the intent of a reply in nine languages, its effects and corrections.

`classify(text)` (classifier.py) says what a reply means and which phrase decided; the phrase
tables live in `languages/`, one module per language; `later.py` reads when to ask again.
"""

from messaging.replies.classifier import INTENTS, ReplyIntent, classify

__all__ = ["INTENTS", "ReplyIntent", "classify"]
