"""Writes of talent circles: circles, memberships, posts (Markdown rendered safely), RSVPs, calendar files.

Every write takes the organisation or an object that carries it, runs in `transaction.atomic`
and raises `ValidationError` with field messages a recruiter or candidate can act on.
Candidate-facing writes (`circle_join`, `circle_leave`, `rsvp`) only ever reach public circles:
a private circle is a recruiter's segment and answers as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import markdown
import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from candidates.models import Candidate
from engagement.circles.models import Circle, CircleMembership, Post, Rsvp
from engagement.timeline.models import Activity
from engagement.timeline.services import activity_record
from talentcircles.models import Organization, User

Kind = Activity.Kind
JoinedVia = CircleMembership.JoinedVia

# --- Markdown ---------------------------------------------------------------------------------

# What a post may contain once rendered: text structure and links, nothing that runs or restyles
# the page (no script, style, iframe, form, image or event-handler attribute survives).
ALLOWED_TAGS = frozenset(
    {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "code", "pre",
     "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td"}
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]
MAX_BODY_LENGTH = 20_000


def render_markdown(text: str) -> str:
    """Markdown to HTML that is safe to show as is: an allow-list of tags, http(s)/mailto links only."""
    html = markdown.markdown(text or "", extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# --- Circles ----------------------------------------------------------------------------------


def _check_circle_fields(org: Organization, *, name: str, visibility: str, exclude_pk: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the circle a name."]
    elif len(name) > 120:
        errors["name"] = ["Keep the name under 120 characters."]
    else:
        twins = Circle.objects.for_org(org).filter(name__iexact=name)
        if exclude_pk:
            twins = twins.exclude(pk=exclude_pk)
        if twins.exists():
            errors["name"] = [f"There is already a circle called “{name}”."]
    if visibility not in Circle.Visibility.values:
        errors["visibility"] = [f"Choose one of: {', '.join(Circle.Visibility.values)}."]
    if errors:
        raise ValidationError(errors)


def _unique_slug(org: Organization, name: str) -> str:
    base = slugify(name)[:70] or "circle"
    taken = set(Circle.objects.for_org(org).filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def circle_create(
    *,
    org: Organization,
    actor: User | None,
    name: str,
    description: str = "",
    visibility: str = Circle.Visibility.PRIVATE,
) -> Circle:
    name, description = (name or "").strip(), (description or "").strip()
    _check_circle_fields(org, name=name, visibility=visibility)
    return Circle.objects.create(
        organization=org,
        name=name,
        slug=_unique_slug(org, name),
        description=description,
        visibility=visibility,
        created_by=actor,
    )


@transaction.atomic
def circle_update(
    *, circle: Circle, name: str | None = None, description: str | None = None, visibility: str | None = None
) -> Circle:
    """Change the fields given; the slug stays, so links to the circle keep working."""
    name = circle.name if name is None else name.strip()
    visibility = circle.visibility if visibility is None else visibility
    _check_circle_fields(circle.organization, name=name, visibility=visibility, exclude_pk=circle.pk)
    circle.name, circle.visibility = name, visibility
    if description is not None:
        circle.description = description.strip()
    circle.save(update_fields=["name", "description", "visibility"])
    return circle


@transaction.atomic
def circle_delete(*, circle: Circle) -> None:
    """Remove the circle with its memberships, posts and RSVPs; timeline rows keep their text."""
    circle.delete()


@dataclass(frozen=True)
class MembersAdded:
    added: int
    already: int


def _own_circle(org: Organization, circle: Circle) -> None:
    if circle.organization_id != org.pk:
        raise Circle.DoesNotExist("No such circle.")


@transaction.atomic
def circle_add_members(
    *, org: Organization, circle: Circle, candidates: QuerySet[Candidate], via: str = JoinedVia.RECRUITER
) -> MembersAdded:
    """Add the organisation's (not erased) candidates in `candidates` to the circle; members already in stay."""
    _own_circle(org, circle)
    if via not in JoinedVia.values:
        raise ValueError(f"Unknown way of joining {via!r}.")
    ids = set(candidates.filter(organization=org, erased_at=None).values_list("pk", flat=True))
    already = set(
        CircleMembership.objects.filter(circle=circle, candidate_id__in=ids).values_list("candidate_id", flat=True)
    )
    now = timezone.now()
    new = [CircleMembership(circle=circle, candidate_id=cid, joined_via=via, joined_at=now) for cid in ids - already]
    # ignore_conflicts: a candidate who joins in the portal meanwhile is simply a member already.
    CircleMembership.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
    return MembersAdded(added=len(new), already=len(already))


@transaction.atomic
def circle_remove_members(*, org: Organization, circle: Circle, candidate_ids: Iterable[int]) -> int:
    """Remove these candidates from the circle; returns how many were members."""
    _own_circle(org, circle)
    deleted, _ = CircleMembership.objects.filter(circle=circle, candidate_id__in=list(candidate_ids)).delete()
    return deleted


