"""Combine the coverage data of the CI passes and print what they cover together.

Usage: python .ci/coverage_summary.py var/coverage/.coverage.embedded var/coverage/.coverage.postgresql

Prints each pass's own total, then the combined figure per app and in total, and the least covered
modules; writes the HTML report to var/coverage/html/. The combined data goes to the data file of
[tool.coverage.run] in pyproject.toml (var/coverage/.coverage); the passes' files are kept.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import coverage

APPS = ("talentcircles", "candidates", "messaging", "engagement")
LEAST_COVERED = 8
HTML = Path("var/coverage/html")


def total_of(data_file: str) -> float:
    measured = coverage.Coverage(data_file=data_file)
    measured.load()  # without it, report() finds no data (and discards the file)
    return measured.report(file=io.StringIO())


def main(pass_files: list[str]) -> int:
    missing = [name for name in pass_files if not Path(name).exists()]
    if missing:
        print(f"no coverage data in {', '.join(missing)}: was `make test COVERAGE=<pass>` run?")
        return 1
    print(f"  {'each pass':14} {'cover':>26}")
    for name in pass_files:
        print(f"  {Path(name).suffix.lstrip('.'):14} {total_of(name):25.1f}%")

    combined = coverage.Coverage()
    combined.combine(pass_files, keep=True)
    combined.save()
    report = HTML.parent / "coverage.json"
    combined.json_report(outfile=str(report))
    combined.html_report(directory=str(HTML))
    files = json.loads(report.read_text())["files"]

    print(f"\n  {'both passes':14} {'statements':>10} {'missed':>7} {'cover':>6}")
    for app in (*APPS, None):
        mine = [f["summary"] for path, f in files.items() if app is None or path.startswith(f"{app}/")]
        statements = sum(s["num_statements"] for s in mine)
        missed = sum(s["missing_lines"] for s in mine)
        cover = 100 * (statements - missed) / statements if statements else 100.0
        print(f"  {app or 'total':14} {statements:>10,} {missed:>7,} {cover:5.1f}%")

    print(f"\n  least covered modules (all of them: {HTML}/index.html):")
    ranked = sorted(files.items(), key=lambda item: (item[1]["summary"]["percent_covered"], item[0]))
    for path, data in ranked[:LEAST_COVERED]:
        summary = data["summary"]
        print(
            f"  {summary['percent_covered']:5.1f}%  {path}  "
            f"({summary['missing_lines']} of {summary['num_statements']} statements not run)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
