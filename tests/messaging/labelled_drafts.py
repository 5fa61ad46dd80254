"""The labelled drafts of `data/labelled_drafts.json`, run through the personalisation check.

Shared by tests/messaging/test_checks_labelled.py (which fails when precision or recall drops) and
benchmarks/draft_findings.py (which prints the confusion figures and the throughput). The profiles
are saved as real candidates, with their skills and a résumé, because that is what the check reads;
the drafts are checked with `draft_findings`, the part of the check that needs no message history
(the mass-message count is left out: it depends on what else was sent that day).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from candidates.models import Candidate, Resume, Skill
from messaging.checks import draft_findings
from talentcircles.models import Organization

DATA = Path(__file__).resolve().parent / "data" / "labelled_drafts.json"
# The findings the set is labelled for; every draft says for each whether it must be present or absent.
SCORED = ("generic", "placeholder", "wrong_company", "wrong_industry")
LANGUAGES = ("en", "de", "fr", "es")
_PROFILE_FIELDS = ("first_name", "last_name", "headline", "current_title", "current_company", "industry", "city")
_PROFILE_FIELDS += ("region", "country_code")


@cache
def labelled_set() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def drafts() -> list[dict[str, Any]]:
    return labelled_set()["drafts"]


@dataclass(frozen=True)
class Outcome:
    draft: dict[str, Any]
    found: frozenset[str]

    def expected(self, code: str) -> bool | None:
        """True when `code` must be found, False when it must not, None when the draft does not say."""
        if code in self.draft["present"]:
            return True
        return False if code in self.draft["absent"] else None


@dataclass(frozen=True)
class Confusion:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0

    @property
    def precision(self) -> float:
        """Of the drafts given the finding, the share that should have it (1.0 when none was given it)."""
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        """Of the drafts that should have the finding, the share given it (1.0 when none should)."""
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


def organizations() -> dict[str, Organization]:
    """The organisations the drafts are sent from, saved (get or create by slug)."""
    names = sorted({draft["organization"] for draft in drafts()})
    return {
        name: Organization.objects.get_or_create(slug="labelled-" + name.lower().replace(" ", "-"), name=name)[0]
        for name in names
    }


def create_candidates(org: Organization) -> dict[str, Candidate]:
    """Every profile of the set as a candidate of `org`, with its skills and résumé text; keyed as in the set."""
    people: dict[str, Candidate] = {}
    for key, profile in labelled_set()["profiles"].items():
        person = Candidate.objects.create(
            organization=org, email=f"{key}@labelled.example", **{field: profile[field] for field in _PROFILE_FIELDS}
        )
        for name in profile["skills"]:
            skill, _ = Skill.objects.get_or_create(organization=org, key=name.casefold(), defaults={"name": name})
            person.skills.add(skill)
        if profile["resume_text"]:
            Resume.objects.create(
                organization=org,
                candidate=person,
                file=f"resumes/labelled/{key}.pdf",
                original_name=f"{key}.pdf",
                kind=Resume.Kind.PDF,
                size=len(profile["resume_text"]),
                text=profile["resume_text"],
            )
        people[key] = person
    # As a bulk send reads them: skills prefetched.
    fetched = Candidate.objects.filter(pk__in=[person.pk for person in people.values()]).prefetch_related("skills")
    by_pk = {person.pk: person for person in fetched}
    return {key: by_pk[person.pk] for key, person in people.items()}


def evaluate(candidates: dict[str, Candidate], orgs: dict[str, Organization]) -> list[Outcome]:
    """Check every draft of the set for its candidate, from its organisation."""
    outcomes = []
    for draft in drafts():
        findings = draft_findings(
            candidate=candidates[draft["candidate"]],
            subject=draft["subject"],
            body=draft["body"],
            template_body=draft.get("template"),
            organization=orgs[draft["organization"]],
        )
        outcomes.append(Outcome(draft=draft, found=frozenset(f.code for f in findings)))
    return outcomes


def confusion(outcomes: Iterable[Outcome], code: str, language: str | None = None) -> Confusion:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for outcome in outcomes:
        expected = outcome.expected(code)
        if expected is None or (language is not None and outcome.draft["language"] != language):
            continue
        found = code in outcome.found
        counts[("t" if found == expected else "f") + ("p" if found else "n")] += 1
    return Confusion(counts["tp"], counts["fp"], counts["fn"], counts["tn"])


def mistakes(outcomes: Iterable[Outcome], code: str) -> list[str]:
    """ "id: false positive (note)" for every draft where the finding is wrong."""
    wrong = []
    for outcome in outcomes:
        expected = outcome.expected(code)
        if expected is not None and (code in outcome.found) != expected:
            kind = "missed" if expected else "false positive"
            wrong.append(f"{outcome.draft['id']}: {kind} ({outcome.draft['note']})")
    return wrong
