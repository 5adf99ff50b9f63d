"""settings-env: settings read from environment variables, on the Model W preset.

The heart of the migration (model-w.md parts 2 to 5 and 10 to 12):

1. split settings are merged into one module (codemods/split_merge.py):
   base + the production module (answers.production_settings) and the
   fragments they star-import; dev values that differ become env vars whose
   dev value goes to `.env`. The merged module is written at the production
   module's path, so `wsgi.py`/`asgi.py` usually need no change; the other
   settings modules of the chain are deleted, because Model W has one
   settings module configured by the environment, and keeping a dev or test
   module that star-imports it would run the preset twice with different
   values. Test tweaks (a fast hasher, a locmem email backend, SQLite) cannot
   work with the preset (PostgreSQL only) and pytest-django builds its test
   database from DATABASE_URL, so a test module is dropped too and what it
   set is listed as a follow-up. References to the deleted modules in
   manage.py, wsgi/asgi/celery.py and pytest configuration are pointed at the
   merged module (the restructure step renames it later);
2. env reads become `env.get(...)` (codemods env_reads, hardcoded_env,
   sentry_init, when installed);
3. the module adopts the preset (codemods/preset_adoption.py);
4. `.env-template` (committed) and `.env` (local) are written next to
   manage.py (envfiles.py); secrets go to `ctx.secrets`; the old -> new
   variable names go to `ctx.shared["env_renames"]` and the template;
5. a SQLite or MySQL database is a blocker with the exact data-move commands.

A settings module that already uses the preset is left as it is.
"""

from __future__ import annotations

import importlib
import inspect as pyinspect
import posixpath
import re
from typing import Any

from model_w.migrate.answers import Answers
from model_w.migrate.envfiles import (
    EnvVarDoc,
    from_record,
    parse_dotenv,
    render_local,
    render_template,
)
from model_w.migrate.facts import Facts, SettingsModule
from model_w.migrate.steps import register
from model_w.migrate.steps.base import Step, StepContext

ENV_CODEMODS = ("env_reads", "hardcoded_env", "sentry_init")
PYTEST_CONFIGS = ("pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml")
REFERENCING_FILES = ("manage.py", "wsgi.py", "asgi.py", "celery.py")
NON_POSTGRES = ("sqlite", "mysql", "oracle")
EXAMPLE_FILES = (".env.example", ".env.dist", ".env-dist", ".env.sample", "env.example")


def env_codemods() -> list[type]:
    """The env-read codemods present in this install, in the order they run."""
    from model_w.migrate.codemods.base import ModelWCodemod

    found: list[type] = []
    for name in ENV_CODEMODS:
        try:
            module = importlib.import_module(f"model_w.migrate.codemods.{name}")
        except ImportError:
            continue
        for _, obj in pyinspect.getmembers(module, pyinspect.isclass):
            if (
                issubclass(obj, ModelWCodemod)
                and obj is not ModelWCodemod
                and obj.__module__ == module.__name__
            ):
                found.append(obj)
                break
    return found


def uses_preset(source: str) -> bool:
    return bool(re.search(r"^with\s+EnvManager\(", source, re.M)) and "ModelWDjango" in source


