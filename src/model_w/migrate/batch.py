"""Batch conversion: one recipe over many repositories, without questions.

Each repository is used in place (a local path) or cloned into the batch
work folder (a git URL), then migrated on its branch through
`migration.apply` (or `migration.dry_run` for an audit recipe), exactly as
`modelw migrate --recipe R --yes PATH` would. Every repository runs in its
own process (libcst and Rich stay isolated, a crash takes only that
repository down); `jobs` of them at a time. A failure never stops the
others: its one-line reason becomes the repository's status.

Work folder layout:
    batch-state.json          last status of every repository (for --failed-only)
    report.json|md|html       the batch report (latest status of every repository)
    repos/<name>/report.*     one repository's report, and log.txt
    checkouts/<name>/         clones of repositories given as git URLs
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from model_w.migrate.batch_state import BatchState
from model_w.migrate.errors import UserError
from model_w.migrate.report.merge import FAILED_STATUSES, safe_name

URL_RE = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)

Event = dict[str, Any]
OnEvent = Callable[[Event], None]


@dataclass
class RepoSpec:
    name: str
    source: str  # as given: a path or a URL
    url: str | None = None  # set when the repository must be cloned
    path: str | None = None  # local repository (absolute)

    def checkout_dir(self, workdir: Path) -> Path:
        return Path(self.path) if self.path else workdir / "checkouts" / self.name


@dataclass
class RepoOutcome:
    name: str
    source: str
    status: str
    path: str = ""
    commits: int = 0
    files_changed: int = 0
    followups: int = 0
    blockers: int = 0
    duration: float = 0.0
    error: str | None = None
    branch: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchResult:
    outcomes: list[RepoOutcome] = field(default_factory=list)
    report_paths: dict[str, Path] = field(default_factory=dict)
    canary_stopped: bool = False
    remaining: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[RepoOutcome]:
        return [o for o in self.outcomes if o.status in FAILED_STATUSES]


# ---------------------------------------------------------------- repository lists


def is_url(text: str) -> bool:
    return bool(URL_RE.match(text))


def parse_repo_list(text: str) -> list[str]:
    """Lines of a repos file: a path or URL each; `#` starts a comment."""
    out = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        line = line.strip()
        if line:
            out.append(line)
    return out


def read_repo_file(path: Path) -> list[str]:
    try:
        return parse_repo_list(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"{path}: no such file", "pass a file with one repository per line"
        ) from None


def _name_from(source: str) -> str:
    text = source.rstrip("/")
    if text.endswith(".git"):
        text = text[: -len(".git")]
    text = text.replace(":", "/")
    return safe_name(text.rsplit("/", 1)[-1])


def make_specs(sources: list[str], base: Path | None = None) -> list[RepoSpec]:
    """RepoSpecs with unique names; local paths checked now (one line, exit 2)."""
    specs: list[RepoSpec] = []
    used: set[str] = set()
    base = base or Path.cwd()
    for source in sources:
        if is_url(source):
            spec = RepoSpec(name=_name_from(source), source=source, url=source)
        else:
            path = (base / source).resolve() if not Path(source).is_absolute() else Path(source)
            if not path.is_dir():
                raise UserError(
                    f"{source}: no such repository folder",
                    "pass local paths or git URLs (https://, ssh://, git@host:, file://)",
                )
            spec = RepoSpec(name=_name_from(str(path)), source=source, path=str(path))
        name, n = spec.name, 2
        while spec.name in used:
            spec.name = f"{name}-{n}"
            n += 1
        used.add(spec.name)
        specs.append(spec)
    return specs


# ---------------------------------------------------------------- one repository


def _clone(url: str, dest: Path) -> None:
    from model_w.migrate import gitops

    gitops.clone(url, dest)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        text = exc.message + (f"; {exc.hint}" if exc.hint else "")
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__


def migrate_one(
    spec: RepoSpec, recipe_source: str, workdir: Path, emit: OnEvent | None = None
) -> RepoOutcome:
    """Migrate one repository; never raises (a failure is the outcome's status)."""
    from model_w.migrate import gitops, migration
    from model_w.migrate.recipes import load_recipe
    from model_w.migrate.report.json_report import build_report
    from model_w.migrate.report.merge import failure_report, write_repo_reports

    def phase(text: str, **extra: Any) -> None:
        if emit:
            emit({"type": "phase", "name": spec.name, "phase": text, **extra})

    started = time.monotonic()
    out_dir = workdir / "repos" / spec.name
    target = spec.checkout_dir(workdir)
    recipe = None
    try:
        recipe = load_recipe(recipe_source)
        if spec.url and not (target / ".git").exists():
            phase("cloning")
            _clone(spec.url, target)
        phase("inspecting")
        session = migration.open_session(target)
        overrides = recipe.answers_overrides()
        branch = overrides.get("branch") or migration.default_answers(session).branch
        if (
            not recipe.is_audit
            and session.repo is not None
            and session.git.branch != branch
            and gitops.branch_exists(session.repo, branch)
            and not gitops.dirty_entries(session.repo)
        ):
            # an earlier batch run made the branch: resume (or find it done) there
            gitops.checkout(session.repo, branch)
            session = migration.open_session(target)
        answers = migration.default_answers(session, overrides)
        run = migration.dry_run if recipe.is_audit else migration.apply
        phase("previewing" if recipe.is_audit else "migrating")
        result = run(session, answers, **_step_callback_kwargs(run, phase))
        phase("reporting")
        report = build_report(result, str(session.workspace.root))
    except Exception as exc:  # one repository's failure never stops the batch
        message = _one_line(exc)
        if not isinstance(exc, UserError):
            traceback.print_exc()
        mode = "dry-run" if recipe is not None and recipe.is_audit else "apply"
        report = failure_report(str(target), message, mode)
    duration = time.monotonic() - started
    try:
        write_repo_reports(report, out_dir, spec.name)
        (out_dir / "meta.json").write_text(
            json.dumps({"source": spec.source, "duration": round(duration, 2)}) + "\n",
            encoding="utf-8",
        )
    except Exception as exc:  # pragma: no cover - a disk problem
        report = failure_report(str(target), f"writing the report failed: {_one_line(exc)}")
    summary = report.get("summary", {})
    from model_w.migrate.report.merge import report_error

    return RepoOutcome(
        name=spec.name,
        source=spec.source,
        status=report.get("status", "failed"),
        path=str(target),
        commits=summary.get("commits", 0),
        files_changed=summary.get("files_changed", 0),
        followups=summary.get("followups", 0),
        blockers=summary.get("blockers", 0),
        duration=round(duration, 2),
        error=report_error(report),
        branch=report.get("branch"),
    )


def _step_callback_kwargs(run: Callable[..., Any], phase: Callable[..., None]) -> dict[str, Any]:
    """Per-step progress, when migration.apply/dry_run accept an `on_start` callback."""
    import inspect

    try:
        params = inspect.signature(run).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return {}
    if "on_start" not in params:
        return {}

    def on_start(entry: Any) -> None:
        phase(f"step {entry.id}", step=entry.id)

    return {"on_start": on_start}


def _worker(spec_data: dict, recipe_source: str, workdir: str, queue: Any) -> None:
    """Entry point of a repository's own process: logs to repos/<name>/log.txt."""
    spec = RepoSpec(**spec_data)
    log_dir = Path(workdir) / "repos" / spec.name
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "log.txt", "w", encoding="utf-8") as log:
        sys.stdout = sys.stderr = log
        os.environ.setdefault("NO_COLOR", "1")
        try:
            outcome = migrate_one(spec, recipe_source, Path(workdir), emit=queue.put)
            queue.put({"type": "done", "name": spec.name, "outcome": outcome.to_json()})
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, never lost
            traceback.print_exc()
            outcome = RepoOutcome(spec.name, spec.source, "failed", error=_one_line(exc))
            queue.put({"type": "done", "name": spec.name, "outcome": outcome.to_json()})
        finally:
            log.flush()


