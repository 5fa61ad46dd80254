"""The community digest: each member's new posts, one e-mail per their chosen frequency.

One task runs often (every few minutes) and handles every frequency: a member is due when
their last digest is older than their period (immediately: always; weekly: 7 days; monthly:
30 days). A digest holds the published posts of the public circles where the member has
"e-mail me posts" on, published since they joined and not e-mailed to them before.

Never sent to the unsubscribed, the erased, do-not-contact or undeliverable addresses, a
suppressed address, or anyone whose latest answer to the messages consent is not "granted".
The `DigestDelivery` rows (unique per candidate and post) are inserted in the same transaction
that builds the e-mail, which is sent once that transaction commits: a post goes to a person
at most once, even when two runs overlap.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from candidates.consent import with_message_consent
from candidates.models import Candidate, DigestFrequency
from engagement.circles import unsubscribe
from engagement.circles.models import Circle, CircleMembership, DigestDelivery, Post
from messaging.policy import community_recipients

Frequency = DigestFrequency
# How often a member at each frequency may get a digest (keyed by frequency, looked up by its value).
PERIODS: dict[str, timedelta] = {
    Frequency.IMMEDIATELY: timedelta(0),
    Frequency.WEEKLY: timedelta(days=7),
    Frequency.MONTHLY: timedelta(days=30),
}
# How far back a digest looks for posts: twice the period, so a late run loses nothing
# (what was already sent is excluded by DigestDelivery, never by the window).
LOOKBACK: dict[str, timedelta] = {
    Frequency.IMMEDIATELY: timedelta(days=2),
    Frequency.WEEKLY: timedelta(days=14),
    Frequency.MONTHLY: timedelta(days=62),
}
MAX_POSTS = 25  # per e-mail; the rest wait for the next digest
CHUNK = 500


def _recent_posts(frequency: str, now: datetime) -> list[Post]:
    return list(
        Post.objects.published()
        .filter(
            circle__visibility=Circle.Visibility.PUBLIC,
            published_at__gt=now - LOOKBACK[frequency],
            published_at__lte=now,
        )
        .only("pk", "circle_id", "published_at", "organization_id")
        .order_by("published_at", "pk")
    )


def digest_recipients(*, frequency: str, circle_ids: set[int], now: datetime) -> QuerySet[Candidate]:
    """Members at this frequency who may be e-mailed and are due, in circles that have new posts."""
    members = CircleMembership.objects.filter(circle_id__in=circle_ids, email_posts=True).values("candidate_id")
    recipients = community_recipients(Candidate.objects.filter(pk__in=members, digest_frequency=frequency))
    # The contact policy for community mail (consent and unsubscribe rules only), and on top of it:
    # a digest goes only to those whose latest answer to messages is "yes".
    recipients = with_message_consent(recipients).filter(consents_to_messages=True)
    if PERIODS[frequency]:
        recent = DigestDelivery.objects.filter(sent_at__gt=now - PERIODS[frequency]).values("candidate_id")
        recipients = recipients.exclude(pk__in=recent)
    return recipients.order_by("pk")


def community_digests_send(*, now: datetime | None = None, frequency: str | None = None) -> int:
    """Send every due member their digest (or only members at `frequency`); returns how many e-mails."""
    now = now or timezone.now()
    if frequency is not None and frequency not in PERIODS:
        raise ValueError(f"Digests go out {', '.join(PERIODS)}; not {frequency!r}.")
    sent = 0
    for current in [frequency] if frequency else list(PERIODS):
        posts = _recent_posts(current, now)
        if not posts:
            continue
        by_circle: dict[int, list[Post]] = defaultdict(list)
        for post in posts:
            by_circle[post.circle_id].append(post)
        recipients = digest_recipients(frequency=current, circle_ids=set(by_circle), now=now)
        ids = list(recipients.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            sent += _send_chunk(ids[start : start + CHUNK], by_circle, now)
    return sent


def _send_chunk(candidate_ids: list[int], by_circle: dict[int, list[Post]], now: datetime) -> int:
    post_ids = [post.pk for posts in by_circle.values() for post in posts]
    delivered = set(
        DigestDelivery.objects.filter(candidate_id__in=candidate_ids, post_id__in=post_ids).values_list(
            "candidate_id", "post_id"
        )
    )
    due: dict[int, list[Post]] = defaultdict(list)
    memberships = CircleMembership.objects.filter(
        candidate_id__in=candidate_ids, circle_id__in=list(by_circle), email_posts=True
    ).values_list("candidate_id", "circle_id", "joined_at")
    for candidate_id, circle_id, joined_at in memberships:
        for post in by_circle[circle_id]:
            assert post.published_at is not None  # only published posts are gathered
            if post.published_at >= joined_at and (candidate_id, post.pk) not in delivered:
                due[candidate_id].append(post)
    candidates = Candidate.objects.select_related("organization").in_bulk(list(due))
    sent = 0
    for candidate_id, posts in due.items():
        candidate = candidates[candidate_id]
        posts = sorted(posts, key=lambda p: (p.published_at, p.pk))[:MAX_POSTS]
        sent += digest_send(candidate=candidate, post_ids=[p.pk for p in posts], now=now)
    return sent


def digest_send(*, candidate: Candidate, post_ids: list[int], now: datetime) -> bool:
    """Claim these posts for the candidate and e-mail them once committed; False if a run claimed one first."""
    try:
        with transaction.atomic():
            DigestDelivery.objects.bulk_create(
                [DigestDelivery(candidate=candidate, post_id=post_id, sent_at=now) for post_id in post_ids]
            )
            posts = list(Post.objects.filter(pk__in=post_ids).select_related("circle").order_by("-published_at"))
            message = _message(candidate, posts, now)
            # robust: one refused address must not stop the other members' digests.
            transaction.on_commit(message.send, robust=True)
    except IntegrityError:
        return False
    return True


def _portal_url(name: str, org_slug: str) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=[org_slug])
    except NoReverseMatch:  # the preferences page belongs to the candidates app's portal
        return settings.SITE_URL + reverse("community_landing", args=[org_slug])


def _excerpt(post: Post) -> str:
    return Truncator(strip_tags(post.body_html).strip()).chars(280)


def _message(candidate: Candidate, posts: list[Post], now: datetime) -> EmailMultiAlternatives:
    org = candidate.organization
    circles = sorted({post.circle_id: post.circle for post in posts}.values(), key=lambda circle: circle.name)
    with timezone.override(org.time_zone or "UTC"):
        context = {
            "org": org,
            "candidate": candidate,
            "items": [{"post": post, "excerpt": _excerpt(post)} for post in posts],
            "now": now,
            "frequency": candidate.get_digest_frequency_display(),
            "feed_url": _portal_url("portal_feed", org.slug),
            "events_url": _portal_url("portal_events", org.slug),
            "circles_url": _portal_url("portal_circles", org.slug),
            "preferences_url": _portal_url("portal_preferences", org.slug),
            # One-click, no sign-in (engagement/circles/unsubscribe.py): each circle's posts, or all of them.
            "circle_unsubscribes": [
                {"circle": circle, "url": unsubscribe.circle_unsubscribe_url(candidate, circle.pk)}
                for circle in circles
            ],
            "unsubscribe_url": unsubscribe.community_unsubscribe_url(candidate),
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("emails/digest_subject.txt", context).strip(),
            body=render_to_string("emails/digest_body.txt", context),
            from_email=org.from_address(),
            to=[candidate.email],
            reply_to=org.reply_to_addresses(),
            headers={
                # RFC 2369 and RFC 8058: the mail client's one-click POST stops all community e-mail.
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                # RFC 2919: mail clients file and filter the organisation's digests as one list.
                "List-Id": f"{org.name} community <community.{org.slug}.{settings.INBOUND_EMAIL_DOMAIN}>",
                # RFC 3834: no out-of-office or vacation reply to an automated digest.
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(render_to_string("emails/digest_body.html", context), "text/html")
    return message
