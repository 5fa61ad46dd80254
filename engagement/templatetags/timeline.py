"""Template filters for the timeline, the pipeline board and "My day"."""

from __future__ import annotations

from django import template

from engagement.timeline.models import Activity

register = template.Library()

# Unicode symbols that common text fonts (DejaVu, Segoe UI Symbol, Apple Symbols) carry, so no icon
# library is needed; U+FE0E asks for the text form where a symbol also has an emoji one. Shown with
# aria-hidden next to the kind's name.
TEXT = "\ufe0e"
KIND_ICONS = {
    "message_out": "✉" + TEXT,
    "reply_in": "↩" + TEXT,
    "auto_reply": "⚙" + TEXT,
    "bounce": "⚠" + TEXT,
    "complaint": "⊗",
    "note": "✎",
    "call": "☎" + TEXT,
    "meeting": "◷",
    "stage_change": "⇄",
    "circle_join": "◎",
    "circle_leave": "○",
    "rsvp": "✓",
    "import": "⇩",
    "created": "✚",
    "profile_change": "✐",
    "consent_change": "⚖" + TEXT,
    "unsubscribe": "⊘",
    "community_opt_out": "⊖",
    "merge": "⋈",
    "reclassified": "✎",
    "job_interest": "★",
}


_KIND_LABELS = dict(Activity.Kind.choices)


@register.filter
def kind_icon(kind: str) -> str:
    return KIND_ICONS.get(kind, "•")


@register.filter
def kind_label(kind: str) -> str:
    """The kind's name; a dict lookup, cheaper than `get_kind_display` on every row of a long page."""
    return _KIND_LABELS.get(kind, kind)


@register.filter
def duration(seconds) -> str:
    """A length of time in its largest sensible unit: "45 minutes", "5 hours", "12 days"."""
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return ""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "less than a minute"


@register.filter
def strength_level(score) -> str:
    """A word for a 0-100 relationship score (also its CSS modifier)."""
    score = int(score or 0)
    return "strong" if score >= 70 else "warm" if score >= 40 else "cool" if score >= 20 else "cold"