@register
class SettingsEnv(Step):
    id = "settings-env"
    title = "Read settings from environment variables, on the Model W preset"
    why = (
        "Model W configures everything through environment variables (twelve factors) with "
        "modelw-preset-django: the settings module wraps itself in EnvManager(ModelWDjango(...)), "
        "keeps only what differs from the preset, and every deployment value comes from .env."
    )
    order = 20

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return bool(facts.django and self._main(facts) is not None)

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        if not facts.django:
            return "no Django project found"
        return "no settings module found (DJANGO_SETTINGS_MODULE not found)"

    @staticmethod
    def _main(facts: Facts) -> SettingsModule | None:
        django = facts.django
        if not django:
            return None
        for module in django.settings:
            if module.module == django.settings_module:
                return module
        singles = [m for m in django.settings if m.role in ("single", "production", "base")]
        return singles[0] if singles else (django.settings[0] if django.settings else None)

    # -- run ---------------------------------------------------------------------
    def run(self, ctx: StepContext) -> None:
        # libcst is imported when the step runs, not when steps are listed
        from model_w.migrate.codemods.preset_adoption import PresetAdoption
        from model_w.migrate.codemods.split_merge import RemoveLocalImports, uses_split_settings

        facts, ws, answers = ctx.facts, ctx.workspace, ctx.answers
        django = facts.django
        assert django is not None
        main = self._main(facts)
        assert main is not None
        by_name = {m.module: m for m in django.settings}
        if uses_preset(ws.read(main.path)):
            return
        target = self._production(facts, answers, main, by_name)
        if target is None:
            return
        if uses_preset(ws.read(target.path)):
            return
        records: list[dict[str, Any]] = []
        dev_records: list[dict[str, Any]] = []
        source = ws.read(target.path)

        # 1. split settings (django-split-settings' include() first)
        if uses_split_settings(source):
            source = self._split_settings(ctx, target, dev_records)
        chain = self._chain(target, by_name)
        if len(chain) > 1 or (main.module != target.module and main.module in by_name):
            source = self._merge(ctx, target, main, by_name, dev_records)
        else:
            result = ctx.codemod(
                RemoveLocalImports,
                source,
                path=target.path,
                module=target.module,
                is_package=target.path.endswith("__init__.py"),
            )
            source = result.code

        # 2. env reads
        for command in env_codemods():
            kwargs: dict[str, Any] = (
                self._helper_policies(facts, answers)
                if command.__name__ == "EnvReadsCommand"
                else {}
            )
            # the target release's preset variables (names, signatures)
            kwargs["release"] = answers.modelw_release
            try:
                result = ctx.codemod(command, source, path=target.path, **kwargs)
            except TypeError:
                continue
            source = result.code
            self._collect(ctx, result.scratch, records)

        # 3. preset adoption
        rel_dir = posixpath.relpath(
            posixpath.dirname(target.path) or ".", django.project_dir or "."
        )
        rel_dir = "" if rel_dir == "." else rel_dir
        result = ctx.codemod(
            PresetAdoption,
            source,
            path=target.path,
            release=answers.modelw_release,
            flags=self._flags(facts, source),
            settings_rel_dir=None if rel_dir.startswith("..") else rel_dir,
            legacy_django=facts.versions.django_min,
            uses_drf=bool(facts.services.drf) or None,
        )
        self._collect(ctx, result.scratch, records)
        ws.write(target.path, result.code)
        adoption = result.scratch.get("modelw_adoption", {})
        self._settle_followups(ctx, adoption)

        # 4. .env-template and .env
        for record in dev_records:
            self._merge_record(records, record, dev=True)
        records[:] = self._still_read(records, result.code)
        self._database(ctx, target, adoption, records, facts)
        self._required(records, adoption, facts, answers)
        self._env_files(ctx, records)

    # -- helpers -------------------------------------------------------------------
    @staticmethod
    def _helper_policies(facts: Facts, answers: Answers) -> dict[str, Any]:
        """What the wizard or a recipe decided for project env helpers.

        Per helper: `decisions["unknown-env-helper:<name>"]`, else the
        `unknown_env_helper` policy, else keep-with-todo.
        """
        default = answers.policies.get("unknown_env_helper") or "keep-with-todo"
        names = {h.name for h in facts.env.helpers} if facts.env else set()
        prefix = "unknown-env-helper:"
        names |= {k[len(prefix) :] for k in answers.decisions if k.startswith(prefix)}
        per_helper = {
            name: answers.decisions.get(f"{prefix}{name}") or default for name in sorted(names)
        }
        return {"helper_policy": default, "helper_policies": per_helper}

    @staticmethod
    def _settle_followups(ctx: StepContext, adoption: dict[str, Any]) -> None:
        """Drop this step's follow-ups that a later codemod resolved, and repeats.

        The env codemods also run alone, so they ask for the extra
        DATABASES['default'] keys to be re-applied; the preset adoption then
        re-applies them itself.
        """
        reapplied = set(adoption.get("database_reapplied") or [])
        also_sets = re.compile(r"^DATABASES\['default'\] also sets ([\w, ]+): re-apply")
        seen: set[tuple[str, int, str]] = set()
        kept = []
        for item in ctx.followups:
            if item.step == ctx.step_id:
                match = also_sets.match(item.message)
                if match and {k.strip() for k in match.group(1).split(",")} <= reapplied:
                    continue
                key = (item.path, item.line, item.message)
                if key in seen:
                    continue
                seen.add(key)
            kept.append(item)
        ctx.followups[:] = kept

    @staticmethod
    def _still_read(records: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
        """Drop project variables whose setting the preset adoption deleted.

        A legacy `STATIC_ROOT = env("STATIC_ROOT", ...)` is converted by the
        env codemods, then deleted as a Model W convention: nothing reads
        STATIC_ROOT any more, so it must not be documented in `.env-template`.
        """
        kept = []
        for record in records:
            name = record["name"]
            if record.get("preset_owned") or re.search(rf"[\"']{re.escape(name)}[\"']", code):
                kept.append(record)
        return kept

    def _production(self, facts, answers, main, by_name) -> SettingsModule | None:  # noqa: ANN001
        wanted = answers.production_settings
        if wanted and wanted in by_name:
            return by_name[wanted]
        for module in facts.django.settings:
            if module.role == "production":
                return module
        return main

    def _chain(
        self, module: SettingsModule, by_name: dict[str, SettingsModule]
    ) -> list[SettingsModule]:
        from model_w.migrate.codemods.split_merge import LOCAL_MODULE

        seen, order = set(), []

        def walk(m: SettingsModule) -> None:
            if m.module in seen:
                return
            seen.add(m.module)
            order.append(m)
            for dotted in m.star_imports:
                if dotted in by_name and not LOCAL_MODULE.search(dotted):
                    walk(by_name[dotted])

        walk(module)
        return order

    def _split_settings(self, ctx: StepContext, target: SettingsModule, dev_records) -> str:  # noqa: ANN001
        """Inline django-split-settings' fragments into the settings module.

        The fragments (and the environment fragments an env flag chose
        between) are deleted: the merged module is the only settings module,
        and a dev fragment's differing values become env vars (dev value in
        `.env`), as for split settings (split_merge.merge_settings).
        """
        from model_w.migrate.codemods.split_merge import inline_split_settings, merge_settings

        ws = ctx.workspace
        files = ws.files()
        split = inline_split_settings(ws.read(target.path), target.path, files, ws.read)
        code = split.code
        if split.dev_source is not None:
            dev_name = "__modelw_split_dev__"
            is_package = target.path.endswith("__init__.py")

            def sources(dotted: str):  # noqa: ANN202
                if dotted == target.module:
                    return code, target.path, is_package
                if dotted == dev_name:
                    return split.dev_source, split.dev_path, False
                return None

            merged = merge_settings(target.module, sources, dev=dev_name)
            code = merged.code
            dev_records.extend(merged.env_vars)
            split.followups.extend(merged.followups)
        for item in split.followups:
            ctx.follow_up(item["path"], item["line"], item["message"], item.get("level", "todo"))
        gone = [p for p in [*split.inlined, *split.dropped] if p != target.path and ws.exists(p)]
        for path in dict.fromkeys(gone):
            ws.delete(path)
        # a fragment folder left with only its __init__.py goes too
        for folder in {posixpath.dirname(p) for p in gone}:
            init = posixpath.join(folder, "__init__.py")
            left = [f for f in ws.files(folder) if f != init and "__pycache__" not in f]
            if not left and ws.exists(init) and not ws.read(init).strip():
                ws.delete(init)
        ws.write(target.path, code)
        return code

    def _merge(self, ctx: StepContext, target, main, by_name, dev_records) -> str:  # noqa: ANN001
        from model_w.migrate.codemods.split_merge import merge_settings

        ws = ctx.workspace

        def sources(dotted: str):  # noqa: ANN202
            module = by_name.get(dotted)
            if module is None or not ws.exists(module.path):
                return None
            return ws.read(module.path), module.path, module.path.endswith("__init__.py")

        dev = None
        for module in by_name.values():
            if module.role == "dev" and module.module != target.module:
                dev = module.module
                break
        if (
            dev is None
            and main.module != target.module
            and main.role in ("dev", "local", "unknown")
        ):
            dev = main.module
        merged = merge_settings(target.module, sources, dev=dev)
        for item in merged.followups:
            ctx.follow_up(item["path"], item["line"], item["message"], item.get("level", "todo"))
        dev_records.extend(merged.env_vars)
        # every other module of the chain goes (see the module docstring)
        renamed: dict[str, str] = {}
        for module in by_name.values():
            if module.module == target.module or not ws.exists(module.path):
                continue
            related = (
                module.module in merged.inlined
                or target.module in module.star_imports
                or any(s in merged.inlined for s in module.star_imports)
                or module.role in ("dev", "test", "local")
            )
            if not related or module.path.endswith("__init__.py"):
                continue
            if module.role == "test":
                ctx.follow_up(
                    module.path,
                    0,
                    f"test settings {module.module} removed: tests now run on "
                    f"{target.module} with .env (PostgreSQL); re-apply its tweaks if still needed",
                )
            ws.delete(module.path)
            renamed[module.module] = target.module
        self._fix_references(ctx, renamed)
        return ws.read(target.path) if not merged.code else merged.code

    def _fix_references(self, ctx: StepContext, renamed: dict[str, str]) -> None:
        if not renamed:
            return
        ws = ctx.workspace
        pattern = re.compile(
            r"(?<![\w.])("
            + "|".join(re.escape(k) for k in sorted(renamed, key=len, reverse=True))
            + r")(?![\w.])"
        )
        for path in ws.files():
            name = posixpath.basename(path)
            if name not in REFERENCING_FILES and name not in PYTEST_CONFIGS:
                continue
            text = ws.read(path)
            new = pattern.sub(lambda m: renamed[m.group(1)], text)
            if new != text:
                ws.write(path, new)

    def _flags(self, facts: Facts, source: str) -> dict[str, bool]:
        services = facts.services
        apps = set(facts.django.third_party_apps if facts.django else [])
        return {
            "enable_celery": bool(services.celery),
            "enable_channels": bool(services.channels),
            "enable_wagtail": bool(services.wagtail),
            "enable_storages": bool(services.storages or services.wagtail),
            "enable_health_check": "health_check" in apps or '"health_check"' in source,
        }

    @staticmethod
    def _merge_record(
        records: list[dict[str, Any]], new: dict[str, Any], dev: bool = False
    ) -> None:
        for item in records:
            if item["name"] == new["name"]:
                for old in new.get("old_names") or []:
                    if old not in item.setdefault("old_names", []):
                        item["old_names"].append(old)
                if new.get("local_value") is not None and (dev or item.get("local_value") is None):
                    item["local_value"] = new["local_value"]
                for key in ("comment", "setting", "default"):
                    if not item.get(key) and new.get(key):
                        item[key] = new[key]
                item["secret"] = bool(item.get("secret") or new.get("secret"))
                return
        records.append(dict(new))

    def _collect(
        self, ctx: StepContext, scratch: dict[str, Any], records: list[dict[str, Any]]
    ) -> None:
        for record in scratch.get("modelw_env_vars", []):
            self._merge_record(records, record)
        for value in scratch.get("modelw_secrets", []):
            if isinstance(value, str) and value:
                ctx.secrets.add(value)
        # sentry_sdk.init options: codemods/sentry_init.py reports them itself

    def _database(
        self,
        ctx: StepContext,
        target: SettingsModule,
        adoption: dict[str, Any],
        records,
        facts: Facts,
    ) -> None:  # noqa: ANN001
        from model_w.migrate.codemods.envvars import compose_database_url

        db = adoption.get("database") or {}
        engine = (db.get("engine") or "").lower()
        engines = [e.lower() for e in facts.services.database_engines]
        bad = next((e for e in [engine, *engines] if any(k in e for k in NON_POSTGRES)), None)
        existing = next((r for r in records if r["name"] == "DATABASE_URL"), None)
        if bad:
            name = self._db_name(db, facts)
            url = f"postgres://{name}:{name}@localhost/{name}"
            kind = "SQLite" if "sqlite" in bad else "MySQL" if "mysql" in bad else bad
            # one blocker: the env codemods' short one (they also run alone)
            # gives way to this one, with the full commands, at its line
            short = [
                f
                for f in ctx.followups
                if f.level == "blocker" and f.message.startswith("the database engine is ")
            ]
            line = next((f.line for f in short if f.line), 0)
            ctx.followups[:] = [f for f in ctx.followups if f not in short]
            ctx.follow_up(
                target.path,
                line,
                f"Model W needs PostgreSQL; the legacy database is {kind}. Move the data: on the legacy branch run "
                "`python manage.py dumpdata --natural-foreign --natural-primary -e contenttypes -e auth.Permission -o data.json`; "
                f"create the PostgreSQL database `{name}` (`createdb {name}`), set DATABASE_URL in .env "
                f"(written as {url}), then on this branch run `python manage.py migrate` and "
                "`python manage.py loaddata data.json`.",
                "blocker",
            )
            if existing is None:
                records.append(self._db_record(url))
            else:
                existing["local_value"] = url
            return
        if existing is not None and existing.get("local_value"):
            return
        url = None
        if engine:
            url = compose_database_url(
                engine,
                db.get("name"),
                db.get("user"),
                db.get("password"),
                db.get("host"),
                db.get("port"),
            )
        if url is None:
            name = self._db_name(db, facts)
            url = f"postgres://{name}:{name}@localhost/{name}"
        if existing is None:
            records.append(self._db_record(url))
        else:
            existing["local_value"] = url
        password = db.get("password")
        if isinstance(password, str) and len(password) >= 8:
            ctx.secrets.add(password)

    @staticmethod
    def _db_name(db: dict[str, Any], facts: Facts) -> str:
        name = db.get("name")
        if isinstance(name, str) and name:
            stem = posixpath.splitext(posixpath.basename(str(name)))[0]
            if (
                stem
                and stem not in ("db", "database", "sqlite", "data")
                and re.fullmatch(r"[A-Za-z_][\w]*", stem)
            ):
                return stem
        package = (facts.django.project_package or "") if facts.django else ""
        return re.sub(r"\W", "_", package.split(".")[0]) or "project"

    @staticmethod
    def _db_record(url: str) -> dict[str, Any]:
        return {
            "name": "DATABASE_URL",
            "old_names": [],
            "setting": "DATABASES",
            "required": True,
            "has_default": False,
            "secret": False,
            "local_value": url,
            "group": "database",
            "comment": "PostgreSQL database URL",
            "preset_owned": True,
        }

    def _required(self, records, adoption, facts: Facts, answers: Answers) -> None:  # noqa: ANN001
        names = {r["name"] for r in records}
        front = bool([f for f in facts.frontends if f.kind == "ui"])
        base = [
            ("SECRET_KEY", "Django secret key", "django", True, True, None),
            ("DEBUG", "Debug mode (yes/no)", "django", False, False, None),
            (
                "BASE_URL",
                "Public URL of the site",
                "django",
                True,
                False,
                "http://127.0.0.1:3000" if front else "http://127.0.0.1:8000",
            ),
        ]
        flags = adoption.get("flags", {})
        needs_env = (
            flags.get("enable_cache") or flags.get("enable_celery") or flags.get("enable_channels")
        )
        base.append(
            (
                "ENVIRONMENT",
                "Environment name: Redis key prefixes and Sentry",
                "django",
                bool(needs_env),
                False,
                "local",
            )
        )
        if flags.get("enable_storages"):
            base.append(
                (
                    "STORAGE_MAKE_FILES_PUBLIC",
                    "Serve media through a public CDN domain (yes/no)",
                    "storage",
                    True,
                    False,
                    "no",
                )
            )
        for name, comment, group, required, secret, local in reversed(base):
            if name in names:
                for r in records:
                    if r["name"] == name:
                        r["required"] = r.get("required") or required
                        if r.get("local_value") is None and local is not None:
                            r["local_value"] = local
                continue
            records.insert(
                0,
                {
                    "name": name,
                    "comment": comment,
                    "group": group,
                    "required": required,
                    "has_default": not required,
                    "secret": secret,
                    "local_value": local,
                    "old_names": [],
                    "preset_owned": True,
                },
            )
        for r in records:
            if r["name"] == "DEBUG" and r.get("local_value") is None:
                r["local_value"] = "yes"
                r["example"] = "yes"

    @staticmethod
    def _ignore_env(ws, project_dir: str) -> None:  # noqa: ANN001
        """Ignore `.env` in this step's own commit, before the file holds secrets.

        A `.env` pattern without a slash matches in every folder, so the root
        `.gitignore` is enough; a root rule anchored elsewhere (`/.env`) does
        not cover the project folder, which then gets its own `.gitignore`.
        """
        import pathspec

        from model_w.migrate.steps.gitignore import ensure_ignored

        ensure_ignored(ws, [".env"])
        if not project_dir:
            return
        root = ws.read(".gitignore") if ws.exists(".gitignore") else ""
        spec = pathspec.GitIgnoreSpec.from_lines(root.splitlines())
        if not spec.match_file(posixpath.join(project_dir, ".env")):
            ensure_ignored(ws, [".env"], folder=project_dir)

    def _env_files(self, ctx: StepContext, records: list[dict[str, Any]]) -> None:
        ws = ctx.workspace
        project_dir = ctx.facts.django.project_dir if ctx.facts.django else ""
        self._ignore_env(ws, project_dir)
        docs: list[EnvVarDoc] = [from_record(r) for r in records]
        examples: dict[str, str] = {}
        for name in EXAMPLE_FILES:
            path = posixpath.join(project_dir, name) if project_dir else name
            if ws.exists(path):
                for key, value in parse_dotenv(ws.read(path)).items():
                    examples.setdefault(key, value)
        for doc, record in zip(docs, records, strict=True):
            if record["name"] == "DEBUG":
                doc.example = "yes"
            if doc.example is None and not doc.secret:
                # the documented example (.env.example...), else the build default
                build = record.get("build_default")
                doc.example = examples.get(doc.name) or (
                    build if isinstance(build, str) and build else None
                )
            if doc.name in ("SECRET_KEY", "DATABASE_URL", "BASE_URL"):
                doc.required = True  # the preset requires them whatever a record says
            if doc.required and not doc.local_value:
                # a required variable without a legacy value: a documented
                # example file (.env.example...) first, then the safe example;
                # a secret key is generated by render_local
                # (never for a secret: an example file holds placeholders, and
                # a SECRET_KEY is better generated)
                doc.local_value = (
                    None
                    if doc.secret
                    else examples.get(doc.name)
                    or next((examples[o] for o in doc.old_names if examples.get(o)), None)
                )
                if doc.local_value is None and not doc.secret:
                    doc.local_value = doc.example or None
                if doc.local_value is None and doc.name != "SECRET_KEY":
                    ctx.follow_up(
                        "", 0, f"set {doc.name} in .env (required, no legacy value found)"
                    )
            if record.get("secret") and record.get("local_value"):
                value = str(record["local_value"])
                if len(value) >= 8:
                    ctx.secrets.add(value)
        renames = {old: r["name"] for r in records for old in (r.get("old_names") or [])}
        ctx.shared["env_renames"] = renames
        template = render_template(docs)
        ws.write(
            posixpath.join(project_dir, ".env-template") if project_dir else ".env-template",
            template,
        )
        env_path = posixpath.join(project_dir, ".env") if project_dir else ".env"
        existing = ws.read(env_path) if ws.exists(env_path) else None
        ws.write(env_path, render_local(docs, existing), local=True)
