"""A self-contained HTML report: one file, inline CSS and JS, nothing fetched.

It shows the batch summary table (for a batch), then per repository the
follow-ups and blockers and every step with its diff in a collapsible
section. Rendered from the JSON reports only (json_report, merge); the
template is `templates/report/report.html.j2`. A Content-Security-Policy
forbids any network access, so the report opens the same offline.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from model_w.migrate import __version__
from model_w.migrate.report.merge import STATUS_LABELS, report_error, status_label

META_PREFIXES = (
    "diff --git",
    "--- ",
    "+++ ",
    "new file mode",
    "deleted file mode",
    "old mode",
    "new mode",
    "similarity index",
    "rename from",
    "rename to",
    "index ",
    "Binary files",
    "\\ No newline",
)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("model_w.migrate", "templates/report"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
    )


def diff_lines(diff: str) -> list[tuple[str, str]]:
    """(css class, text) per line of a unified diff."""
    out = []
    for line in diff.splitlines():
        if line.startswith(META_PREFIXES):
            cls = "meta"
        elif line.startswith("@@"):
            cls = "hunk"
        elif line.startswith("+"):
            cls = "add"
        elif line.startswith("-"):
            cls = "del"
        else:
            cls = "ctx"
        out.append((cls, line))
    return out


def _anchor(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "repo"


def _repo_view(report: dict[str, Any], name: str) -> dict[str, Any]:
    summary = report.get("summary", {})
    steps = []
    for step in report.get("steps", []):
        files = []
        for f in step.get("files", []):
            title = f["path"]
            if f.get("old_path") and f["old_path"] != f["path"]:
                title = f"{f['old_path']} → {f['path']}"
            files.append(
                {
                    "title": f"{title} ({f.get('kind', 'modify')})",
                    "local": bool(f.get("local")),
                    "lines": diff_lines(f.get("diff") or ""),
                }
            )
        steps.append(
            {
                "id": step["id"],
                "title": step.get("title") or step["id"],
                "why": step.get("why") or "",
                "status": step.get("status") or "",
                "error": step.get("error"),
                "commit": step.get("commit"),
                "added": step.get("added_lines", 0),
                "removed": step.get("removed_lines", 0),
                "files": files,
            }
        )
    order = {"blocker": 0, "todo": 1, "info": 2}
    followups = []
    for f in sorted(
        report.get("followups", []),
        key=lambda f: (order.get(f.get("level"), 3), f.get("path") or "", f.get("line") or 0),
    ):
        where = f.get("path") or "(project)"
        if f.get("line"):
            where += f":{f['line']}"
        followups.append(
            {
                "level": f.get("level", "todo"),
                "where": where,
                "message": f.get("message", ""),
                "step": f.get("step", ""),
            }
        )
    status = report.get("status", "failed")
    return {
        "name": name,
        "anchor": _anchor(name),
        "status": status,
        "label": status_label(status),
        "mode": report.get("mode"),
        "branch": report.get("branch"),
        "origin_branch": report.get("origin_branch"),
        "release": report.get("modelw_release"),
        "repository": report.get("repository"),
        "commits": summary.get("commits", 0),
        "files_changed": summary.get("files_changed", 0),
        "error": report_error(report),
        "notes": report.get("notes", []),
        "followups": followups,
        "steps": steps,
    }


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def render_batch_html(batch: dict[str, Any]) -> str:
    rows = []
    for row in batch["repositories"]:
        rows.append({**row, "anchor": _anchor(row["name"]), "time": _time(row["duration_seconds"])})
    repos = [_repo_view(batch["reports"][r["name"]], r["name"]) for r in batch["repositories"]]
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            kind="batch",
            title=batch.get("title") or "Model W migration batch",
            generated_at=batch.get("generated_at", ""),
            tool_version=batch.get("tool_version", __version__),
            recipe=batch.get("recipe"),
            summary=batch["summary"],
            labels=STATUS_LABELS,
            rows=rows,
            repos=repos,
        )
    )


def render_repo_html(report: dict[str, Any], name: str | None = None) -> str:
    name = name or str(report.get("repository") or "repository")
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            kind="repo",
            title=f"Model W migration: {name}",
            generated_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            tool_version=report.get("tool_version", __version__),
            recipe=None,
            summary=None,
            labels=STATUS_LABELS,
            rows=[],
            repos=[_repo_view(report, name)],
        )
    )
