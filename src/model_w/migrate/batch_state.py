"""The state a batch keeps in its work folder, so `--failed-only` knows what failed.

`batch-state.json` holds, per repository, where it comes from and the
outcome of its last run. It is rewritten atomically after every batch.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from model_w.migrate.errors import UserError

STATE_FILE = "batch-state.json"
STATE_VERSION = 1


@dataclass
class BatchState:
    workdir: Path
    recipe: str | None = None
    repos: dict[str, dict[str, Any]] = field(default_factory=dict)  # insertion = display order
    updated_at: str | None = None

    @property
    def path(self) -> Path:
        return self.workdir / STATE_FILE

    @classmethod
    def load(cls, workdir: Path) -> BatchState:
        workdir = Path(workdir)
        path = workdir / STATE_FILE
        if not path.is_file():
            return cls(workdir)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UserError(
                f"{path}: the batch state is not valid JSON ({exc})",
                "delete it to start the batch afresh",
            ) from None
        if data.get("schema_version") != STATE_VERSION:
            raise UserError(
                f"{path}: unknown batch state version {data.get('schema_version')}",
                "delete it to start the batch afresh",
            )
        return cls(workdir, data.get("recipe"), dict(data.get("repos", {})), data.get("updated_at"))

    def remember(self, spec: Any) -> None:
        entry = self.repos.setdefault(spec.name, {"status": "pending"})
        entry.update({"source": spec.source, "url": spec.url, "path": spec.path})

    def record(self, outcome: Any) -> None:
        entry = self.repos.setdefault(outcome.name, {})
        entry.update(
            {
                "source": outcome.source,
                "status": outcome.status,
                "error": outcome.error,
                "duration": outcome.duration,
                "commits": outcome.commits,
                "finished_at": _now(),
            }
        )

    def failed_names(self) -> list[str]:
        return [n for n, e in self.repos.items() if e.get("status") in ("failed", "interrupted")]

    def save(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.updated_at = _now()
        data = {
            "schema_version": STATE_VERSION,
            "recipe": self.recipe,
            "updated_at": self.updated_at,
            "repos": self.repos,
        }
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
