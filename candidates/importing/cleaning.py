"""Cleaning a row before it is stored: the name is what makes it a person; the rest can be left out.

Real files carry values no field can hold: a phone "Upon request", LinkedIn's member URN where
the e-mail would be, an industry that is not in the list, a city longer than the field. Such
an optional field is left out with a warning naming the field and the value, and the row
still imports; the warnings are kept per row in the job's report. Only the name cannot be
left out: a row with neither a first nor a last name is skipped with `NO_NAME`, unless it
matches someone already known (who has a name), and a name too long to store fails the row.

Both write paths (the batch and `candidate_upsert` row by row) clean through `readable`,
so they leave out the same fields with the same words.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import CharField

from candidates import normalise
from candidates.models import Candidate
from candidates.services import PROFILE_FIELDS, profile_clean

NO_NAME = "No name: skipped (a new candidate needs a first or last name)."
# What a row can do without. The owner is the job's, checked once; the name is the person.
OPTIONAL_FIELDS = frozenset(PROFILE_FIELDS) - {"first_name", "last_name", "owner"}

_MODEL_FIELDS = tuple(f.name for f in Candidate._meta.fields)
_FIELDS = {f.name: f for f in Candidate._meta.fields}
# In the model's order, so the warnings of a row read in the order of its form.
_OPTIONAL_MODEL_FIELDS = tuple(name for name in _MODEL_FIELDS if name in OPTIONAL_FIELDS)
_VALID_CHOICES = {
    f.name: frozenset(value for value, _label in f.flatchoices) | ({""} if f.blank else set())
    for f in Candidate._meta.fields
    if f.choices
}
# Text fields whose only model validation is their length (and presence when not blank).
_TEXT_LIMITS = {
    f.name: (f.max_length, f.blank)
    for f in Candidate._meta.fields
    if type(f) is CharField
    and f.max_length is not None
    and not f.choices
    and [type(v) for v in f.validators] == [MaxLengthValidator]
}


def _left_out(name: str, messages: list[str]) -> str:
    return f"{name}: {' '.join(messages)} Left out."


def readable(data: dict) -> tuple[dict, list[str]]:
    """`profile_clean(data)` without the optional fields that cannot be stored, and a warning for each.

    The model's own checks (lengths, choices) are made here too, so what is returned stores as
    it is. The name is not checked beyond that: a missing one is the caller's `NO_NAME`, a bad
    one fails the row where it always did. A last name alone becomes the first name, as a
    one-word full name does.
    """
    data, warnings = dict(data), []
    while True:  # each round leaves out at least one field, so it ends
        try:
            cleaned = profile_clean(data)
        except ValidationError as exc:
            # Leaving out the country can make a local phone number unreadable: that is the next round.
            for name, messages in exc.message_dict.items():
                warnings.append(_left_out(name, messages))
                del data[name]
        else:
            break
    for name, messages in _field_errors(cleaned).items():
        warnings.append(_left_out(name, messages))
        del cleaned[name]
    if not cleaned.get("first_name") and cleaned.get("last_name"):
        cleaned["first_name"] = cleaned.pop("last_name")
    return cleaned, warnings


def _field_errors(cleaned: dict) -> dict[str, list[str]]:
    """The model's messages for the optional fields it would refuse (too long, not a choice)."""
    errors = {}
    for name in _OPTIONAL_MODEL_FIELDS:
        value = cleaned.get(name)
        if value is None or value in _VALID_CHOICES.get(name, ()) or plainly_valid(name, value):
            continue
        try:
            _FIELDS[name].clean(value, None)
        except ValidationError as exc:
            errors[name] = exc.messages
    return errors


def plainly_valid(name: str, value: object) -> bool:
    """A text value `clean_fields` would accept as it is: a string within the length, present if required."""
    limits = _TEXT_LIMITS.get(name)
    if limits is None:
        return False
    max_length, blank = limits
    return isinstance(value, str) and len(value) <= max_length and (blank or value != "")


def check_fields(candidate: Candidate, names: set[str]) -> None:
    """Model field validation (lengths, choices, blanks) of just these fields.

    The owner is left out: validating a foreign key costs a query per row, and the
    job's owner is checked once.
    """
    names = names - {"owner"}
    if not candidate.time_zone and candidate.country_code:
        candidate.time_zone = normalise.time_zone_for(country=candidate.country_code, city=candidate.city)
        names = names | {"time_zone"}
    # A valid choice needs no check: Django's scans the ~600 time zones one by one. Nor does
    # plainly valid text; anything else goes through `clean_fields` for its exact messages.
    names = {
        name
        for name in names
        if getattr(candidate, name) not in _VALID_CHOICES.get(name, ())
        and not plainly_valid(name, getattr(candidate, name))
    }
    if names:
        candidate.clean_fields(exclude=[name for name in _MODEL_FIELDS if name not in names])
