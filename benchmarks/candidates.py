"""Candidate search, list page and import speed at scale (run by `make bench`; PostgreSQL only).

Prints figures; it is not a timed test. Needs an organisation with many candidates:
BENCH_ORG (default "demo") holding at least BENCH_CANDIDATES (default 1,000,000). With
BENCH_SEED=1 the missing ones are created with `manage.py seed_scale`; otherwise it says
how. BENCH_SEARCH_ROUNDS (default 40) requests per figure; BENCH_EXPLAIN=1 also prints
the EXPLAIN ANALYZE plans of every search (its ranked window and its page); BENCH_ONLY=search,
list or import runs that part alone; BENCH_IMPORT_ROWS (default 50,000) rows for the import figures, BENCH_IMPORT_BATCH
rows a batch (default: the runner's); BENCH_PROFILE=1 prints where the import spends its
time (cProfile, top 30 by BENCH_PROFILE_SORT, default cumulative). The import figure is
split into the Python process's own CPU time, the PostgreSQL backend's CPU time (read from
/proc when the server runs on this machine) and the rest (waiting: disk, locks, the other
processes on the machine). The data is left as it was: the import runs in a transaction
that is rolled back, and the benchmark's API token is deleted. A rolled-back import leaves
dead rows and index entries behind: VACUUM the candidate tables between runs you compare.
"""

from __future__ import annotations

import cProfile
import csv
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.exceptions import EmptyResultSet  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from candidates.models import Candidate, Skill  # noqa: E402
from candidates.seeding.people import COLUMNS, People  # noqa: E402
from candidates.selectors import CandidateFilters, candidate_list  # noqa: E402
from talentcircles.models import ApiToken, Membership, Organization  # noqa: E402
from talentcircles.services import api_token_create  # noqa: E402

ORG = os.environ.get("BENCH_ORG", "demo")
CANDIDATES = int(os.environ.get("BENCH_CANDIDATES", "1000000"))
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "40"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
IMPORT_BATCH = int(os.environ.get("BENCH_IMPORT_BATCH", "0"))  # 0: the runner's own batch size
SEED = os.environ.get("BENCH_SEED", "") == "1"
EXPLAIN = os.environ.get("BENCH_EXPLAIN", "") == "1"
PROFILE = os.environ.get("BENCH_PROFILE", "") == "1"
ONLY = os.environ.get("BENCH_ONLY", "")  # "search", "list" or "import": run that part alone
TOKEN_NAME = "benchmarks/candidates.py"  # noqa: S105 (a label, not a secret)


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def timed(run: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    run()  # warm up
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def figures(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 50):7.1f} ms  p95 {percentile(samples, 95):7.1f} ms"


def organisation() -> Organization:
    org = Organization.objects.filter(slug=ORG).first()
    if org is None:
        sys.exit(f'No organisation "{ORG}". Create one with `python manage.py seed_demo` or set BENCH_ORG.')
    have = Candidate.objects.for_org(org).count()
    if have < CANDIDATES:
        missing = CANDIDATES - have
        if not SEED:
            sys.exit(
                f'"{ORG}" has {have:,} candidates; this benchmark measures at {CANDIDATES:,}. Seed the rest with\n'
                f"  python manage.py seed_scale --org {ORG} --candidates {missing}\n"
                f"or run it with BENCH_SEED=1 (or BENCH_CANDIDATES={have} to measure at the present size)."
            )
        print(f'seeding {missing:,} candidates into "{ORG}" first (BENCH_SEED=1)')
        call_command("seed_scale", org=ORG, candidates=missing)
    return org


def search_queries(org: Organization) -> list[tuple[str, str]]:
    """Query kinds a recruiter types, drawn from the organisation's own data so each has answers."""
    candidates = Candidate.objects.for_org(org)
    with connection.cursor() as cursor:
        # A sample keeps this cheap at a million rows and still finds the commonest name.
        cursor.execute(
            "SELECT first_name FROM candidates_candidate TABLESAMPLE SYSTEM (5) WHERE organization_id = %s "
            "GROUP BY first_name ORDER BY count(*) DESC LIMIT 1",
            [org.pk],
        )
        common = (cursor.fetchone() or ["john"])[0]
    bounds = candidates.order_by("pk").values_list("pk", flat=True)
    middle = (bounds.first() + bounds.last()) // 2
    person = candidates.filter(pk__gte=middle).exclude(current_company="").order_by("pk").first()
    skill = person.skills.order_by("name").first() or Skill.objects.for_org(org).first()
    return [
        ("common first name", common.lower()),
        ("full name", person.full_name.lower()),
        ("misspelt name", misspelt(person.full_name)),
        ("misspelt first name", misspelt(common)),
        ("skill", skill.name.lower() if skill else "python"),
        ("company", person.current_company.lower()),
        ("e-mail", person.email),
        # Accent-blind: the seeded names are written with their accents (candidates/seeding/people.py).
        ("folded surname", "muller"),
        ("German ue surname", "mueller"),
        ("folded first name", "jurgen"),
        ("folded Polish name", "wisniewski"),
        ("folded full name", "jurgen schafer"),
        ("folded company", "societe lumiere"),
        ("misspelt surname", "torvlads"),  # Linus Torvalds is one of seed_demo's people
        ("no word in common", "turing nasa"),
    ]


