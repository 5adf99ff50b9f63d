"""Mount Django under `/back` (model-w.md part 2, section 6).

Model W's load balancer sends every path under `/back` to Django and the
rest to the front-end, and Django sees the full path. This step:

- runs the `BackRoutingCommand` codemod on ROOT_URLCONF: every top-level
  route gets a literal `back/` prefix; a front-end catch-all stays at the root;
- makes settings follow (`BackSettingsCommand`): LOGIN_URL,
  LOGIN_REDIRECT_URL, LOGOUT_REDIRECT_URL and any other hard-coded path into
  a mounted route; `LOGIN_URL = "/back/accounts/login/"` is added when the
  project relied on Django's default `/accounts/login/` and has an
  `accounts/` route;
- MEDIA_URL: when Django serves media itself (`static(settings.MEDIA_URL,
  ...)` in the URLconf), a root-relative MEDIA_URL (`/media/`) becomes
  `/back/media/`, exactly as the preset derives STATIC_URL `/back/static/`;
  an absolute URL (a bucket or CDN) is left alone. Production media belong in
  the bucket (model-w.md part 1), which is said in a follow-up;
- rewrites `href="/admin/"`-style attributes in Django templates;
- lists, never edits, front-end code that calls Django by absolute path
  (`fetch("/api/...")`, `baseURL: "/api"`), and Python code outside settings
  with such paths.
"""

from __future__ import annotations

import re

from model_w.migrate.codemods.back_paths import PREFIX, mount_path

from model_w.migrate.answers import Answers
from model_w.migrate.facts import Facts
from model_w.migrate.steps import Step, StepContext, register

TEMPLATE_EXTENSIONS = (".html", ".htm", ".txt", ".jinja", ".jinja2", ".j2", ".djhtml", ".xml")
FRONT_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx", ".vue", ".svelte")
ATTRIBUTE = re.compile(
    r"""(?P<lead>\b(?:href|src|action|formaction|hx-(?:get|post|put|patch|delete)|data-url)\s*=\s*["'])"""
    r"""(?P<path>/[^"'\s{]*)"""
)
MAX_FRONT_FOLLOWUPS = 60


def module_path(facts: Facts, dotted: str) -> str | None:
    """The file of a dotted module under the project's import root."""
    django = facts.django
    if django is None:
        return None
    root = django.import_root.strip("/")
    base = "/".join(p for p in (root, dotted.replace(".", "/")) if p)
    return base + ".py"


def settings_paths(facts: Facts) -> list[str]:
    django = facts.django
    if django is None:
        return []
    paths = [m.path for m in django.settings if m.path.endswith(".py") and not m.parse_error]
    if not paths and django.settings_module:
        candidate = module_path(facts, django.settings_module)
        if candidate:
            paths.append(candidate)
    return list(dict.fromkeys(paths))


def login_target(facts: Facts) -> str | None:
    """The settings module that gets an added LOGIN_URL: base, else the one in use."""
    django = facts.django
    if django is None:
        return None
    for role in ("base", "single"):
        for module in django.settings:
            if module.role == role:
                return module.path
    for module in django.settings:
        if module.module == django.settings_module:
            return module.path
    return module_path(facts, django.settings_module) if django.settings_module else None


def django_root(facts: Facts) -> str:
    django = facts.django
    if django is None:
        return ""
    return django.project_dir


