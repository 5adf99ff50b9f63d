"""The human summary of `modelw inspect`: Facts as a few short sections.

Rendering only: everything shown is in the Facts. Readable in 80 columns;
plain text when piped or with NO_COLOR (the console decides).
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from model_w.migrate.facts import Facts

LEVEL_STYLE = {"blocker": "bold red", "warning": "yellow", "info": "cyan"}


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(f"[bold]{escape(title)}[/]")


def _pairs(console: Console, rows: list[tuple[str, str | None]]) -> None:
    """Key/value lines, keys aligned; no padding after the value (clean when piped)."""
    shown = [(k, v) for k, v in rows if v]
    width = max((len(k) for k, _ in shown), default=0)
    for key, value in shown:
        console.print(f"  [dim]{escape(key.ljust(width))}[/]  {escape(value or '')}")


def _table(console: Console, headers: list[str], rows: list[list[str]]) -> None:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)


def _git_line(facts: Facts) -> str:
    git = facts.git
    if not git.is_repo:
        return "not a git repository"
    if git.bare:
        return "bare repository"
    where = (
        f"detached HEAD at {git.head[:10]}" if git.detached and git.head else f"branch {git.branch}"
    )
    state = f"{len(git.dirty)} uncommitted change(s)" if git.dirty else "clean"
    extra = (
        f"; migration branches: {', '.join(git.migration_branches)}"
        if git.migration_branches
        else ""
    )
    return f"{where}, {state}{extra}"


def render_facts(console: Console, facts: Facts) -> None:
    """Print the summary of one inspection."""
    django = facts.django
    console.print(f"[bold]modelw inspect[/] {escape(facts.root)}")

    _section(console, "Project")
    rows: list[tuple[str, str | None]] = [("git", _git_line(facts))]
    if django:
        sources = ", ".join(f"{s.path}:{s.line}" for s in django.settings_module_sources)
        apps = ", ".join(
            a.name if a.label == a.name.rpartition(".")[2] else f"{a.name} (label {a.label})"
            for a in django.project_apps
        )
        rows += [
            ("manage.py", django.manage_py),
            ("import root", django.import_root or "."),
            ("package", django.project_package),
            (
                "settings",
                f"{django.settings_module or '(none)'}" + (f"  from {sources}" if sources else ""),
            ),
            ("urls", django.root_urlconf),
            ("wsgi", django.wsgi_application),
            ("asgi", django.asgi_application),
            ("user model", django.auth_user_model),
            ("project apps", apps or "(none)"),
            ("third-party apps", ", ".join(django.third_party_apps) or "(none)"),
        ]
    if len(facts.manage_py_files) > 1:
        rows.append(("all manage.py", ", ".join(facts.manage_py_files)))
    _pairs(console, rows)

    if django and django.settings:
        _section(console, "Settings and environment")
        table_rows = []
        for module in django.settings:
            chain = ", ".join([*module.star_imports, *module.includes])
            if module.local_override:
                chain = (chain + " " if chain else "") + "(local override)"
            if module.parse_error:
                chain = f"DOES NOT PARSE: {module.parse_error}"
            table_rows.append([module.module, module.role, chain or "-"])
        _table(console, ["module", "role", "imports / includes"], table_rows)
    env = facts.env
    helpers = ", ".join(
        f"{h.name} ({'plain' if h.plain else 'not plain'}, {len(h.call_sites)} call(s))"
        for h in env.helpers
    )
    _pairs(
        console,
        [
            ("env styles", ", ".join(env.styles)),
            ("env reads", str(len(env.reads))),
            ("helpers", helpers or None),
        ],
    )

    _section(console, "Services")
    services = facts.services
    flags = [
        name
        for name in ("celery", "channels", "storages", "sentry", "drf", "wagtail")
        if getattr(services, name)
    ]
    _pairs(
        console,
        [
            ("databases", ", ".join(services.database_engines) or "(none found)"),
            ("caches", ", ".join(services.cache_backends) or None),
            ("email", services.email_backend),
            ("uses", ", ".join(flags) or "(nothing else)"),
        ],
    )

    _section(console, "Versions")
    versions = facts.versions
    django_text = None
    if versions.django:
        django_text = versions.django + (
            f"  (at least {versions.django_min})" if versions.django_min else ""
        )
    _pairs(
        console,
        [("Django", django_text or "(not pinned)"), ("Python", versions.python or "(no hint)")],
    )

    _section(console, "Dependencies")
    if facts.dependency_files:
        _table(
            console,
            ["file", "kind", "includes", "packages"],
            [
                [d.path, d.kind, ", ".join(d.includes) or "-", str(len(d.packages))]
                for d in facts.dependency_files
            ],
        )
    else:
        console.print("(no dependency file)")

    _section(console, "Front-ends")
    if facts.frontends:
        _table(
            console,
            ["folder", "kind", "framework", "bundler", "builds into"],
            [
                [f.path or ".", f.kind, f.framework or "-", f.bundler or "-", f.outputs_into or "-"]
                for f in facts.frontends
            ],
        )
    else:
        console.print("(none)")

    infra = facts.infra
    _section(console, "Around the code")
    _pairs(
        console,
        [
            ("Docker", ", ".join(infra.dockerfiles) or None),
            ("compose", ", ".join(infra.compose_files) or None),
            ("CI", ", ".join(infra.ci_files) or None),
            ("Procfile", ", ".join(infra.procfiles) or None),
            ("other", ", ".join(infra.other) or None),
            (
                "Model W",
                ("yes" if facts.modelw.on_modelw else "partly: " + "; ".join(facts.modelw.signs))
                if facts.modelw.signs
                else "not yet",
            ),
            ("name clashes", ", ".join(facts.name_clashes) or None),
        ],
    )

    _section(console, "Findings")
    if not facts.findings:
        console.print("nothing to report")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("level", no_wrap=True)
    table.add_column("what", overflow="fold")
    for finding in facts.findings:
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        text = escape(finding.message) + (f"\n[dim]{escape(where)}[/]" if where else "")
        style = LEVEL_STYLE.get(finding.level, "")
        table.add_row(f"[{style}]{finding.level}[/]", text)
    console.print(table)
