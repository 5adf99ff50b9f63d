"""Batch reports: per-repository JSON reports merged into one.

The batch runner and `modelw report merge` (for reports a CI matrix,
turbolift or multi-gitter produced, one per repository) share this code: a
batch report is only the per-repository reports (`json_report`, schema 1)
side by side, with a summary computed from them. Nothing here re-runs or
re-computes what a migration did.

Batch JSON (`kind: "batch"`, `schema_version` 1):
    summary       repositories, commits, files_changed, followups, blockers,
                  failed, by_status {status: count}
    repositories  one row per repository: name, source, status, label,
                  commits, files_changed, followups, blockers,
                  duration_seconds, error, branch, report (relative path)
    reports       {name: the repository's own JSON report}
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from model_w.migrate import __version__
from model_w.migrate.errors import UserError

BATCH_SCHEMA_VERSION = 1
SUPPORTED_REPORT_VERSIONS = (1,)

STATUS_LABELS = {
    "migrated": "migrated",
    "migrated-with-followups": "migrated with follow-ups",
    "blocked": "blocked",
    "failed": "failed",
    "already-migrated": "already migrated",
    "changes-pending": "changes pending",
    "nothing-to-do": "nothing to do",
    "interrupted": "interrupted",
    "skipped": "skipped",
}
# order of rows in summaries: what needs attention first
STATUS_ORDER = (
    "failed",
    "interrupted",
    "blocked",
    "migrated-with-followups",
    "changes-pending",
    "migrated",
    "already-migrated",
    "nothing-to-do",
)
FAILED_STATUSES = ("failed", "interrupted")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def failure_report(
    repository: str, message: str, mode: str = "apply", branch: str | None = None
) -> dict[str, Any]:
    """A schema-1 report for a repository whose migration could not start or crashed."""
    return {
        "schema_version": 1,
        "tool": "modelw-migrate",
        "tool_version": __version__,
        "repository": repository,
        "mode": mode,
        "status": "failed",
        "error": message,
        "branch": branch,
        "origin_branch": None,
        "modelw_release": None,
        "answers": {},
        "plan": [],
        "resumed_steps": [],
        "steps": [],
        "followups": [],
        "env_renames": {},
        "notes": [],
        "summary": {"files_changed": 0, "commits": 0, "followups": 0, "blockers": 0},
    }


def report_error(report: dict[str, Any]) -> str | None:
    """The one-line reason a repository failed, if it did."""
    if report.get("error"):
        return str(report["error"]).splitlines()[0]
    for step in report.get("steps", []):
        if step.get("status") == "failed" and step.get("error"):
            return f"step {step['id']}: {str(step['error']).splitlines()[0]}"
    return None


def repo_row(
    name: str,
    report: dict[str, Any],
    source: str | None = None,
    duration: float | None = None,
    report_path: str | None = None,
) -> dict[str, Any]:
    summary = report.get("summary", {})
    status = report.get("status", "failed")
    return {
        "name": name,
        "source": source or report.get("repository", ""),
        "status": status,
        "label": status_label(status),
        "commits": summary.get("commits", 0),
        "files_changed": summary.get("files_changed", 0),
        "followups": summary.get("followups", 0),
        "blockers": summary.get("blockers", 0),
        "duration_seconds": None if duration is None else round(duration, 2),
        "error": report_error(report),
        "branch": report.get("branch"),
        "mode": report.get("mode"),
        "report": report_path or f"repos/{name}/report.json",
    }


def build_batch(
    items: list[dict[str, Any]],
    recipe: dict[str, Any] | None = None,
    title: str = "Model W migration batch",
) -> dict[str, Any]:
    """items: [{"name", "report", optional "source", "duration"}] in display order."""
    rows = []
    reports: dict[str, Any] = {}
    for item in items:
        rows.append(
            repo_row(item["name"], item["report"], item.get("source"), item.get("duration"))
        )
        reports[item["name"]] = item["report"]
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    ordered = {s: by_status[s] for s in STATUS_ORDER if s in by_status}
    ordered.update({s: n for s, n in by_status.items() if s not in ordered})
    summary = {
        "repositories": len(rows),
        "commits": sum(r["commits"] for r in rows),
        "files_changed": sum(r["files_changed"] for r in rows),
        "followups": sum(r["followups"] for r in rows),
        "blockers": sum(r["blockers"] for r in rows),
        "failed": sum(1 for r in rows if r["status"] in FAILED_STATUSES),
        "by_status": ordered,
    }
    return {
        "schema_version": BATCH_SCHEMA_VERSION,
        "kind": "batch",
        "tool": "modelw-migrate",
        "tool_version": __version__,
        "title": title,
        "generated_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "recipe": recipe,
        "summary": summary,
        "repositories": rows,
        "reports": reports,
    }


def safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
    return name or "repo"


def read_report(path: Path) -> dict[str, Any]:
    """A per-repository JSON report (schema 1), checked enough to merge it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such report", "pass the JSON files `--report` wrote") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a JSON report ({exc})") from None
    if not isinstance(data, dict) or data.get("tool") != "modelw-migrate":
        raise UserError(f"{path}: not a modelw-migrate report", "pass files `--report` wrote")
    if data.get("kind") == "batch":
        raise UserError(f"{path}: is a batch report", "merge per-repository reports")
    version = data.get("schema_version")
    if version not in SUPPORTED_REPORT_VERSIONS:
        raise UserError(
            f"{path}: report schema_version {version} is not supported",
            f"this modelw-migrate reads {', '.join(map(str, SUPPORTED_REPORT_VERSIONS))}",
        )
    return data


