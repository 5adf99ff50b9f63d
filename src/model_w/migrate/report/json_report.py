"""The JSON report of one migration (schema documented in docs/report-schema.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model_w.migrate import __version__
from model_w.migrate.migration import MigrationResult
from model_w.migrate.report.diff import diff_stat, file_diff

REPORT_SCHEMA_VERSION = 1


def build_report(result: MigrationResult, repository: str) -> dict[str, Any]:
    steps = []
    for cs in result.changesets:
        added, removed = diff_stat(cs.committed_changes)
        steps.append(
            {
                "id": cs.step_id,
                "title": cs.title,
                "why": cs.why,
                "status": cs.status,
                "error": cs.error,
                "commit": cs.commit,
                "added_lines": added,
                "removed_lines": removed,
                "files": [
                    {
                        "path": c.path,
                        "old_path": c.old_path,
                        "kind": c.kind,
                        "local": c.local,
                        # local files (.env) may hold secrets: never their content
                        "diff": None if c.local else file_diff(c),
                    }
                    for c in cs.changes
                ],
                "followups": [f.to_json() for f in cs.followups],
            }
        )
    followups = [f.to_json() for f in result.followups]
    changed = {
        c.path for cs in result.changesets if cs.status != "skipped" for c in cs.committed_changes
    }
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": "modelw-migrate",
        "tool_version": __version__,
        "repository": repository,
        "mode": result.mode,
        "status": result.status,
        "branch": result.branch,
        "origin_branch": result.origin_branch,
        "modelw_release": result.answers.modelw_release,
        "answers": result.answers.to_json(),
        "plan": result.plan.to_json(),
        "resumed_steps": result.resumed,
        "steps": steps,
        "followups": followups,
        "env_renames": result.outcome.shared.get("env_renames", {}),
        "notes": result.notes,
        "summary": {
            "files_changed": len(changed),
            "commits": len(result.commits),
            "followups": len(followups),
            "blockers": sum(1 for f in followups if f["level"] == "blocker"),
        },
    }


def write_report(result: MigrationResult, repository: str, path: Path) -> None:
    data = build_report(result, repository)
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
