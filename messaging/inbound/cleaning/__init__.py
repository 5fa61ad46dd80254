"""The reply itself: quoted history, client signatures and phone footers taken out of a body.

`headers` finds where the quoted previous mail starts ("On … wrote:" in many languages, Outlook
blocks, separators), `signatures` what a client adds under the answer, and `reply` walks the lines
once with both. No third-party parser: see docs/messaging.md, "Replies in", for what is kept and why.
"""

from messaging.inbound.cleaning.reply import MAX_CLEAN_INPUT, clean_reply

__all__ = ["MAX_CLEAN_INPUT", "clean_reply"]
