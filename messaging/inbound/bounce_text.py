"""Delivery failures that are not (only) an RFC 3464 report: what mail servers write to a human.

Postfix, Exim, qmail, Sendmail, Exchange, Domino, Courier, Gmail, Outlook.com, Yahoo and the
rest each word their notices their own way; this module knows the senders, the subjects and the
sentences, and reads the failed address, the status code and the server's words out of the text.
Used by `detection.detect_bounce` alongside the structured report.
"""

from __future__ import annotations

import re

# Local parts that only machines send from. An empty or null sender (`From: <>`, `Return-Path: <>`)
# is checked separately.
BOUNCE_SENDER = re.compile(
    r"^(?:mailer[-_]?daemon|mail[-_]?daemon|post_?master|mail[-_]?delivery[-_]?(?:system|subsystem)?|"
    r"mailerdaemon|mmdf|double-bounce|bounces?|bounce-notification|mail\.?admin|maildelivery|"
    r"nobody|noreply-dmarc-support|no-?reply-?mailer|microsoftexchange[0-9a-f]*|exchange(?:admin)?|"
    r"mail[-_]?router|smtp[-_]?gateway|mta|returned[-_]?mail|delivery[-_]?status)"
    r"(?:[+=.][^@]*)?@",
    re.IGNORECASE,
)
# Display names such as "Mail Delivery Subsystem" <…@gmail.com> or "Mail Delivery System".
BOUNCE_SENDER_NAME = re.compile(
    r"mail\s+delivery\s+(?:subsystem|system|service)|mailer[-\s]?daemon|postmaster|"
    r"microsoft\s+outlook|delivery\s+status\s+notification",
    re.IGNORECASE,
)
BOUNCE_SUBJECT = re.compile(
    r"""(?:
        undeliver | undelivered | non[-\s]?deliver | not\s+(?:be\s+)?delivered | could\s+not\s+be\s+delivered
      | delivery\s+(?:status\s+notification|failure|failed|has\s+failed|problem|error|report|notification)
      | returned\s+mail | returned\s+to\s+sender | failure\s+notice | mail\s+delivery | message\s+delivery
      | delivery\s+status | delivery\s+notification | postmaster\s+notify | mail\s+failure | message\s+failure
      | error\s+sending | (?:could|can)\s?not\s+(?:send|deliver) | warning:\s+could\s+not\s+send
      | delayed\s+mail | (?:mail|message|delivery)\s+(?:is\s+)?delayed | still\s+being\s+retried
      | unzustellbar | nicht\s+zustellbar | unzustellbare | non\s+remis | non\s+distribuable
      | no\s+(?:se\s+puede\s+)?entrega | non\s+recapitabile | onbestelbaar | niet\s+bezorgd
      | mail\s+system\s+error | rejected\s+mail | mail\s+rejected | message\s+rejected | bounced?\s+mail
      | \bbounce\b | \bDSN\b | \bNDR\b | mail\s+not\s+delivered | message\s+not\s+delivered
      | your\s+message\s+(?:to|could|wasn't|was\s+not) | sorry,\s+your\s+message
      | there\s+was\s+an\s+error | notice:\s+mail | mail\s+could\s+not | mail\s+failed | returning\s+to\s+sender
      | are\s+not\s+(?:a\s+)?member | loop\s+alert | mail\s+loop | loop\s+detected
      | メールエラー | エラー通知 | 配信エラー | 不達 | 配送エラー | 送信エラー
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Sentences a mail server writes in a failure notice; one of them in the body is enough when the
# sender or the subject already look like a machine's.
BOUNCE_BODY = re.compile(
    r"""(?:
        could\s+not\s+be\s+delivered | couldn'?t\s+be\s+delivered | (?:was|were)\s+not\s+delivered
      | (?:delivery|deliver)\s+(?:to\s+the\s+following\s+recipients?\s+)?(?:has\s+)?failed
      | permanent(?:ly)?\s+(?:error|failure|fatal) | fatal\s+errors?
      | undeliverable | undelivered | non[-\s]delivery | delivery\s+status\s+notification
      | unable\s+to\s+deliver | i'?m\s+afraid\s+i\s+wasn'?t\s+able\s+to\s+deliver
      | wasn'?t\s+delivered | message\s+(?:was\s+)?(?:rejected|returned|bounced|blocked)
      | returned\s+to\s+(?:the\s+)?sender | this\s+is\s+the\s+mail\s+system\s+at
      | mail\s+delivery\s+(?:failed|system|subsystem) | address(?:es)?\s+failed
      | user\s+unknown | unknown\s+user | no\s+such\s+(?:user|mailbox|recipient|address|domain)
      | mailbox\s+(?:unavailable|full|not\s+found|is\s+full|does\s+not\s+exist|quota)
      | recipient\s+(?:address\s+)?(?:rejected|unknown|not\s+found) | host\s+(?:or\s+domain\s+name\s+)?not\s+found
      | does\s+not\s+exist | over\s+quota | quota\s+exceeded | relay(?:ing)?\s+denied
      | (?:^|\n)\s*[45][0-9][0-9][\s-]+[45]\.[0-9]{1,3}\.[0-9]{1,3}
      | reporting-mta: | final-recipient: | diagnostic-code:
      | the\s+following\s+(?:message|addresses|recipients?)\s+(?:to|had|could|failed|were)
      | delivery\s+(?:to\s+)?(?:the\s+following\s+)?recipients?\s+failed
      | (?:hi\.?\s+)?this\s+is\s+the\s+qmail-send\s+program
      | message\s+could\s+not\s+be\s+delivered | delivery\s+has\s+failed | delivery\s+to\s+.{1,80}\s+failed
      | has\s+not\s+yet\s+been\s+delivered | will\s+(?:continue\s+to\s+)?retry | retry\s+timeout
      | will\s+(?:continue\s+to\s+|keep\s+)?try(?:ing)?\s+(?:to\s+deliver|to\s+send|again\s+(?:later|for|until))
      | delivery\s+(?:is\s+)?delayed | delivery\s+(?:temporarily\s+)?suspended | still\s+trying
      | unzustellbar | konnte\s+nicht\s+zugestellt | n'a\s+pas\s+pu\s+être\s+(?:remis|distribué)
      | no\s+se\s+(?:ha\s+)?pud[oe]\s+entregar | non\s+è\s+stato\s+(?:possibile\s+)?(?:recapitat|consegnat)
      | kon\s+niet\s+worden\s+bezorgd | não\s+(?:pôde|foi\s+possível)\s+(?:ser\s+)?entreg
      | no\s+valid\s+recipients | failed\s+addresses | unknown\s+host | invalid\s+(?:user|recipient)\s+address
      | not\s+a\s+member\s+of\s+this\s+(?:mailing\s+)?list | duplicated\s+message-id | too\s+many\s+hops
      | 送信できませんでした | 配信できませんでした | 届きませんでした
    )""",
    re.IGNORECASE | re.VERBOSE,
)
DELAYED_SUBJECT = re.compile(
    r"\(delay\)|delayed|warning:\s+could\s+not\s+send|still\s+being\s+retried|delivery\s+delay|"
    r"not\s+(?:yet\s+)?been\s+delivered|will\s+retry|verzögert|retardée?|retrasad",
    re.IGNORECASE,
)
DELAYED_BODY = re.compile(
    r"has\s+not\s+yet\s+been\s+delivered|not\s+been\s+delivered\s+yet|will\s+(?:continue\s+to\s+)?"
    r"(?:retry|try\s+(?:to\s+deliver|again)|keep\s+trying)|still\s+trying|no\s+action\s+is\s+required\s+on\s+your\s+part|"
    r"this\s+is\s+a\s+warning\s+message\s+only|delivery\s+(?:attempts?\s+)?(?:will\s+continue|is\s+delayed)|"
    r"temporarily\s+deferred",
    re.IGNORECASE,
)
DELIVERED_SUBJECT = re.compile(
    r"\(success\)|\bdelivered:|delivery\s+(?:status\s+notification\s+)?\(?success|"
    r"successful(?:ly)?\s+delivered|delivery\s+receipt|relayed:|zugestellt:|remis\s*:",
    re.IGNORECASE,
)
# "550 5.1.1", "5.1.1", "#5.1.1": the first enhanced status code in a text.
STATUS_CODE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
SMTP_REPLY = re.compile(r"(?<![\d.])([45])[0-9]{2}(?=[\s-])")
ADDRESS = re.compile(r"<?([A-Za-z0-9._%+=/'!#$&*^`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24})>?")
# The part of a notice where the returned original starts: everything after it is the original.
ORIGINAL_STARTS = re.compile(
    r"^(?:-+\s*(?:original\s+message|below\s+this\s+line|this\s+is\s+a\s+copy|the\s+original|"
    r"returned\s+message|message\s+header)|---\s*Below\s+this\s+line|Original\s+message\s+(?:headers?:|follows)|"
    r"-+\s*Start\s+of\s+(?:returned|original))",
    re.IGNORECASE | re.MULTILINE,
)
# Hard: the address or its domain does not exist, or will never take mail. Everything else is soft.
HARD_STATUS = re.compile(r"^5\.(?:1\.(?:1|2|3|6|10)|0\.0)$")
HARD_TEXT = re.compile(
    r"""(?:
        user\s+unknown | unknown\s+user | no\s+such\s+(?:user|mailbox|recipient|address|domain)
      | (?:mailbox|recipient|address|account|user)\s+(?:\S+\s+)?(?:does\s+not|doesn'?t)\s+exist
      | does\s+not\s+exist | (?:invalid|unknown|bad)\s+(?:recipient|mailbox|address|user)
      | recipient\s+(?:address\s+)?(?:unknown|not\s+found|invalid) | not\s+our\s+customer
      | (?:mailbox|account)\s+(?:not\s+found|unavailable) | doesn'?t\s+have\s+an?\s+\S+\s+account
      | user\s+not\s+found | no\s+mailbox\s+here | unrouteable\s+address | invalid\s+(?:final\s+delivery\s+)?userid
      | not\s+listed\s+in\s+(?:the\s+)?\S*\s*directory | ディレクトリのリストにありません
      | host\s+(?:or\s+domain\s+name\s+)?not\s+found | domain\s+not\s+found | no\s+such\s+domain
      | host\s+unknown | unknown\s+host | nxdomain | null\s+mx | no\s+mx\s+record | invalid\s+domain
      | illegal\s+host | couldn'?t\s+find\s+a\s+mail\s+exchanger | domain\s+is\s+not\s+reachable
      | does\s+not\s+accept\s+mail | has\s+moved | no\s+longer\s+(?:available|in\s+use|valid|active)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# The failure is about our sender address (or domain), not the recipient's: never the recipient's hard bounce.
SENDER_PROBLEM = re.compile(r"sender\s+address|domain\s+of\s+sender|sender\s+(?:domain|rejected)", re.IGNORECASE)
SOFT_TEXT = re.compile(
    r"""(?:
        mailbox\s+(?:is\s+)?full | over\s+quota | quota\s+exceeded | exceeded\s+(?:the\s+|its\s+)?(?:storage|quota)
      | insufficient\s+(?:system\s+)?storage | try\s+again\s+later | greylist | temporar(?:y|ily)
      | too\s+many | rate\s+limit | deferred | timed?\s*out | retry | suspended | spam | blocked
      | blacklist | blocklist | policy | reputation | dmarc | spf | dkim | too\s+large | size\s+limit
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def status_in(text: str) -> str:
    """The first enhanced status code (5.1.1) in a text, or the class of a bare SMTP reply (550 → 5.0.0)."""
    found = STATUS_CODE.search(text)
    if found:
        return ".".join(found.groups())
    reply = SMTP_REPLY.search(text)
    return f"{reply.group(1)}.0.0" if reply else ""


def notice_text(text: str) -> str:
    """The server's own words: the notice up to where the returned original begins, at most 20,000 characters."""
    text = text[:60_000]
    start = ORIGINAL_STARTS.search(text)
    return (text[: start.start()] if start else text)[:20_000]


def failed_address(text: str, *, skip: tuple[str, ...] = ()) -> str:
    """The first address a notice names that is not the sender's own (nor the server's)."""
    for found in ADDRESS.finditer(text):
        address = found.group(1).strip(".").lower()
        if address in skip or BOUNCE_SENDER.match(address):
            continue
        return address[:254]
    return ""


def diagnostic_line(text: str) -> str:
    """The line of a notice that says why: the one with a status code or a failure phrase."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and (STATUS_CODE.search(stripped) or SMTP_REPLY.match(stripped) or HARD_TEXT.search(stripped)):
            return stripped[:500]
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and (SOFT_TEXT.search(stripped) or BOUNCE_BODY.search(stripped)):
            return stripped[:500]
    return ""


def is_hard_failure(status: str, diagnostic: str) -> bool:
    """A 5.x.x failure because the address or its domain does not exist or will not take mail.

    Mailbox full, over quota, blocked, spam, policy, greylisting, any 4.x.x and any problem with
    our own sender address are soft.
    """
    if status.startswith(("2", "4")) or status in ("5.1.7", "5.1.8") or SENDER_PROBLEM.search(diagnostic):
        return False
    if re.search(r"mailbox\s+(?:is\s+)?full|over\s+quota|quota\s+exceeded", diagnostic, re.IGNORECASE):
        return False
    if HARD_STATUS.match(status) and status != "5.0.0":
        return True
    return bool(HARD_TEXT.search(diagnostic)) and not SOFT_TEXT.search(diagnostic)
