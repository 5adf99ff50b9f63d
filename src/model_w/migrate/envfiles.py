"""`.env-template` and `.env` next to manage.py (model-w.md 1.2, 4, 10.4).

`.env-template` is committed: every variable the settings read, grouped by
purpose, each with a comment, a safe example (never a secret), whether it is
required, and the legacy names it replaces (`# was: DJANGO_SECRET_KEY`).
Optional variables are commented out: an empty value counts as set (part 4).

`.env` is local (the Workspace never commits it): the values this machine
used before the migration, secrets included. An existing `.env` is merged,
never overwritten: every line the user had stays, missing variables are
appended under one marker, and a legacy name's value feeds its new name.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

GROUP_TITLES = {
    "django": "Django",
    "database": "Database",
    "cache": "Cache and Redis",
    "email": "Email",
    "storage": "Media storage",
    "sentry": "Sentry",
    "celery": "Celery",
    "app": "Project settings",
}
ADDED_MARKER = "# Added by modelw-migrate"
LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


@dataclass
class EnvVarDoc:
    name: str
    comment: str = ""
    group: str = "app"
    required: bool = False
    secret: bool = False
    example: str | None = None  # safe value for the template
    local_value: str | None = None  # value for .env
    old_names: list[str] = field(default_factory=list)


def from_record(record: dict[str, Any]) -> EnvVarDoc:
    required = bool(record.get("required", not record.get("has_default", False)))
    secret = bool(record.get("secret"))
    example = None
    if not secret:
        example = record.get("local_value")
        if example is None and record.get("default") is not None:
            from model_w.migrate.codemods.envvars import dotenv_text

            example = dotenv_text(record["default"], bool(record.get("is_yaml")))
    return EnvVarDoc(
        name=record["name"],
        comment=record.get("comment") or "",
        group=record.get("group") or "app",
        required=required,
        secret=secret,
        example=example,
        local_value=record.get("local_value"),
        old_names=list(record.get("old_names") or []),
    )


def _quote(value: str) -> str:
    if value == "" or re.search(r"[\s#'\"$\\]", value):
        return "'" + value.replace("'", "'\"'\"'") + "'" if "'" in value else f"'{value}'"
    return value


def _safe_example(var: EnvVarDoc) -> str:
    if var.name == "SECRET_KEY":
        return "replace-with-50-random-chars"
    if var.secret:
        return "change-me"
    return var.example if var.example is not None else ""


def render_template(variables: list[EnvVarDoc], header: str = "") -> str:
    """The committed `.env-template`."""
    lines = [
        "# Environment variables read by the settings (Model W: configuration comes",
        "# from the environment only). Copy this file to .env and fill it in;",
        "# .env is git-ignored. Optional variables are commented out.",
    ]
    if header:
        lines += [f"# {h}" if h else "#" for h in header.splitlines()]
    by_group: dict[str, list[EnvVarDoc]] = {}
    for var in variables:
        by_group.setdefault(var.group if var.group in GROUP_TITLES else "app", []).append(var)
    for group in GROUP_TITLES:
        items = by_group.get(group)
        if not items:
            continue
        lines += ["", f"# --- {GROUP_TITLES[group]} ---"]
        for var in items:
            note = "required" if var.required else "optional"
            comment = f"{var.comment} ({note})" if var.comment else f"({note})"
            lines.append(f"# {comment}")
            if var.old_names:
                lines.append(f"# was: {', '.join(var.old_names)}")
            value = _quote(_safe_example(var))
            lines.append(f"{var.name}={value}" if var.required else f"# {var.name}={value}")
    return "\n".join(lines) + "\n"


def parse_dotenv(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        raw = match.group(2).strip()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
            raw = raw[1:-1]
        values[match.group(1)] = raw
    return values


def render_local(variables: list[EnvVarDoc], existing: str | None = None) -> str:
    """The local `.env`: the existing file kept line for line, missing values appended."""
    old = parse_dotenv(existing or "")
    wanted: list[tuple[str, str]] = []
    for var in variables:
        if var.name in old:
            continue
        value = var.local_value
        if value is None:
            for legacy in var.old_names:
                if legacy in old:
                    value = old[legacy]
                    break
        if value is None and var.name == "SECRET_KEY":
            value = secrets.token_urlsafe(50)
        if value is None:
            continue
        wanted.append((var.name, value))
    if not wanted:
        return existing if existing is not None else ""
    lines = []
    if existing:
        lines.append(existing.rstrip("\n"))
        lines.append("")
    lines.append(
        ADDED_MARKER
        if existing
        else "# Local values (git-ignored). Generated by modelw-migrate from the legacy settings."
    )
    lines += [f"{name}={_quote(value)}" for name, value in wanted]
    return "\n".join(lines) + "\n"
