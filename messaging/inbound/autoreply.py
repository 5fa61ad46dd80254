"""Is this mail a machine answering for a person: an out-of-office, a vacation notice, an autoresponder?

Headers first (RFC 3834 `Auto-Submitted`, Microsoft's `X-Auto-Response-Suppress` together with
`X-MS-Exchange-Inbox-Rules-Loop`, the `X-Autoreply` / `X-Autorespond` family, `Precedence:
auto_reply`), then out-of-office subjects, then the opening sentence of the body, in English,
German, French, Spanish, Dutch, Italian, Portuguese, Polish and Swedish (plus the Nordic
neighbours and Czech for subjects). A body alone counts only when it opens with an absence
sentence and is short: a person who writes "I was out of office last week, but yes" is not a
machine. Bounces and spam complaints are checked before this (a bounce may carry
`Auto-Submitted: auto-replied` too).
"""

from __future__ import annotations

import re

from messaging.inbound.parsing import ParsedEmail

_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autoreply-From", "X-Mail-Autoreply")

OUT_OF_OFFICE_SUBJECT = re.compile(
    r"""(?:
        \bout\s+of\s+(?:the\s+)?office\b | \bOOO\b | \bOOTO\b
      | \bauto(?:matic|matische?|matique|mático|matico|mática|matica|matyczna|matisk|matiskt)?[\s-]*
        (?:reply|response|answer|antwort|réponse|respuesta|risposta|resposta|antwoord|odpowiedź|svar)\b
      | \bautoreply\b | \bauto-?responder\b | \bvacation\s+(?:reply|response|notice|message)\b
      | \bon\s+(?:vacation|holiday|holidays|leave|annual\s+leave|parental\s+leave|maternity\s+leave)\b
      | \baway\s+from\s+(?:the\s+|my\s+)?(?:office|desk)\b | \bI\s+am\s+away\b | \bI'?m\s+away\b
      | \bcurrently\s+away\b | \babsence\s+notice\b | \bout\s+of\s+the\s+country\b
      | \babwesenheit | \bnicht\s+im\s+büro | \babwesend\b | \bautomatische\s+antwort | \bim\s+urlaub\b
      | absence\s+du\s+bureau | \babsent(?:e)?(?![\w-]) | réponse\s+automatique | \ben\s+congés?\b
      | \bmessage\s+d'absence
      | fuera\s+de\s+(?:la\s+)?oficina | respuesta\s+automática | \bausente\b | \bde\s+vacaciones\b
      | fuori\s+(?:sede|ufficio) | risposta\s+automatica | \bassente\b | \bin\s+ferie\b
      | niet\s+aanwezig | afwezig | automatisch\s+antwoord | \bafwezigheid | \bop\s+vakantie\b
      | fora\s+do\s+escritório | resposta\s+automática | \bde\s+férias\b
      | frånvar | \bpå\s+semester\b | fraværende | ikke\s+på\s+kontoret | automatisk\s+svar
      | nieobecn | poza\s+biurem | \bna\s+urlopie\b | automatyczna\s+odpowiedź
      | automatická\s+odpověď
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# The opening sentence of an out-of-office body: "I am out of the office until…", "Ich bin bis…
# nicht im Büro", "Je suis absent(e)…", "Estoy fuera de la oficina…", "Ik ben afwezig…", "Sono
# fuori ufficio…", "Estou fora do escritório…", "Jestem nieobecny…", "Jag är ledig…".
OUT_OF_OFFICE_BODY = re.compile(
    r"""(?:
        \b(?:I\s+am|I'm|I\s+will\s+be|I'll\s+be|I\s+am\s+currently|I'm\s+currently)\s+(?:currently\s+|now\s+)?
          (?:out\s+of\s+(?:the\s+)?office|away\s+from\s+(?:the\s+|my\s+)?(?:office|desk)|on\s+(?:annual\s+|parental\s+|
          maternity\s+|paternity\s+|sick\s+)?(?:leave|vacation|holidays?)|travelling|traveling|off\s+(?:work|sick)
          |(?:away|out)\s+(?:until|till|through|on\s+(?:business|leave|holiday|vacation)|of\s+the\s+country
          |for\s+(?:the\s+)?(?:holidays?|week|day|rest\s+of)))\b
      | \bthank\s+you\s+for\s+your\s+(?:e-?mail|message)\.?\s+I\s+(?:am|will\s+be)\s+(?:currently\s+)?(?:out|away|on)
      | \b(?:this\s+is\s+an\s+)?automatic\s+(?:reply|response)\b | \bout\s+of\s+office\s+until\b
      | \bwith\s+(?:limited|no)\s+access\s+to\s+(?:my\s+)?e-?mail
      | \bich\s+bin\s+(?:derzeit\s+|zurzeit\s+|momentan\s+|aktuell\s+
          |bis\s+(?:zum\s+|einschließlich\s+)?[^\n.]{1,40}?\s+)?
          (?:nicht\s+im\s+büro|nicht\s+erreichbar|abwesend|außer\s+haus|im\s+urlaub|nicht\s+im\s+haus)
      | \bvielen\s+dank\s+für\s+ihre\s+(?:e-?mail|nachricht)\.?\s+ich\s+bin
      | \bje\s+suis\s+(?:actuellement\s+)?(?:absente?|en\s+congés?|en\s+vacances|hors\s+du\s+bureau|en\s+déplacement)
      | \bje\s+serai\s+(?:absente?|en\s+congés?|de\s+retour)
      | \bestoy\s+(?:actualmente\s+)?(?:fuera\s+de\s+(?:la\s+)?oficina|de\s+vacaciones|ausente)
      | \bestaré\s+(?:fuera|ausente|de\s+vacaciones)
      | \bik\s+ben\s+(?:momenteel\s+|op\s+dit\s+moment\s+|tot\s+[^\n.]{1,30}?\s+)?
          (?:afwezig|niet\s+aanwezig|niet\s+op\s+kantoor|op\s+vakantie|met\s+vakantie)
      | \bsono\s+(?:attualmente\s+)?(?:fuori\s+(?:sede|ufficio)|assente|in\s+ferie|in\s+vacanza)
      | \bsarò\s+(?:fuori\s+(?:sede|ufficio)|assente|in\s+ferie)
      | \bestou\s+(?:atualmente\s+|actualmente\s+)?(?:fora\s+do\s+escritório|ausente|de\s+férias)
      | \bestarei\s+(?:fora|ausente|de\s+férias)
      | \bjestem\s+(?:obecnie\s+|aktualnie\s+)?(?:nieobecn[ya]|poza\s+biurem|na\s+urlopie)
      | \bbędę\s+(?:nieobecn[ya]|poza\s+biurem|na\s+urlopie)
      | \bjag\s+är\s+(?:för\s+närvarande\s+|just\s+nu\s+)?(?:ledig|borta|frånvarande|på\s+semester|
          tjänstledig|inte\s+på\s+kontoret|föräldraledig)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Where the quoted mail starts: what comes after is ours, not the writer's.
_QUOTE_START = re.compile(
    r"^\s*>|^.{0,200}\b(?:wrote|schrieb|a\s+écrit|escribió|ha\s+scritto|schreef|escreveu|napisał)\b.{0,5}:\s*$",
    re.MULTILINE | re.IGNORECASE,
)
# A person answering while away: a question, or interest said in one of the nine languages.
_ANSWERING = re.compile(
    r"\?|\binterest(?:ed|ing)\b|\binteressiert|\bintéressée?\b|\binteresad[oa]\b|\binteressat[oa]\b"
    r"|\bgeïnteresseerd\b|\binteressad[oa]\b|\bzainteresowan|\bintresserad",
    re.IGNORECASE,
)
# A body this long is a person writing, whatever its first sentence says.
MAX_AUTO_BODY_CHARS = 3_000
BODY_OPENING_CHARS = 600


def is_out_of_office_subject(subject: str) -> bool:
    return bool(subject) and bool(OUT_OF_OFFICE_SUBJECT.search(subject[:300]))


def is_out_of_office_body(text: str) -> bool:
    """An absence notice: a short body whose first lines say the writer is away, and no more.

    A person who answers while away ("I'm on vacation until Monday, but yes, interested! When can
    we talk?") asks or answers something; a machine does not.
    """
    text = (text or "").strip()
    if not text or len(text) > MAX_AUTO_BODY_CHARS:
        return False
    opening = _QUOTE_START.split(text[:BODY_OPENING_CHARS], maxsplit=1)[0]
    return bool(OUT_OF_OFFICE_BODY.search(opening)) and not _ANSWERING.search(opening)


def auto_reply_reason(parsed: ParsedEmail) -> str:
    """Why this mail is an auto-reply ("Auto-Submitted: auto-replied", …), or "" when a person wrote it."""
    reason = _header_reason(parsed)
    if reason:
        return reason
    if is_out_of_office_subject(parsed.subject):
        return "out-of-office subject"
    if is_out_of_office_body(parsed.text):
        return "out-of-office message"
    return ""


def _header_reason(parsed: ParsedEmail) -> str:
    auto_submitted = parsed.header("Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if parsed.headers is None:
        return ""
    if parsed.headers.get("X-Auto-Response-Suppress") is not None and (
        parsed.headers.get("X-MS-Exchange-Inbox-Rules-Loop") is not None
    ):
        # Exchange marks its own automatic replies with this pair; a person's reply has at most the first.
        return "X-MS-Exchange-Inbox-Rules-Loop header"
    for name in _AUTO_HEADERS:
        if parsed.headers.get(name) is not None:
            return f"{name} header"
    if parsed.header("X-Autogenerated").lower() == "reply":
        return "X-Autogenerated: reply"
    if parsed.header("X-Auto-Reply").lower() in ("yes", "true", "1"):
        return "X-Auto-Reply header"
    precedence = parsed.header("Precedence").strip().lower()
    if precedence in ("auto_reply", "auto-reply", "bulk", "junk"):
        return f"Precedence: {precedence}"
    return ""
