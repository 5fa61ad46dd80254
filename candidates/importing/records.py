"""What every reader yields: one incoming candidate record, or the reason it cannot be one."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Record:
    """One row of a file, read into candidate profile fields.

    `row` is what a recruiter uses to find it again: the line number in a CSV file,
    the position in a JSON Resume array. `raw` keeps the row as it came, for the
    import's report. `error` is set when the row cannot even be read; `warnings` say
    what was left out of a row that imports all the same.
    """

    row: int
    raw: dict[str, str]
    data: dict = field(default_factory=dict)
    skills: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    error: str = ""
    warnings: list[str] = field(default_factory=list)