def name_for_report(path: Path, report: dict[str, Any]) -> str:
    """A repository name for a report file: `modelw-report-<name>.json`, its folder, or its repo."""
    path = Path(path)
    stem = path.stem
    for prefix in ("modelw-report-", "report-"):
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return safe_name(stem[len(prefix) :])
    if stem in ("report", "out", "modelw-report") and path.parent.name not in ("", "."):
        parent = path.parent.name
        if parent.startswith("modelw-report-"):
            parent = parent[len("modelw-report-") :]
        return safe_name(parent)
    if stem in ("report", "out", "modelw-report"):
        return safe_name(Path(str(report.get("repository") or "repo")).name)
    return safe_name(stem)


def merge_files(paths: list[Path], title: str = "Model W migration batch") -> dict[str, Any]:
    """A batch report from per-repository report files (`modelw report merge`)."""
    items = []
    used: set[str] = set()
    for path in paths:
        spec = str(path)
        explicit = None
        if "=" in spec and not Path(spec).exists():
            explicit, spec = spec.split("=", 1)
        report = read_report(Path(spec))
        name = safe_name(explicit) if explicit else name_for_report(Path(spec), report)
        base, n = name, 2
        while name in used:
            name = f"{base}-{n}"
            n += 1
        used.add(name)
        items.append({"name": name, "report": report, "source": report.get("repository")})
    if not items:
        raise UserError("no reports to merge", "pass one or more JSON report files")
    return build_batch(items, title=title)


def write_batch(batch: dict[str, Any], out_dir: Path, per_repo: bool = True) -> dict[str, Path]:
    """report.json, report.md, report.html in out_dir (and repos/<name>/report.* per repo)."""
    from model_w.migrate.report.html import render_batch_html
    from model_w.migrate.report.markdown import render_batch_markdown

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    if per_repo:
        for row in batch["repositories"]:
            report = batch["reports"][row["name"]]
            folder = out_dir / "repos" / row["name"]
            write_repo_reports(report, folder, row["name"])
    (out_dir / "report.json").write_text(json.dumps(batch, indent=2) + "\n", encoding="utf-8")
    written["json"] = out_dir / "report.json"
    (out_dir / "report.md").write_text(render_batch_markdown(batch), encoding="utf-8")
    written["md"] = out_dir / "report.md"
    (out_dir / "report.html").write_text(render_batch_html(batch), encoding="utf-8")
    written["html"] = out_dir / "report.html"
    return written


def write_repo_reports(report: dict[str, Any], folder: Path, name: str) -> dict[str, Path]:
    """One repository's report.json, report.md and report.html."""
    from model_w.migrate.report.html import render_repo_html
    from model_w.migrate.report.markdown import render_repo_markdown

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (folder / "report.md").write_text(render_repo_markdown(report, name), encoding="utf-8")
    (folder / "report.html").write_text(render_repo_html(report, name), encoding="utf-8")
    return {ext: folder / f"report.{ext}" for ext in ("json", "md", "html")}