# ---------------------------------------------------------------- the batch


def run_repos(
    specs: list[RepoSpec],
    recipe_source: str,
    workdir: Path,
    jobs: int = 1,
    on_event: OnEvent | None = None,
    in_process: bool = False,
) -> list[RepoOutcome]:
    """Run every repository (each in its own process, `jobs` at a time); in input order."""
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, RepoOutcome] = {}

    def emit(event: Event) -> None:
        if on_event:
            on_event(event)

    if in_process:
        for spec in specs:
            emit({"type": "start", "name": spec.name})
            outcome = migrate_one(spec, recipe_source, workdir, emit=emit)
            results[spec.name] = outcome
            emit({"type": "done", "name": spec.name, "outcome": outcome.to_json()})
        return [results[s.name] for s in specs]

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    pending = list(specs)
    running: dict[str, tuple[Any, RepoSpec, float]] = {}
    jobs = max(1, jobs)
    while pending or running:
        while pending and len(running) < jobs:
            spec = pending.pop(0)
            process = ctx.Process(
                target=_worker,
                args=(asdict(spec), recipe_source, str(workdir), queue),
                name=f"modelw-batch-{spec.name}",
            )
            process.start()
            running[spec.name] = (process, spec, time.monotonic())
            emit({"type": "start", "name": spec.name})
        try:
            event = queue.get(timeout=0.2)
        except Exception:  # queue.Empty: check for workers that died without a word
            event = None
        if event is not None:
            if event["type"] == "done":
                outcome = RepoOutcome(**event["outcome"])
                results[outcome.name] = outcome
                process, _, _ = running.pop(outcome.name, (None, None, None))
                if process is not None:
                    process.join(timeout=30)
            emit(event)
            continue
        for name, (process, spec, began) in list(running.items()):
            if not process.is_alive() and queue.empty():
                process.join()
                outcome = RepoOutcome(
                    name,
                    spec.source,
                    "failed",
                    duration=round(time.monotonic() - began, 2),
                    error=f"the worker process exited with code {process.exitcode}"
                    f" (see repos/{name}/log.txt)",
                )
                results[name] = outcome
                running.pop(name)
                emit({"type": "done", "name": name, "outcome": outcome.to_json()})
    queue.close()
    return [results[s.name] for s in specs]