@register
class BackRouting(Step):
    id = "back-routing"
    title = "Mount Django under /back"
    why = (
        "Model W routes every path under /back to Django and the rest to the front-end, on one "
        "domain, and Django sees the full path: every backend route gets a back/ prefix and the "
        "hard-coded paths (LOGIN_URL, MEDIA_URL, template links) follow."
    )
    order = 35

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return bool(facts.django and facts.django.root_urlconf)

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        return "no ROOT_URLCONF found"

    def run(self, ctx: StepContext) -> None:
        facts, ws = ctx.facts, ctx.workspace
        assert facts.django and facts.django.root_urlconf
        urls = module_path(facts, facts.django.root_urlconf)
        if urls and not ws.exists(urls):
            package = urls[: -len(".py")] + "/__init__.py"
            urls = package if ws.exists(package) else None
        if urls is None:
            ctx.follow_up(
                "",
                0,
                f"ROOT_URLCONF {facts.django.root_urlconf} not found: mount its routes under back/ by hand",
                "blocker",
            )
            return
        source = ws.read(urls)
        from model_w.migrate.codemods.back_routing import BackRoutingCommand  # libcst: on use

        result = ctx.codemod(BackRoutingCommand, source, path=urls)
        ws.write(urls, result.code)
        segments = sorted(set(result.scratch.get("back_routing_segments", [])) - {PREFIX})

        media_served = "MEDIA_URL" in source or "MEDIA_ROOT" in source
        settings = settings_paths(facts)
        setting_segments = list(segments)
        if media_served:
            media = self._media_segment(ctx, settings)
            if media:
                setting_segments.append(media)
        self._settings(ctx, settings, setting_segments, segments)
        self._templates(ctx, setting_segments)
        self._python_paths(ctx, setting_segments, skip={urls, *settings})
        self._front_calls(ctx, setting_segments)
        if facts.services.channels:
            ctx.follow_up(
                "",
                0,
                f'websocket routes (channels routing) must live under /{PREFIX} too, e.g. re_path(r"{PREFIX}/ws/...")',
                "todo",
            )

    # -- settings -------------------------------------------------------------------
    def _media_segment(self, ctx: StepContext, settings: list[str]) -> str | None:
        line = re.compile(r"^\s*MEDIA_URL\s*[:=](.*)$", re.MULTILINE)
        value = re.compile(r"""["'](?:/([A-Za-z0-9_.~-]+)/?|([A-Za-z0-9_.~-]+)/)["']""")
        for path in settings:
            if not ctx.workspace.exists(path):
                continue
            for assignment in line.finditer(ctx.workspace.read(path)):
                match = value.search(assignment.group(1))
                if not match:
                    continue
                segment = match.group(1) or match.group(2)
                if segment == PREFIX:
                    return None
                ctx.follow_up(
                    path,
                    0,
                    f"Django serves media under /{PREFIX}/{segment}/ in development; in production Model W keeps "
                    "user uploads in the S3-like bucket behind its own CDN domain (enable storages)",
                    "info",
                )
                return segment
        return None

    def _settings(
        self, ctx: StepContext, settings: list[str], segments: list[str], routes: list[str]
    ) -> None:
        ws = ctx.workspace
        has_login_url = False
        for path in settings:
            if ws.exists(path) and re.search(r"\bLOGIN_URL\b", ws.read(path)):
                has_login_url = True
        add_to = None
        if not has_login_url and "accounts" in routes:
            add_to = login_target(ctx.facts)
        from model_w.migrate.codemods.back_routing import BackSettingsCommand  # libcst: on use

        for path in settings:
            if not ws.exists(path):
                continue
            add = f"/{PREFIX}/accounts/login/" if path == add_to else None
            result = ctx.codemod(
                BackSettingsCommand, ws.read(path), path=path, segments=segments, add_login_url=add
            )
            ws.write(path, result.code)

    # -- Django templates -------------------------------------------------------------
    def _templates(self, ctx: StepContext, segments: list[str]) -> None:
        ws = ctx.workspace
        front_dirs = {fe.path for fe in ctx.facts.frontends if fe.path}
        for path in ws.files(django_root(ctx.facts)):
            if not path.endswith(TEMPLATE_EXTENSIONS) or "templates/" not in f"/{path}":
                continue
            if any(path.startswith(d + "/") for d in front_dirs):
                continue
            try:
                text = ws.read(path)
            except Exception:  # not UTF-8: nothing we can rewrite
                continue

            def replace(match: re.Match[str]) -> str:
                new = mount_path(match.group("path"), segments)
                return match.group("lead") + (new if new else match.group("path"))

            ws.write(path, ATTRIBUTE.sub(replace, text))

    # -- what is only reported ----------------------------------------------------------
    def _python_paths(self, ctx: StepContext, segments: list[str], skip: set[str]) -> None:
        if not segments:
            return
        ws = ctx.workspace
        names = "|".join(map(re.escape, segments))
        literal = re.compile(rf"""(["'])(/(?:{names})(?:/[^"'\s]*)?)\1""")
        front_dirs = tuple(f"{fe.path}/" for fe in ctx.facts.frontends if fe.path)
        for path in ws.files(django_root(ctx.facts)):
            if not path.endswith(".py") or path in skip or "/migrations/" in f"/{path}":
                continue
            if path.startswith(front_dirs):
                continue
            text = ws.read(path)
            # one scan of the whole text (a match never spans lines); lines are
            # counted only where something matched
            for match in literal.finditer(text):
                number = text.count("\n", 0, match.start()) + 1
                ctx.follow_up(
                    path,
                    number,
                    f"hard-coded Django path {match.group(2)!r} now lives at /{PREFIX}{match.group(2)}: "
                    "use reverse()/{% url %} or add the prefix",
                    "todo",
                )

    def _front_calls(self, ctx: StepContext, segments: list[str]) -> None:
        if not segments:
            return
        ws = ctx.workspace
        folders = {fe.path for fe in ctx.facts.frontends if fe.kind != "tooling"}
        if ws.is_dir("front"):
            folders.add("front")
        names = "|".join(map(re.escape, segments))
        tail = r"""(?:[/?#][^"'`\s]*)?"""
        call = re.compile(
            rf"""["'`](?P<path>/(?:{names}){tail})["'`]|https?://[^/"'`\s]+(?P<abs>/(?:{names}){tail})["'`]"""
        )
        seen: set[str] = set()
        count = 0
        for folder in sorted(folders):
            for path in ws.files(folder):
                if not path.endswith(FRONT_EXTENSIONS) or path in seen:
                    continue
                seen.add(path)
                try:
                    text = ws.read(path)
                except Exception:
                    continue
                for number, line in enumerate(text.splitlines(), 1):
                    match = call.search(line)
                    if not match:
                        continue
                    count += 1
                    if count > MAX_FRONT_FOLLOWUPS:
                        continue
                    found = match.group("path") or match.group("abs")
                    ctx.follow_up(
                        path,
                        number,
                        f"front-end code calls Django at {found!r}; under Model W it is served at "
                        f"/{PREFIX}{found} (same origin; the front proxies /{PREFIX} to the API in development)",
                        "todo",
                    )
        if count > MAX_FRONT_FOLLOWUPS:
            ctx.follow_up(
                "",
                0,
                f"{count - MAX_FRONT_FOLLOWUPS} more front-end call sites use Django paths without /{PREFIX}; "
                f"search the front-end for {', '.join('/' + s + '/' for s in segments)}",
                "todo",
            )