def circle_remove_member(*, org: Organization, circle: Circle, candidate: Candidate) -> bool:
    return bool(circle_remove_members(org=org, circle=circle, candidate_ids=[candidate.pk]))


def _public_circle_of(candidate: Candidate, circle: Circle) -> None:
    # The same answer for another organisation's circle and a private one: neither exists for the candidate.
    if circle.organization_id != candidate.organization_id or circle.visibility != Circle.Visibility.PUBLIC:
        raise Circle.DoesNotExist("No such circle.")


@transaction.atomic
def circle_join(*, candidate: Candidate, circle: Circle) -> CircleMembership:
    """The candidate joins a public circle themselves (idempotent); the join is on their timeline."""
    _public_circle_of(candidate, circle)
    membership, created = CircleMembership.objects.get_or_create(
        circle=circle, candidate=candidate, defaults={"joined_via": JoinedVia.SELF}
    )
    if created:
        activity_record(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=Kind.CIRCLE_JOIN,
            summary=f"Joined the circle “{circle.name}”",
            actor_id=candidate.user_id,
            circle_id=circle.pk,
            details={"via": JoinedVia.SELF},
        )
    return membership


@transaction.atomic
def circle_leave(*, candidate: Candidate, circle: Circle) -> bool:
    """The candidate leaves a public circle; True if they were a member."""
    _public_circle_of(candidate, circle)
    deleted, _ = CircleMembership.objects.filter(circle=circle, candidate=candidate).delete()
    if deleted:
        activity_record(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=Kind.CIRCLE_LEAVE,
            summary=f"Left the circle “{circle.name}”",
            actor_id=candidate.user_id,
            circle_id=circle.pk,
        )
    return bool(deleted)


@transaction.atomic
def circle_set_email_posts(*, candidate: Candidate, circle: Circle, enabled: bool) -> CircleMembership:
    """Whether this circle's posts go into the candidate's e-mails; they must be a member."""
    _public_circle_of(candidate, circle)
    membership = CircleMembership.objects.select_for_update().filter(circle=circle, candidate=candidate).first()
    if membership is None:
        raise ValidationError({"circle": ["Join the circle first."]})
    if membership.email_posts != enabled:
        membership.email_posts = enabled
        membership.save(update_fields=["email_posts"])
    return membership


# --- Posts ------------------------------------------------------------------------------------

POST_FIELDS = (
    "kind", "title", "body", "job_url", "starts_at", "ends_at", "location", "online_url", "capacity", "circle",
)  # fmt: skip
EVENT_FIELDS = ("starts_at", "ends_at", "location", "online_url", "capacity")


def _apply_post_fields(post: Post, data: dict) -> None:
    unknown = set(data) - set(POST_FIELDS)
    if unknown:
        raise ValueError(f"Not post fields: {sorted(unknown)}")
    for name, value in data.items():
        if name == "circle":
            continue
        if isinstance(value, str):
            value = value.strip()
        setattr(post, name, value)
    if "circle" in data:
        circle = data["circle"]
        if not isinstance(circle, Circle) or circle.organization_id != post.organization_id:
            raise ValidationError({"circle": ["Choose one of this organisation's circles."]})
        post.circle = circle


def _validate_post(post: Post) -> None:
    errors: dict[str, list[str]] = {}
    if post.kind not in Post.Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(Post.Kind.values)}."]
    if not post.title:
        errors["title"] = ["Give the post a title."]
    if len(post.body or "") > MAX_BODY_LENGTH:
        errors["body"] = [f"Keep the text under {MAX_BODY_LENGTH:,} characters."]
    # Fields of another kind are dropped, not kept hidden: switching an event to an announcement
    # must not leave a date behind that the portal would show.
    if post.kind != Post.Kind.EVENT:
        post.starts_at = post.ends_at = post.capacity = None
        post.location = post.online_url = ""
    if post.kind != Post.Kind.JOB:
        post.job_url = ""
    if post.kind == Post.Kind.JOB and not post.job_url:
        errors["job_url"] = ["Add the link where people apply for the job."]
    if post.kind == Post.Kind.EVENT:
        if not post.starts_at:
            errors["starts_at"] = ["An event needs a start date and time."]
        elif post.ends_at and post.ends_at <= post.starts_at:
            errors["ends_at"] = ["The event must end after it starts."]
        if post.capacity is not None and post.capacity < 1:
            errors["capacity"] = ["Seats must be at least 1; leave it empty for unlimited."]
    try:
        post.full_clean(exclude=["organization", "circle", "author", "body_html", *errors])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    post.body_html = render_markdown(post.body)


@transaction.atomic
def post_create(*, org: Organization, circle: Circle, author: User | None, data: dict) -> Post:
    """A draft post in the circle (publish it with `post_publish`)."""
    _own_circle(org, circle)
    post = Post(organization=org, circle=circle, author=author)
    _apply_post_fields(post, {k: v for k, v in data.items() if k != "circle"})
    _validate_post(post)
    post.save()
    return post


