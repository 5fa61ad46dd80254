"""A bounded load test: gunicorn serving a mixed recruiter workload, against /healthz in the same run.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python benchmarks/load.py --sizes 100000,1000000

For each size it seeds (or reuses) an organisation of that many candidates (`load-100k`, `load-1m`:
`candidates.seeding`, as `manage.py seed_scale`), starts gunicorn with gunicorn.conf.py on a free port
(DEBUG off, the settings docs/scale.md recommends), then runs, each for --duration seconds:
/healthz alone, and the mixed workload (search, lists, profiles, home, analytics, API) at 1, 4 and 16
closed-loop clients. It prints req/s, p50/p95/p99, 503s, CPU per request (the gunicorn processes'
CPU time from /proc, over the requests answered) and the ratios to /healthz; then each page alone at one
client, with its growth from the first size to the last. Ratios compare figures of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
# The sessions this process signs in must be read by gunicorn's processes: the same key in both.
SECRET_KEY = "load-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105 (a local test server's)
os.environ["SECRET_KEY"] = SECRET_KEY

import logging  # noqa: E402

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks.candidates import search_queries  # noqa: E402 (the query kinds of issue #18's search target)
from candidates.models import Candidate  # noqa: E402
from candidates.seeding.write import candidates_seed  # noqa: E402
from talentcircles import services  # noqa: E402
from talentcircles.models import Membership, Organization, User  # noqa: E402

USER_EMAIL = "load-test@example.com"
SEARCHES = ["python", "maria", "engineer", "garcia", "data", "london", "sales", "john smith", "kubernetes", "nurse"]
# The recruiter workload: page name → weight. Each request picks one at random.
MIX = {"list": 20, "search": 20, "filtered": 10, "profile": 20, "home": 10, "analytics": 5, "api": 15}
TICKS = os.sysconf("SC_CLK_TCK")
SEARCH_P95_TARGET_MS = 50  # issue #18: every query kind's search page, end to end


@dataclass
class Target:
    slug: str
    candidate_ids: list[int]
    session_cookie: str
    api_key: str

    def url(self, page: str, rng: random.Random) -> tuple[str, dict[str, str]]:
        org = f"/o/{self.slug}"
        paths = {
            "home": f"{org}/",
            "list": f"{org}/candidates/",
            "search": f"{org}/candidates/?q={rng.choice(SEARCHES)}",
            "filtered": f"{org}/candidates/?stage=new&sort=-created",
            "profile": f"{org}/candidates/{rng.choice(self.candidate_ids)}/",
            "analytics": f"{org}/analytics/",
            "api": f"/api/v1/candidates/?search={rng.choice(SEARCHES)}",
            "healthz": "/healthz",
        }
        if page == "api":
            return paths[page], {"Authorization": f"Token {self.api_key}"}
        return paths[page], self.cookie()

    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"sessionid={self.session_cookie}"}


@dataclass
class Phase:
    label: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0

    @property
    def answered(self) -> int:
        return sum(n for status, n in self.statuses.items() if status < 500)

    @property
    def rate(self) -> float:
        return self.answered / self.seconds

    def percentile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100)[q - 1]

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds * 1000 / max(self.answered, 1)


# --- The organisations ------------------------------------------------------------------------


def size_label(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k"


def recruiter() -> User:
    return User.objects.filter(email=USER_EMAIL).first() or User.objects.create_user(USER_EMAIL, None)


def organisation_of(size: int, user: User) -> Organization:
    slug = f"load-{size_label(size)}"
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        org = services.organization_create(owner=user, name=f"Load test {size_label(size)}", slug=slug)
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Membership.Role.ADMIN})
    missing = size - Candidate.objects.for_org(org).count()
    if missing > 0:
        candidates_seed(org=org, candidates=missing, batch=20_000, seed=size, say=print)
    return org


def sample_ids(org: Organization, count: int = 400) -> list[int]:
    """Candidates spread over the organisation, without an ORDER BY random() over a million rows."""
    ids = Candidate.objects.for_org(org).values_list("id", flat=True)
    low, high = ids.order_by("id").first(), ids.order_by("-id").first()
    rng = random.Random(org.pk)
    guesses = [rng.randint(low, high) for _ in range(count * 2)]
    return list(ids.filter(pk__in=guesses, erased_at=None)[:count])


def target_for(org: Organization, user: User) -> Target:
    client = Client()
    client.force_login(user)  # a real session row that gunicorn's processes read like any other
    key = services.api_token_create(membership=Membership.objects.get(user=user, organization=org), name="load").key
    return Target(org.slug, sample_ids(org), client.cookies["sessionid"].value, key)


# --- The server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def static_root() -> Path:
    """The static files collected once (DEBUG off serves them from a manifest), reused by later runs."""
    root = ROOT / "var" / "load-static"
    if not (root / "staticfiles.json").exists():
        os.environ["STATIC_ROOT"] = str(root)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            check=True,
            env={**os.environ, "DEBUG": "False", "SECRET_KEY": "load-test", "STATIC_ROOT": str(root)},
        )
    return root


def start_gunicorn(port: int, args: argparse.Namespace) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "STATIC_ROOT": str(static_root()),
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling: its CPU time would leave the count
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "WEB_CONCURRENCY_LIMIT": str(args.limit),
        "WEB_QUEUE_WAIT_MS": str(args.queue_wait_ms),
        "API_THROTTLE_USER": "1000000/minute",
        "LOG_LEVEL": "ERROR",
    }
    command = [sys.executable, "-m", "gunicorn", "talentcircles.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    log = ROOT / "var" / "load-gunicorn.log"  # the server's own messages (each 503 is logged), not in the table
    print(f"gunicorn's log: {log}")
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=output)  # noqa: S603 (our own arguments)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def process_tree_cpu(root_pid: int) -> float:
    """User + system CPU seconds of `root_pid` and every process below it (gunicorn's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, stack = 0.0, [root_pid]
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
        stack.extend(children.get(pid, []))
    return total


# --- The clients --------------------------------------------------------------------------------


async def one_client(base: str, target: Target, pages: list[str], weights: list[int], phase: Phase, stop: float):
    rng = random.Random()
    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as client:
        while time.perf_counter() < stop:
            path, headers = target.url(rng.choices(pages, weights)[0], rng)
            started = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
                status = response.status_code
            except httpx.HTTPError:
                status = 599
            if status < 500:
                phase.latencies.append((time.perf_counter() - started) * 1000)
            phase.statuses[status] = phase.statuses.get(status, 0) + 1


async def run_phase(base: str, target: Target, mix: dict[str, int], clients: int, seconds: float, pid: int) -> Phase:
    phase = Phase(label="", seconds=seconds)
    cpu_before = process_tree_cpu(pid)
    stop = time.perf_counter() + seconds
    pages, weights = list(mix), list(mix.values())
    await asyncio.gather(*(one_client(base, target, pages, weights, phase, stop) for _ in range(clients)))
    phase.cpu_seconds = process_tree_cpu(pid) - cpu_before
    return phase


def run(base: str, target: Target, mix: dict[str, int], clients: int, seconds: float, pid: int) -> Phase:
    return asyncio.run(run_phase(base, target, mix, clients, seconds, pid))


def pages_alone(base: str, targets: dict[int, Target], requests: int, pid: int) -> dict[int, dict[str, Phase]]:
    """Each page at one client, the sizes taking turns request by request, so that whatever else loads the
    machine weighs on every size alike (their ratio is the growth); by count, so each gets the same sample."""
    measured: dict[int, dict[str, Phase]] = {size: {} for size in targets}
    with httpx.Client(base_url=base, timeout=60) as client:
        for page in [*MIX, "healthz"]:
            rngs = {size: random.Random(page) for size in targets}
            for size in targets:
                measured[size][page] = Phase(label=page, seconds=0)
            for _ in range(requests):
                for size, target in targets.items():
                    one_request(client, target.url(page, rngs[size]), measured[size][page], pid)
    return measured


def one_request(client: httpx.Client, request: tuple[str, dict[str, str]], phase: Phase, pid: int) -> None:
    path, headers = request
    cpu_before, started = process_tree_cpu(pid), time.perf_counter()
    status = client.get(path, headers=headers).status_code
    elapsed = time.perf_counter() - started
    phase.seconds += elapsed
    phase.cpu_seconds += process_tree_cpu(pid) - cpu_before
    phase.latencies.append(elapsed * 1000)
    phase.statuses[status] = phase.statuses.get(status, 0) + 1


# --- Reporting ----------------------------------------------------------------------------------


def show(label: str, phase: Phase, floor: Phase | None) -> None:
    """One line: throughput, latency percentiles (answered requests), refusals, CPU, and the ratio to the floor."""
    refused = phase.statuses.get(503, 0)
    failed = sum(n for status, n in phase.statuses.items() if status >= 500) - refused
    ratio = f"{phase.rate / floor.rate:6.3f}" if floor and floor.rate else "     -"
    odd = sorted(s for s in phase.statuses if s >= 300 and s != 503)
    print(
        f"  {label:14} {phase.rate:7.1f} req/s  p50 {phase.percentile(50):7.1f}  p95 {phase.percentile(95):7.1f}  "
        f"p99 {phase.percentile(99):7.1f} ms  503 {refused:5}  5xx {failed:3}  "
        f"CPU {phase.cpu_ms_per_request:5.1f} ms/req  ÷healthz {ratio}" + (f"  statuses {odd}" if odd else "")
    )


def measure_size(size: int, target: Target, base: str, args: argparse.Namespace, pid: int) -> None:
    print(f"\n== {target.slug}: {size:,} candidates ==")
    run(base, target, MIX, 4, args.warmup, pid)  # caches, connection pools, the planner's statistics
    floors = {}
    for clients in args.clients:
        floors[clients] = run(base, target, {"healthz": 1}, clients, args.duration, pid)
        show(f"healthz  x{clients}", floors[clients], None)
    for clients in args.clients:
        show(f"mixed    x{clients}", run(base, target, MIX, clients, args.duration, pid), floors[clients])


def show_pages(by_size: dict[int, dict[str, Phase]]) -> None:
    for size, pages in by_size.items():
        print(f"\n== each page alone, one client, the sizes taking turns: {size_label(size)} ==")
        for page, phase in pages.items():
            show(page, phase, pages["healthz"])


SEARCH_AS = {
    "page": ("search page end to end", {}),
    # What typing in the list's search box asks for: htmx requests the results alone (hx-get, HX-Request).
    "typed": ("search as you type (the results htmx asks for: HX-Request)", {"HX-Request": "true"}),
}


def search_kinds(
    base: str, targets: dict[int, Target], requests: int, pid: int, extra: dict[str, str]
) -> dict[int, dict[str, Phase]]:
    """The search (`/o/<org>/candidates/?q=`, HTML, end to end; with `extra` headers) for each query kind of
    benchmarks/candidates.py, drawn from each organisation's own data; the kinds and sizes taking turns."""
    kinds = {size: dict(search_queries(Organization.objects.get(slug=t.slug))) for size, t in targets.items()}
    every = [*kinds[next(iter(targets))], "healthz"]
    measured = {size: {kind: Phase(label=kind, seconds=0) for kind in every} for size in targets}
    with httpx.Client(base_url=base, timeout=60) as client:
        for size, target in targets.items():  # each query once first: the planner's and the pages' caches
            for query in kinds[size].values():
                client.get(f"/o/{target.slug}/candidates/", params={"q": query}, headers=target.cookie() | extra)
        # Round after round of every kind (the floor too), so that each meets the machine's load alike.
        for _ in range(requests):
            for kind in every:
                for size, target in targets.items():
                    path = (
                        "/healthz"
                        if kind == "healthz"
                        else f"/o/{target.slug}/candidates/?{urlencode({'q': kinds[size][kind]})}"
                    )
                    headers = target.cookie() | ({} if kind == "healthz" else extra)
                    one_request(client, (path, headers), measured[size][kind], pid)
    for size in targets:
        for kind, query in kinds[size].items():
            measured[size][kind].label = query
    return measured


def show_search_kinds(title: str, by_size: dict[int, dict[str, Phase]]) -> None:
    sizes = sorted(by_size)
    print(f"\n== {title}, one client, per query kind (target p95 ≤ {SEARCH_P95_TARGET_MS} ms) ==")
    print(
        f"  {'kind':20} "
        + "  ".join(f"{size_label(s) + ': query':>30} {'p50':>6} {'p95':>6} {'÷healthz':>8} {'CPU':>5}" for s in sizes)
    )
    missed = []
    for kind in by_size[sizes[0]]:
        cells, over = [], []
        for size in sizes:
            phase, floor = by_size[size][kind], by_size[size]["healthz"]
            p50, p95 = phase.percentile(50), phase.percentile(95)
            cells.append(
                f"{phase.label[:30]!s:>30} {p50:6.1f} {p95:6.1f} {p50 / floor.percentile(50):8.1f} "
                f"{phase.cpu_ms_per_request:5.1f}"
            )
            if kind != "healthz" and p95 > SEARCH_P95_TARGET_MS:
                over.append(f"{size_label(size)} {p95:.0f}")
            if set(phase.statuses) != {200}:
                over.append(f"{size_label(size)} answered {sorted(phase.statuses)}")
        print(f"  {kind:20} " + "  ".join(cells))
        if over:
            missed.append(f"{kind} ({', '.join(over)})")
    print(
        f"  (ms; CPU: the server's per request) p95 over {SEARCH_P95_TARGET_MS} ms or not 200: "
        + ("; ".join(missed) if missed else "none")
    )


def show_growth(by_size: dict[int, dict[str, Phase]]) -> None:
    sizes = sorted(by_size)
    if len(sizes) < 2:
        return
    first, last = sizes[0], sizes[-1]
    print(f"\n== growth, p50 at one client: {size_label(first)} → {size_label(last)} ==")
    for page in by_size[first]:
        before, after = by_size[first][page].percentile(50), by_size[last][page].percentile(50)
        print(f"  {page:10} {before:7.1f} ms → {after:7.1f} ms   x{after / before:.2f}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000", help="comma-separated candidate counts (default 100000)")
    parser.add_argument("--clients", default="1,4,16", help="concurrent clients per phase (default 1,4,16)")
    parser.add_argument("--duration", type=float, default=15, help="seconds per phase (default 15)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up per size (default 5)")
    parser.add_argument("--page-requests", type=int, default=40, help="requests per page alone (default 40)")
    parser.add_argument(
        "--search-requests", type=int, default=20, help="requests per search query kind (default 20; 0: none)"
    )
    parser.add_argument(
        "--search-as", default="page,typed", help="the search's forms measured: page, typed (default both)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (default: cores)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument("--limit", type=int, default=2, help="WEB_CONCURRENCY_LIMIT per worker (default 2; 0 off)")
    parser.add_argument("--queue-wait-ms", type=int, default=300, help="WEB_QUEUE_WAIT_MS (default 300)")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.clients = [int(c) for c in args.clients.split(",")]
    args.search_as = [how for how in args.search_as.split(",") if how in SEARCH_AS]
    return args


def main() -> None:
    args = arguments()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    call_command("migrate", verbosity=0)
    user = recruiter()
    port = free_port()
    server = start_gunicorn(port, args)
    base = f"http://127.0.0.1:{port}"
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads, WEB_CONCURRENCY_LIMIT={args.limit}, "
        f"WEB_QUEUE_WAIT_MS={args.queue_wait_ms}; {os.cpu_count()} cores; the client runs on the same machine"
    )
    try:
        targets = {size: target_for(organisation_of(size, user), user) for size in args.sizes}
        for size, target in targets.items():
            measure_size(size, target, base, args, server.pid)
        by_size = pages_alone(base, targets, args.page_requests, server.pid)
        show_pages(by_size)
        show_growth(by_size)
        for how in args.search_as if args.search_requests else []:
            title, extra = SEARCH_AS[how]
            show_search_kinds(title, search_kinds(base, targets, args.search_requests, server.pid, extra))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
