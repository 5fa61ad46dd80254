"""What a mail client adds under the answer: a "-- " signature and "Sent from my iPhone" footers.

Sign-offs the candidate typed ("Thanks, Alex", "Best regards,\\nJane Doe\\n+44 …") are not here on
purpose: they are kept (see docs/messaging.md, "Replies in").
"""

# ruff: noqa: RUF001 -- the patterns are written in the languages they read
from __future__ import annotations

import re

# The signature delimiter (RFC 3676 "-- "; many clients drop the space) and a lone dash.
_DELIMITER = re.compile(r"^(?:--|\u2014|\u2013)[ \t]*$")

# A footer names a device or an app in a few words: no comma, no sentence after it.
_WHAT = r"[^,;:!?\n]{1,48}?[.!]?(?:\s*[(<]\S+[)>])?"
_FOOTER = re.compile(
    rf"""^\s*(?:
        sent\s+(?:from|with|via|using|by)\s+{_WHAT}                             # en
      | get\s+outlook\s+for\s+{_WHAT}
      | von\s+meinem\s+{_WHAT}\s+gesendet | gesendet\s+(?:von|mit|vom|aus)\s+{_WHAT}  # de
      | envoy[ée]\s+(?:de|depuis|à\s+partir\s+de|avec)\s+{_WHAT}                 # fr
      | obtenir\s+outlook\s+pour\s+{_WHAT}
      | enviado\s+(?:desde|con|do|de|pelo)\s+{_WHAT}                            # es, pt
      | obtener\s+outlook\s+para\s+{_WHAT} | obter\s+o\s+outlook\s+para\s+{_WHAT}
      | inviato\s+(?:da|dal|con)\s+{_WHAT} | scarica\s+outlook\s+per\s+{_WHAT}  # it
      | (?:verzonden|verstuurd)\s+(?:vanaf|van|met|via)\s+{_WHAT}               # nl
      | skickat\s+(?:från|med)\s+{_WHAT} | hämta\s+outlook\s+för\s+{_WHAT}      # sv
      | sendt\s+(?:fra|med)\s+{_WHAT} | (?:få|hent)\s+outlook\s+(?:for|til)\s+{_WHAT}  # no, da
      | wysłan[eo]\s+(?:z|ze|przy\s+użyciu)\s+{_WHAT} | pobierz\s+outlook\s+dla\s+{_WHAT}  # pl
      | отправлено\s+(?:с|из|со)\s+{_WHAT} | скачать\s+outlook\s+для\s+{_WHAT}  # ru
      | [^\n]{{1,30}}から送信                                                    # ja
      | lähetetty\s+{_WHAT}                                                     # fi
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_FOOTER_CHARS = 120
# The first words of the footers above: a line that starts otherwise is not one (a cheap first look).
_FOOTER_FIRST_WORDS = frozenset(
    (
        *("sent", "get", "von", "gesendet", "envoyé", "envoye", "obtenir", "enviado", "obtener", "obter"),
        *("inviato", "scarica", "verzonden", "verstuurd", "skickat", "hämta", "sendt", "få", "hent"),
        *("wysłane", "wysłano", "pobierz", "отправлено", "скачать", "lähetetty"),
    )
)
# Under a footer, no more than this may come before the quote or the end for it to be one.
_FOOTER_TRAILING_LINES = 2
_FOOTER_TRAILING_CHARS = 40
_FOOTER_LOOKBACK = 30  # lines, blank ones included


def is_delimiter(line: str) -> bool:
    """ "-- " (or "--", or a lone dash): the client's signature starts on the next line."""
    return bool(_DELIMITER.match(line))


def is_footer(line: str) -> bool:
    """ "Sent from my iPhone", "Von meinem iPhone gesendet", "Get Outlook for Android", … in the languages above."""
    if len(line) > _FOOTER_CHARS:
        return False
    words = line.split(None, 1)
    if not words or (words[0].lower() not in _FOOTER_FIRST_WORDS and not line.rstrip().endswith("から送信")):
        return False
    return bool(_FOOTER.match(line))


def footer_start(kept: list[str]) -> int | None:
    """Where a footer starts among the last lines of `kept` (the answer so far, just above a quote or the end).

    A footer counts only where it is safe: among the last lines, with no more than a name or two
    under it ("Sent from my desk, which is easier" and a sentence after a footer stay).
    """
    trailing = 0
    for position in range(len(kept) - 1, max(-1, len(kept) - 1 - _FOOTER_LOOKBACK), -1):
        line = kept[position]
        if not line.strip():
            continue
        if is_footer(line):
            return position
        trailing += 1
        if trailing > _FOOTER_TRAILING_LINES or len(line.strip()) > _FOOTER_TRAILING_CHARS:
            return None
    return None