def misspelt(name: str) -> str:
    """ "John Smith" → "jonh smith": the first name's last two letters swapped, as fast typists do.

    One slip is what the trigram branch is tuned for: two ("jonh smiht", similarity 0.29)
    fall under pg_trgm's 0.3 threshold and find no one.
    """
    first, _, rest = name.lower().partition(" ")
    if len(first) > 3:
        first = first[:-2] + first[-1] + first[-2]
    return f"{first} {rest}".strip()


def api_ready(client: Client) -> bool:
    response = client.get("/api/v1/candidates/", {"search": "benchmark", "page_size": 1})
    return response.status_code == 200 and "results" in response.json()


def bench_search(org: Organization, membership: Membership) -> None:
    issued = api_token_create(membership=membership, name=TOKEN_NAME)
    client = Client(headers={"authorization": f"Token {issued.key}"})
    try:
        through_api = api_ready(client)
        where = (
            "API GET /api/v1/candidates/?search=…" if through_api else "selector candidate_list()[:25] (API not ready)"
        )
        print(
            f"search through the {where}; raw SQL = the selector's main query with LIMIT 25, "
            "all SQL = every SELECT the request ran, replayed back to back"
        )
        floor = timed(lambda: client.get("/api/v1/organization/"))
        print(f"  {'floor':18} {'GET /api/v1/organization/':36} {figures(floor)}  (auth, throttle, one row, JSON)")
        for kind, query in search_queries(org):
            queryset = candidate_list(org=org, filters=CandidateFilters(search=query))
            try:
                sql, params = queryset[:25].query.sql_with_params()
            except EmptyResultSet:  # nobody matched: Django runs no page query at all
                sql, params = "SELECT 1", ()
            if through_api:

                def run(query=query):
                    response = client.get("/api/v1/candidates/", {"search": query})
                    assert response.status_code == 200, response.status_code
                    return response.json()["count"]
            else:

                def run(queryset=queryset):
                    return len(list(queryset.all()[:25]))

            reset_queries()  # with DEBUG on the log is capped at 9,000 and would hide new queries
            with CaptureQueriesContext(connection) as captured:
                matches = run()
            samples = timed(run)
            raw = timed(lambda sql=sql, params=params: _execute(sql, params))
            reads = _reads(captured)
            every = timed(lambda reads=reads: _replay(reads))
            print(
                f"  {kind:18} {query[:34]!r:36} {figures(samples)}  queries {len(captured):2}  "
                f"raw SQL p95 {percentile(raw, 95):6.1f} ms  all SQL p50 {percentile(every, 50):6.1f} "
                f"p95 {percentile(every, 95):6.1f} ms  {'matches' if through_api else 'rows'} {matches:,}"
            )
            if EXPLAIN:
                for window in (read for read in reads if read.startswith("WITH")):
                    _explain(window, None)  # the ranked window's statement
                _explain(sql, params)
    finally:
        ApiToken.objects.filter(pk=issued.token.pk).delete()


def _execute(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def _reads(captured: CaptureQueriesContext) -> list[str]:
    """The SELECTs a request ran, as sent (values inlined), to time them without Django."""
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("SELECT", "WITH"))]