def run_batch(
    specs: list[RepoSpec],
    recipe_source: str,
    workdir: Path,
    jobs: int = 1,
    canary: int | None = None,
    on_event: OnEvent | None = None,
    in_process: bool = False,
) -> BatchResult:
    """Run the batch, keep its state, write the reports; returns every outcome."""
    from model_w.migrate.recipes import load_recipe

    workdir = Path(workdir).resolve()
    recipe = load_recipe(recipe_source)  # a bad recipe stops everything before any repo
    state = BatchState.load(workdir)
    state.recipe = recipe_source
    result = BatchResult()
    todo = specs
    if canary is not None and canary < len(specs):
        todo = specs[: max(canary, 0)]
        result.canary_stopped = True
        result.remaining = [s.name for s in specs[len(todo) :]]
    for spec in specs:
        state.remember(spec)
    state.save()
    outcomes = run_repos(todo, recipe_source, workdir, jobs, on_event, in_process)
    for outcome in outcomes:
        state.record(outcome)
    state.save()
    result.outcomes = outcomes
    result.report_paths = write_batch_reports(workdir, state, recipe)
    return result


def write_batch_reports(workdir: Path, state: BatchState, recipe: Any | None) -> dict[str, Path]:
    """The batch report from every repository's latest report in the work folder."""
    from model_w.migrate.report.merge import build_batch, read_report, write_batch

    items = []
    for name, entry in state.repos.items():
        path = workdir / "repos" / name / "report.json"
        if not path.is_file():
            continue
        try:
            report = read_report(path)
        except UserError:
            continue
        items.append(
            {
                "name": name,
                "report": report,
                "source": entry.get("source"),
                "duration": entry.get("duration"),
            }
        )
    info = None
    if recipe is not None:
        info = {"name": recipe.name, "description": recipe.description, "source": state.recipe}
    batch = build_batch(items, recipe=info)
    return write_batch(batch, workdir, per_repo=False)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------- beyond one machine

GITHUB_RE = re.compile(
    r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$"
)
SHORTHAND_RE = re.compile(r"^[\w.-]+/[\w.-]+$")


def ci_matrix_entry(source: str, base: Path | None = None) -> dict[str, str]:
    """{name, repository (owner/name on GitHub) or url} for one repository of the list."""
    base = base or Path.cwd()
    url = source
    if not is_url(source):
        local = (base / source) if not Path(source).is_absolute() else Path(source)
        if local.is_dir():
            from model_w.migrate import gitops

            origin = gitops.remote_url(local)
            if not origin:
                raise UserError(
                    f"{source}: a local repository without an 'origin' remote cannot run in CI",
                    "list repositories by URL (or owner/name on GitHub)",
                )
            url = origin
        elif SHORTHAND_RE.match(source):
            return {"name": safe_name(source.split("/")[1]), "repository": source, "url": ""}
        else:
            raise UserError(f"{source}: no such repository folder, URL or owner/name")
    match = GITHUB_RE.match(url)
    if match:
        repo = match.group("repo")
        return {"name": safe_name(repo.split("/")[1]), "repository": repo, "url": ""}
    return {"name": _name_from(url), "repository": "", "url": url}


