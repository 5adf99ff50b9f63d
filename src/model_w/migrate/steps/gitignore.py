"""Make sure local and generated files are ignored by git.

Model W keeps configuration in a git-ignored `.env` (model-w.md 1.1, 5.3);
the settings step writes secrets there and ignores `.env` itself (with
`ensure_ignored`) in its own commit; this step then adds the rest of Model
W's patterns. The existing file keeps its content and order; missing
patterns are appended under one marked block.
"""

from __future__ import annotations

import pathspec

from model_w.migrate.steps import Step, StepContext, register

MARKER = "# Added by modelw-migrate (Model W project layout)"
REQUIRED_PATTERNS = (
    ".env",
    ".venv/",
    "node_modules/",
    "__pycache__/",
    "*.py[cod]",
    "/api/static/",
    ".nuxt/",
    ".output/",
    ".svelte-kit/",
    "dist/",
    "celerybeat-schedule",
)
# Paths each pattern must ignore, to check an existing rule already covers it.
PROBES = {
    ".env": [".env", "api/.env", "front/.env"],
    ".venv/": [".venv/", "api/.venv/"],
    "node_modules/": ["node_modules/", "front/node_modules/"],
    "__pycache__/": ["__pycache__/", "api/x/__pycache__/"],
    "*.py[cod]": ["x.pyc", "api/x.pyc"],
    "/api/static/": ["api/static/"],
    ".nuxt/": ["front/.nuxt/"],
    ".output/": ["front/.output/"],
    ".svelte-kit/": ["front/.svelte-kit/"],
    "dist/": ["front/dist/"],
    "celerybeat-schedule": ["api/celerybeat-schedule"],
}


def missing_patterns(text: str) -> list[str]:
    """Patterns whose probe paths the current rules do not ignore."""
    spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    return [p for p in REQUIRED_PATTERNS if not all(spec.match_file(probe) for probe in PROBES[p])]


def ensure_ignored(ws, patterns: list[str], folder: str = "") -> bool:
    """Append the patterns a `.gitignore` lacks (checked as git would); True if it changed.

    The settings step calls this for `.env` so that the very commit that
    moves secrets into `.env` already ignores it.
    """
    path = f"{folder}/.gitignore" if folder else ".gitignore"
    text = ws.read(path) if ws.exists(path) else ""
    spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    missing = [
        p for p in patterns if not spec.match_file(p.rstrip("/") + ("/" if p.endswith("/") else ""))
    ]
    if not missing:
        return False
    block = ([] if not text.strip() else [""]) + [MARKER, *missing]
    base = text if text.endswith("\n") or not text else text + "\n"
    return ws.write(path, base + "\n".join(block) + "\n")


@register
class GitignoreStep(Step):
    id = "gitignore"
    title = "Ignore local and generated files"
    why = (
        "Model W keeps settings and secrets in a local .env file that must never be committed;"
        " virtualenvs, node_modules and build outputs do not belong in git either."
    )
    # After settings-env, which already ignores .env in its own commit, so
    # that the first migration commit no longer holds the legacy secrets.
    order = 25

    def run(self, ctx: StepContext) -> None:
        ws = ctx.workspace
        for path in ws.files():
            if path.rsplit("/", 1)[-1] == ".env" and ws.in_repository(path):
                ctx.follow_up(
                    path,
                    0,
                    "this .env file is committed; it is ignored from now on but stays in git"
                    " history: run `git rm --cached` on it and rotate any secret it holds",
                    level="blocker",
                )
        text = ws.read(".gitignore") if ws.exists(".gitignore") else ""
        missing = missing_patterns(text)
        if missing:
            block = ([] if not text.strip() else [""]) + [MARKER, *missing]
            new_text = text if text.endswith("\n") or not text else text + "\n"
            ws.write(".gitignore", new_text + "\n".join(block) + "\n")