def _replay(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
            cursor.fetchall()


def _explain(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        for (line,) in cursor.fetchall():
            # The id arrays and long literals make plans unreadable; the shape is what matters.
            print(f"      {line[:160]}")


def bench_list_page(org: Organization, membership: Membership) -> None:
    client = Client()
    client.force_login(membership.user)
    url = f"/o/{org.slug}/candidates/"
    if client.get(url).status_code != 200:
        print(f"list page {url}: skipped (the page is not ready: {client.get(url).status_code})")
        return
    for label, params in (
        ("list page", {}),
        ("list page, page 200", {"page": 200}),
        ("list search", {"q": "smith"}),
        ("list search, typo", {"q": "jonh smith"}),
    ):

        def run(params=params):
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code

        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            run()
        reads = _reads(captured)
        every = timed(lambda reads=reads: _replay(reads))
        print(f"{label:20} GET {url}{'?' if params else ''}{'&'.join(f'{k}={v}' for k, v in params.items()):10} "
              f"{figures(timed(run))}  queries {len(captured)}  all SQL p50 {percentile(every, 50):6.1f} "
              f"p95 {percentile(every, 95):6.1f} ms")  # fmt: skip


HEADERS = ["First Name", "Last Name", "Email", "Phone", "Title", "Company", "Industry", "City", "Country",
           "LinkedIn URL", "Skills"]  # fmt: skip
MAPPING = dict(zip(HEADERS, ["first_name", "last_name", "email", "phone", "current_title", "current_company",
                             "industry", "city", "country_code", "linkedin_url", "skills"], strict=True))  # fmt: skip


def import_file(org: Organization) -> tuple[bytes, int]:
    """A CSV of IMPORT_ROWS people; one in ten is someone the organisation has, with a new skill."""
    skills = {s.pk: s.name for s in Skill.objects.for_org(org)}
    people = People(org_id=org.pk, run_id="bench" + str(os.getpid() % 10), seed=7, owner_ids=[],
                    skill_ids={name: pk for pk, name in skills.items()})  # fmt: skip
    column = {name: COLUMNS.index(name) for name in COLUMNS}
    known = list(
        Candidate.objects.for_org(org)
        .order_by("-pk")
        .values_list("first_name", "last_name", "email")[: IMPORT_ROWS // 10]
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for i in range(IMPORT_ROWS - len(known)):
        row, skill_ids = people.row(i)
        writer.writerow(
            [row[column[f]] for f in MAPPING.values() if f != "skills"] + [", ".join(skills[s] for s in skill_ids)]
        )
    for first, last, email in known:
        writer.writerow([first, last, email, "", "", "", "", "", "", "", "Benchmarking"])
    return out.getvalue().encode(), len(known)


def bench_import(org: Organization, membership: Membership) -> None:
    data, duplicates = import_file(org)
    rows = IMPORT_ROWS
    with transaction.atomic():
        with connection.cursor() as cursor:
            columns = ", ".join(f"c{n} text" for n in range(len(HEADERS)))
            cursor.execute(f"CREATE TEMP TABLE bench_import ({columns}) ON COMMIT DROP")
            start = time.perf_counter()
            with cursor.copy("COPY bench_import FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(data)
            seconds = time.perf_counter() - start
        print(
            f"import: raw COPY of {rows:,} CSV rows into a TEMP table  {rows / seconds:10,.0f} rows/s ({seconds:.2f} s)"
        )
        transaction.set_rollback(True)

    try:
        from candidates.importing.jobs import import_job_create
        from candidates.importing.runner import import_job_run
    except ImportError:
        print("import benchmark: pending candidates.importing")
        return
    job = None
    try:
        with transaction.atomic():
            profiler = cProfile.Profile() if PROFILE else None
            backend = _backend_pid()
            backend_start = _backend_cpu(backend)
            python_start = time.process_time()
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            job = import_job_create(
                org=org, actor=membership.user, upload=ContentFile(data, name="bench.csv"), mapping=MAPPING,
                enqueue=False,
            )  # fmt: skip
            job = import_job_run(job_id=job.pk, **({"batch_size": IMPORT_BATCH} if IMPORT_BATCH else {}))
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks a COMMIT runs
            seconds = time.perf_counter() - start
            python_cpu = time.process_time() - python_start
            backend_cpu = _backend_cpu(backend) - backend_start if backend_start is not None else None
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(30)
            transaction.set_rollback(True)  # leave the organisation as it was
        print(
            f"import: CSV through candidates.importing (with de-duplication) {rows / seconds:10,.0f} rows/s "
            f"({seconds:.1f} s; {duplicates:,} rows match existing people) — created {job.created:,}, "
            f"updated {job.updated:,}, skipped {job.skipped:,}, failed {job.failed:,}; rolled back"
        )
        print(_time_split(rows, seconds, python_cpu, backend_cpu))
        bench_sql_floor(org, membership)
    finally:
        if job is not None and job.file:
            job.file.storage.delete(job.file.name)


# What the floor's new candidates take from existing ones, column by column (the rest as they are):
# new ids and identities, no owner, portal account or contact yet, as an import would store them.
_FLOOR_COLUMNS = {
    "id": "p.new_id",
    "email": "CASE WHEN c.email = '' THEN '' ELSE 'floor.' || c.id || '.' || c.email END",
    "linkedin_url": "CASE WHEN c.linkedin_url = '' THEN '' ELSE c.linkedin_url || '-floor' END",
    "owner_id": "NULL", "user_id": "NULL", "last_contacted_at": "NULL", "last_replied_at": "NULL",
    "source": "'import'", "stage": "'new'", "created_at": "now()", "updated_at": "now()",
}  # fmt: skip


def bench_sql_floor(org: Organization, membership: Membership) -> None:
    """The writes of an import of IMPORT_ROWS new people in bare SQL, with no Python at all.

    Existing people are copied as new ones into the import's staging table; then the import's
    own INSERT … SELECT (search columns computed in it), their skill links, their timeline rows
    and the deferred foreign-key checks, each timed; rolled back. What the import could reach
    if its Python cost nothing: the ceiling the indexes and constraints set.
    """
    from candidates.importing import staging
    from engagement.timeline.models import Activity

    rows, timings = IMPORT_ROWS, {}
    select = ", ".join(_FLOOR_COLUMNS.get(column, f"c.{column}") for column in staging._COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_people ON COMMIT DROP AS SELECT id AS source_id, "
            "nextval(pg_get_serial_sequence('candidates_candidate', 'id')) AS new_id FROM candidates_candidate "
            "WHERE organization_id = %s ORDER BY id DESC LIMIT %s",
            [org.pk, rows],
        )
        cursor.execute(staging._CREATE_STAGING)
        cursor.execute(
            f"INSERT INTO {staging.STAGING} ({', '.join(staging._COLUMNS)}, skill_names, existing) "
            f"SELECT {select}, coalesce((SELECT string_agg(s.name, ' ') FROM candidates_candidate_skills cs "
            "JOIN candidates_skill s ON s.id = cs.skill_id WHERE cs.candidate_id = c.id), ''), false "
            "FROM bench_people p JOIN candidates_candidate c ON c.id = p.source_id"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_links ON COMMIT DROP AS SELECT p.new_id, cs.skill_id FROM bench_people p "
            "JOIN candidates_candidate_skills cs ON cs.candidate_id = p.source_id"
        )
        cursor.execute("SELECT count(*) FROM bench_links")
        links = cursor.fetchone()[0]
        steps = {
            "INSERT … SELECT": (staging._insert_sql(), []),
            "skill links": (
                "INSERT INTO candidates_candidate_skills (candidate_id, skill_id) "
                "SELECT new_id, skill_id FROM bench_links",
                [],
            ),
            "timeline": (
                f"INSERT INTO {Activity._meta.db_table} (organization_id, candidate_id, actor_id, kind, "
                "occurred_at, summary, body, details, created_at) SELECT %s, new_id, %s, 'import', now(), "
                "'Imported', '', '{\"outcome\": \"created\"}', now() FROM bench_people",
                [org.pk, membership.user_id],
            ),
            "foreign-key checks": ("SET CONSTRAINTS ALL IMMEDIATE", []),
        }
        for label, (sql, params) in steps.items():
            start = time.perf_counter()
            cursor.execute(sql, params)
            timings[label] = time.perf_counter() - start
        transaction.set_rollback(True)
    seconds = sum(timings.values())
    parts = ", ".join(f"{label} {spent / rows * 1e6:,.0f}" for label, spent in timings.items())
    print(
        f"import: the same writes in bare SQL, no Python ({rows:,} new people, {links / rows:.1f} skills each) "
        f"{rows / seconds:10,.0f} rows/s — µs a row: {parts}; rolled back"
    )


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds the PostgreSQL backend `pid` has used, when the server runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _time_split(rows: int, seconds: float, python_cpu: float, backend_cpu: float | None) -> str:
    """Where the import's time went, each part also as the rate it alone would allow."""

    def part(label: str, spent: float) -> str:
        alone = f"{rows / spent:,.0f} rows/s alone" if spent > 0 else "—"
        return f"{label} {spent:5.1f} s ({spent / seconds:4.0%}, {alone})"

    if backend_cpu is None:
        rest = seconds - python_cpu
        return f"        {part('Python CPU', python_cpu)}; the rest ({rest:.1f} s) is PostgreSQL and waiting"
    waiting = max(0.0, seconds - python_cpu - backend_cpu)
    return (
        f"        {part('Python CPU', python_cpu)}; {part('PostgreSQL backend CPU', backend_cpu)}; "
        f"other (I/O, other processes) {waiting:.1f} s"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("benchmarks/candidates.py measures PostgreSQL only: run it with DATABASE_URL=postgres://…")
    org = organisation()
    membership = Membership.objects.for_org(org).select_related("user").order_by("pk").first()
    if membership is None:
        sys.exit(f'"{ORG}" has no members to sign in as; `python manage.py seed_demo` creates some.')
    total = Candidate.objects.for_org(org).count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f'candidates benchmark: "{ORG}" with {total:,} candidates, PostgreSQL {version}, {ROUNDS} requests each')
    try:
        for part, bench in (("search", bench_search), ("list", bench_list_page), ("import", bench_import)):
            if ONLY in ("", part):
                bench(org, membership)
    finally:
        reset_queries()


if __name__ == "__main__":
    main()