def github_workflow(
    sources: list[str],
    recipe_source: str,
    jobs: int = 4,
    python: str = "3.11",
    package: str = "modelw-migrate",
) -> str:
    """A GitHub Actions workflow: one matrix job per repository, then one merged report."""
    import yaml

    from model_w.migrate.recipes import builtin_names

    entries: list[dict[str, str]] = []
    used: set[str] = set()
    for source in sources:
        entry = ci_matrix_entry(source)
        base, n = entry["name"], 2
        while entry["name"] in used:
            entry["name"] = f"{base}-{n}"
            n += 1
        used.add(entry["name"])
        entries.append(entry)
    if not entries:
        raise UserError("no repositories to put in the workflow", "pass REPO... or --repos FILE")
    if recipe_source in builtin_names() and not Path(recipe_source).is_file():
        recipe_arg = recipe_source
    else:
        path = Path(recipe_source)
        rel = os.path.relpath(path.resolve(), Path.cwd()) if path.is_absolute() else str(path)
        recipe_arg = f"fleet/{Path(rel).as_posix()}"
    report = "modelw-report-${{ matrix.name }}.json"
    workflow: dict[str, Any] = {
        "name": f"modelw migrate ({Path(recipe_source).stem})",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    "push": {
                        "description": "Push each migration branch to its repository",
                        "type": "boolean",
                        "default": False,
                    }
                }
            }
        },
        "permissions": {"contents": "read"},
        "jobs": {
            "migrate": {
                "name": "migrate ${{ matrix.name }}",
                "runs-on": "ubuntu-latest",
                "strategy": {
                    "fail-fast": False,
                    "max-parallel": max(1, jobs),
                    "matrix": {"include": entries},
                },
                "env": {"RECIPE": recipe_arg, "NO_COLOR": "1"},
                "steps": [
                    {
                        "name": "Check out the recipe",
                        "uses": "actions/checkout@v4",
                        "with": {"path": "fleet"},
                    },
                    {
                        "name": "Check out ${{ matrix.name }}",
                        "if": "matrix.repository != ''",
                        "uses": "actions/checkout@v4",
                        "with": {
                            "repository": "${{ matrix.repository }}",
                            "path": "target",
                            "fetch-depth": 0,
                            "token": "${{ secrets.MODELW_TOKEN || github.token }}",
                        },
                    },
                    {
                        "name": "Clone ${{ matrix.name }}",
                        "if": "matrix.repository == ''",
                        "run": 'git clone "${{ matrix.url }}" target',
                    },
                    {"uses": "actions/setup-python@v5", "with": {"python-version": python}},
                    {"name": "Install modelw-migrate", "run": f"pip install {package}"},
                    {
                        "name": "Migrate ${{ matrix.name }}",
                        "run": f'modelw migrate --recipe "$RECIPE" --yes --report "{report}" target',
                    },
                    {
                        "name": "Push the migration branch",
                        "if": "inputs.push",
                        "run": "git -C target push --force-with-lease origin HEAD",
                    },
                    {
                        "name": "Upload the report",
                        "if": "always()",
                        "uses": "actions/upload-artifact@v4",
                        "with": {
                            "name": "modelw-report-${{ matrix.name }}",
                            "path": report,
                            "if-no-files-found": "ignore",
                        },
                    },
                ],
            },
            "report": {
                "name": "batch report",
                "needs": "migrate",
                "if": "always()",
                "runs-on": "ubuntu-latest",
                "steps": [
                    {"uses": "actions/setup-python@v5", "with": {"python-version": python}},
                    {"name": "Install modelw-migrate", "run": f"pip install {package}"},
                    {
                        "uses": "actions/download-artifact@v4",
                        "with": {
                            "pattern": "modelw-report-*",
                            "path": "reports",
                            "merge-multiple": True,
                        },
                    },
                    {
                        "name": "Merge the reports",
                        "run": "modelw report merge batch-report reports/*.json",
                    },
                    {
                        "uses": "actions/upload-artifact@v4",
                        "with": {"name": "modelw-batch-report", "path": "batch-report"},
                    },
                ],
            },
        },
    }
    header = (
        "# Generated by `modelw batch --emit-ci github`: one job per repository runs\n"
        "# `modelw migrate --recipe ... --yes --report ...`; the last job merges the reports.\n"
        "# Repositories other than this one need a token with access: secret MODELW_TOKEN.\n"
    )
    return header + yaml.safe_dump(workflow, sort_keys=False, width=120)