@transaction.atomic
def post_update(*, post: Post, data: dict) -> Post:
    _apply_post_fields(post, data)
    _validate_post(post)
    post.updated_at = timezone.now()
    post.save()
    return post


@transaction.atomic
def post_publish(*, post: Post, now: datetime | None = None) -> Post:
    """Publish a draft: it shows in members' feeds and goes into their next e-mail. Publishing twice is harmless."""
    if post.status == Post.Status.PUBLISHED:
        return post
    now = now or timezone.now()
    if post.kind == Post.Kind.EVENT and post.starts_at and (post.ends_at or post.starts_at) < now:
        raise ValidationError({"starts_at": ["This event is over; change its date before publishing it."]})
    post.status, post.published_at, post.updated_at = Post.Status.PUBLISHED, now, now
    post.save(update_fields=["status", "published_at", "updated_at"])
    return post


@transaction.atomic
def post_unpublish(*, post: Post) -> Post:
    """Back to draft: hidden from the portal. Members who were e-mailed it are not e-mailed it again."""
    post.status, post.updated_at = Post.Status.DRAFT, timezone.now()
    post.save(update_fields=["status", "updated_at"])
    return post


@transaction.atomic
def post_delete(*, post: Post) -> None:
    post.delete()


# --- RSVPs and calendar files ----------------------------------------------------------------

EVENT_FULL = "This event is full."


def _candidate_can_see(candidate: Candidate, post: Post) -> bool:
    return (
        post.organization_id == candidate.organization_id
        and post.status == Post.Status.PUBLISHED
        and post.circle.visibility == Circle.Visibility.PUBLIC
        and CircleMembership.objects.filter(circle_id=post.circle_id, candidate=candidate).exists()
    )


@transaction.atomic
def rsvp(*, candidate: Candidate, post: Post, response: str, now: datetime | None = None) -> Rsvp:
    """Answer yes or no to an event of one of the candidate's circles; a yes takes a seat if one is left.

    The event's row is locked while the seats are counted, so two people answering at once for
    the last seat cannot both get it: the second one is told the event is full.
    """
    now = now or timezone.now()
    if response not in Rsvp.Response.values:
        raise ValidationError({"response": ["Answer yes or no."]})
    locked = Post.objects.select_for_update().filter(pk=post.pk, kind=Post.Kind.EVENT).first()
    if locked is None or not _candidate_can_see(candidate, locked):
        raise Post.DoesNotExist("No such event.")
    if locked.starts_at and (locked.ends_at or locked.starts_at) < now:
        raise ValidationError({"response": ["This event is over."]})
    previous = Rsvp.objects.filter(post=locked, candidate=candidate).first()
    if response == Rsvp.Response.YES and locked.capacity is not None:
        taken = Rsvp.objects.filter(post=locked, response=Rsvp.Response.YES).exclude(candidate=candidate).count()
        if taken >= locked.capacity:
            raise ValidationError({"response": [EVENT_FULL]})
    if previous is not None and previous.response == response:
        return previous
    answer, _ = Rsvp.objects.update_or_create(
        post=locked, candidate=candidate, defaults={"response": response, "responded_at": now}
    )
    going = response == Rsvp.Response.YES
    activity_record(
        organization_id=candidate.organization_id,
        candidate_id=candidate.pk,
        kind=Kind.RSVP,
        summary=f"{'Going to' if going else 'Not going to'} “{locked.title}”",
        actor_id=candidate.user_id,
        occurred_at=now,
        circle_id=locked.circle_id,
        details={"post_id": locked.pk, "response": response},
    )
    return answer


def seats_left(post: Post) -> int | None:
    """Seats still free, or None for an event without a limit."""
    if post.capacity is None:
        return None
    taken = Rsvp.objects.filter(post=post, response=Rsvp.Response.YES).count()
    return max(post.capacity - taken, 0)


def ics_for(post: Post) -> bytes:
    """The event as an iCalendar file: times in the organisation's time zone (TZID with its VTIMEZONE)."""
    org = post.organization
    zone = ZoneInfo(org.time_zone or "UTC")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//TalentCircles//Community events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "talentcircles"
    event.add("uid", f"post-{post.pk}@{host}")
    event.add("dtstamp", (post.updated_at or timezone.now()).astimezone(ZoneInfo("UTC")))
    event.add("summary", post.title)
    if post.starts_at is None:
        raise ValueError("Only an event with a start time has a calendar file.")
    event.add("dtstart", post.starts_at.astimezone(zone))
    if post.ends_at:
        event.add("dtend", post.ends_at.astimezone(zone))
    if post.location:
        event.add("location", post.location)
    if post.online_url:
        event.add("url", post.online_url)
    description = "\n\n".join(part for part in (post.body, post.online_url) if part)
    if description:
        event.add("description", description)
    event.add("organizer", f"mailto:{org.sender_email or 'noreply@' + host}", parameters={"CN": org.name})
    calendar.add_component(event)
    if zone.key != "UTC":
        calendar.add_missing_timezones()
    return calendar.to_ical()
