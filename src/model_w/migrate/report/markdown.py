"""Markdown reports, for a pull request description or a wiki page.

Rendered from the JSON reports (json_report, merge), never from live
objects, so a report merged from CI artefacts reads the same as one written
by a local batch. Diffs sit in collapsible `<details>` blocks, which GitHub
and GitLab render.
"""

from __future__ import annotations

from typing import Any

from model_w.migrate.report.merge import report_error, status_label

LEVEL_ICON = {"blocker": "⛔ blocker", "todo": "📝 todo", "info": "ℹ️ info"}


def _cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return fence


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def render_repo_markdown(report: dict[str, Any], name: str | None = None, level: int = 1) -> str:
    h = "#" * level
    name = name or str(report.get("repository", "repository"))
    summary = report.get("summary", {})
    lines = [f"{h} {name}: {status_label(report.get('status', ''))}", ""]
    facts = [f"**Status:** {status_label(report.get('status', ''))}"]
    if report.get("mode") == "dry-run":
        facts.append("dry run (nothing written)")
    if report.get("branch"):
        origin = report.get("origin_branch")
        facts.append(f"branch `{report['branch']}`" + (f" (from `{origin}`)" if origin else ""))
    if report.get("modelw_release"):
        facts.append(f"Model W {report['modelw_release']}")
    facts.append(f"{summary.get('commits', 0)} commit(s)")
    facts.append(f"{summary.get('files_changed', 0)} file(s) changed")
    blockers = summary.get("blockers", 0)
    facts.append(
        f"{summary.get('followups', 0)} follow-up(s)"
        + (f", {blockers} blocker(s)" if blockers else "")
    )
    lines += [" · ".join(facts), ""]
    if report.get("repository"):
        lines += [f"Repository: `{report['repository']}`", ""]
    error = report_error(report)
    if error:
        lines += [f"> **Failed:** {error}", ""]
    for note in report.get("notes", []):
        lines += [f"> Note: {note}", ""]
    if report.get("resumed_steps"):
        lines += [f"Already committed by an earlier run: {', '.join(report['resumed_steps'])}.", ""]

    steps = report.get("steps", [])
    if steps:
        lines += [f"{h}# Steps", "", "| # | step | status | files | lines | commit |"]
        lines.append("|---|---|---|---|---|---|")
        for i, step in enumerate(steps, 1):
            commit = f"`{step['commit'][:10]}`" if step.get("commit") else ""
            delta = f"+{step.get('added_lines', 0)} −{step.get('removed_lines', 0)}"
            lines.append(
                f"| {i} | {_cell(step.get('title'))} (`{step['id']}`) | {_cell(step.get('status'))}"
                f" | {len(step.get('files', []))} | {delta} | {commit} |"
            )
        lines.append("")
    skipped = [p for p in report.get("plan", []) if p.get("status") != "planned"]
    if skipped:
        lines += [f"{h}# Not run", ""]
        for entry in skipped:
            lines.append(
                f"- {entry['title']} (`{entry['id']}`): {entry['status']}, {entry['reason']}"
            )
        lines.append("")

    followups = report.get("followups", [])
    lines += [f"{h}# Follow-ups ({len(followups)})", ""]
    if not followups:
        lines += ["Nothing left to do by hand.", ""]
    order = {"blocker": 0, "todo": 1, "info": 2}
    for item in sorted(
        followups, key=lambda f: (order.get(f["level"], 3), f["path"], f.get("line") or 0)
    ):
        where = item["path"] or "(project)"
        if item.get("line"):
            where += f":{item['line']}"
        step = f" ({item['step']})" if item.get("step") else ""
        lines.append(
            f"- {LEVEL_ICON.get(item['level'], item['level'])} `{where}`: {item['message']}{step}"
        )
    if followups:
        lines.append("")

    with_diffs = [
        s for s in steps if any(f.get("diff") or f.get("local") for f in s.get("files", []))
    ]
    if with_diffs:
        lines += [f"{h}# Changes", ""]
        for step in with_diffs:
            files = step.get("files", [])
            lines += [
                "<details>",
                f"<summary>{step.get('title')} (<code>{step['id']}</code>): {len(files)} file(s)</summary>",
                "",
            ]
            if step.get("why"):
                lines += [f"_{step['why']}_", ""]
            diff = "".join(f.get("diff") or "" for f in files)
            local = [f["path"] for f in files if f.get("local")]
            if local:
                lines += [f"Local files written, never committed: {', '.join(local)}", ""]
            if diff:
                fence = _fence(diff)
                lines += [f"{fence}diff", diff.rstrip("\n"), fence, ""]
            lines += ["</details>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_batch_markdown(batch: dict[str, Any]) -> str:
    summary = batch["summary"]
    lines = [f"# {batch.get('title') or 'Model W migration batch'}", ""]
    recipe = batch.get("recipe") or {}
    if recipe.get("name"):
        lines += [
            f"Recipe: **{recipe['name']}**"
            + (f": {recipe['description']}" if recipe.get("description") else ""),
            "",
        ]
    counts = ", ".join(f"{n} {status_label(s)}" for s, n in summary["by_status"].items())
    lines += [
        f"{summary['repositories']} repositories: {counts or 'none'}."
        f" {summary['commits']} commit(s), {summary['files_changed']} file(s) changed,"
        f" {summary['followups']} follow-up(s), {summary['blockers']} blocker(s).",
        "",
        "| repository | status | commits | files changed | follow-ups | time | report |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in batch["repositories"]:
        followups = str(row["followups"]) + (
            f" ({row['blockers']} blocker(s))" if row["blockers"] else ""
        )
        md = row["report"].rsplit(".", 1)[0] + ".md"
        lines.append(
            f"| {_cell(row['name'])} | {row['label']} | {row['commits']} | {row['files_changed']}"
            f" | {followups} | {_duration(row['duration_seconds'])} | [report]({md}) |"
        )
    lines.append("")
    failed = [r for r in batch["repositories"] if r.get("error")]
    if failed:
        lines += ["## Failures", ""]
        for row in failed:
            lines.append(f"- **{row['name']}**: {row['error']}")
        lines.append("")
    lines += ["## Repositories", ""]
    for row in batch["repositories"]:
        lines.append(render_repo_markdown(batch["reports"][row["name"]], row["name"], level=3))
    return "\n".join(lines).rstrip("\n") + "\n"
