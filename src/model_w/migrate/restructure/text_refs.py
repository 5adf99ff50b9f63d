"""References outside Python: module names and paths in config files.

Two rewrites share the file selection:

- `rewrite_modules_in_text`: dotted module names (DJANGO_SETTINGS_MODULE
  values, `--settings=`, `celery -A x`, `gunicorn x.wsgi:application`,
  pytest/tox/setup.cfg/pyproject/.env/Dockerfile/compose/Procfile/CI values)
  after the package layout changed. TOML goes through tomlkit; other files
  are edited token by token so comments and layout stay.
- path rewrites (see `paths.py`) after the api-layout step moved files.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from model_w.migrate.codemods.rename_modules import ModuleMap

# Files whose text may name Python modules or repository paths.
CONFIG_NAMES = frozenset(
    {
        "Dockerfile",
        "Procfile",
        "Makefile",
        "makefile",
        "GNUmakefile",
        "pytest.ini",
        "tox.ini",
        "setup.cfg",
        ".coveragerc",
        "mypy.ini",
        ".flake8",
        "pyproject.toml",
        "package.json",
        "heroku.yml",
        "app.json",
        "Vagrantfile",
        ".gitignore",
        ".dockerignore",
        ".pre-commit-config.yaml",
        ".gitlab-ci.yml",
        "Jenkinsfile",
        "pmanage",
        "uwsgi.ini",
        "supervisord.conf",
    }
)
CONFIG_SUFFIXES = (
    ".yml",
    ".yaml",
    ".ini",
    ".cfg",
    ".toml",
    ".sh",
    ".conf",
    ".env",
    ".md",
    ".rst",
    ".txt",
    ".json",
)


def is_config_file(path: str) -> bool:
    name = PurePosixPath(path).name
    if name in CONFIG_NAMES or name.startswith("Dockerfile") or name.endswith(".Dockerfile"):
        return True
    if name.startswith(".env") or name.startswith("env.") or name.endswith(".env"):
        return True
    if name.startswith("requirements") and name.endswith(".txt"):
        return False
    if name in (
        "package-lock.json",
        "composer.lock",
        "yarn.lock",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
    ):
        return False
    return name.endswith(CONFIG_SUFFIXES)


_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
# a value right after a marker that always names a module, even without a dot
_MARKED = re.compile(
    r"(?P<pre>(?:DJANGO_SETTINGS_MODULE\s*(?:=|:)\s*|--settings(?:=|\s+)|(?<![\w-])-A\s*|--app(?:=|\s+)|"
    r"(?:gunicorn|uvicorn|daphne|hypercorn|granian)(?:\s+--?[\w-]+(?:[= ][^\s-]\S*)?)*\s+)"
    r"[\"']?)(?P<mod>" + _DOTTED + r")(?P<post>(?::[A-Za-z_]\w*)?)"
)
_DOTTED_TOKEN = re.compile(
    r"(?<![\w./-])(?P<mod>" + _DOTTED + r")(?P<post>(?::[A-Za-z_]\w*)?)(?![\w/-])"
)


def rewrite_module_tokens(text: str, mm: ModuleMap) -> str:
    """Module names in free text: after markers, and dotted names of known modules."""
    if not mm or not any(top in text for top in mm.tops):
        return text

    def marked(m: re.Match[str]) -> str:
        new = mm.map(m.group("mod"))
        return m.group("pre") + new + m.group("post")

    text = _MARKED.sub(marked, text)

    def dotted(m: re.Match[str]) -> str:
        whole = m.group("mod") + m.group("post")
        new = mm.map_string(whole, in_context=False)
        return new if new is not None else m.group(0)

    return _DOTTED_TOKEN.sub(dotted, text)


def rewrite_modules_in_toml(text: str, mm: ModuleMap) -> str:
    """pyproject.toml: DJANGO_SETTINGS_MODULE and isort first-party names, with tomlkit."""
    import tomlkit

    try:
        doc = tomlkit.parse(text)
    except Exception:
        return rewrite_module_tokens(text, mm)
    changed = False

    def walk(table) -> None:
        nonlocal changed
        for key, value in list(table.items()):
            if hasattr(value, "items"):
                walk(value)
            elif key in ("DJANGO_SETTINGS_MODULE", "django_settings_module") and isinstance(
                value, str
            ):
                new = mm.map(str(value))
                if new != value:
                    table[key] = new
                    changed = True
            elif isinstance(value, str):
                new = mm.map_string(str(value), in_context=False)
                if new is not None:
                    table[key] = new
                    changed = True
            elif isinstance(value, list) and key in (
                "addopts",
                "env",
                "known_first_party",
                "source",
            ):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        new = (
                            rewrite_module_tokens(item, mm)
                            if key in ("addopts", "env")
                            else mm.map(item).split(".")[0]
                            if key == "known_first_party"
                            else mm.map(item)
                        )
                        if new != item:
                            value[i] = new
                            changed = True

    walk(doc)
    if not changed:
        return text
    result = tomlkit.dumps(doc)
    # known_first_party may now hold the same package twice
    return result


def rewrite_modules_in_file(path: str, text: str, mm: ModuleMap) -> str:
    if path.endswith(".toml"):
        return rewrite_modules_in_toml(text, mm)
    if path.endswith("package.json"):
        from model_w.migrate.restructure.json_edit import map_json_strings

        return map_json_strings(text, lambda s: rewrite_module_tokens(s, mm), scripts_only=True)
    return rewrite_module_tokens(text, mm)


def rewrite_modules_everywhere(ws, mm: ModuleMap, files: list[str] | None = None) -> list[str]:
    """Rewrite module names in every config file; returns the files changed."""
    changed = []
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(t) for t in sorted(mm.tops, key=len, reverse=True)) + r")\b"
    )
    for path in files if files is not None else ws.files():
        if path.endswith(".py") or not is_config_file(path):
            continue
        try:
            text = ws.read(path)
        except Exception:
            continue
        if not pattern.search(text):
            continue
        new = rewrite_modules_in_file(path, text, mm)
        if new != text and ws.write(path, new):
            changed.append(path)
    return changed


# -- paths ---------------------------------------------------------------------
DJANGO_COMMAND = re.compile(
    r"(?<![\w-])(?:manage\.py|django-admin|pytest|py\.test|coverage|tox|nox|gunicorn|uwsgi|daphne|uvicorn|"
    r"celery|pip3?\s+install|pip-sync|pip-compile|poetry|pipenv|uv\s+(?:sync|run|pip)|flake8|mypy|pylint|"
    r"requirements[\w.-]*\.txt)(?![\w-])"
)
JS_CONFIG = re.compile(
    r"(?:^|/)(?:webpack|vite|vue|nuxt|rollup|gulpfile|svelte|postcss|tailwind)[\w.-]*\.(?:js|cjs|mjs|ts)$"
)
_DIR_ARG = re.compile(
    r"((?:^|[\s;&|(])(?:cd|-C|--prefix|--cwd|--chdir|--project-directory)(?:\s+|=))([\w./-]+)"
)
_QUOTED = re.compile(r"(?P<q>[\"'`])(?P<s>[\w./*-]+)(?P=q)")


class PathRewriter:
    """Rewrites relative paths in the files of a workspace after moves.

    cwd_moves: the moved project used to run from `old_cwd` ("" = the root)
    and now runs from `new_cwd` (`api`): commands of the project in files
    that stayed get `cd api && ` (or a `working-directory: api` in GitHub
    Actions) and their paths rebased to that folder.
    """

    def __init__(
        self,
        ctx,
        moves: list[tuple[str, str]],
        cwd_moves: bool = False,
        new_cwd: str = "api",
        no_bare: set[str] | None = None,
        django_dockerfiles: bool = False,
    ) -> None:
        from model_w.migrate.restructure.paths import PathMoves

        self.ctx = ctx
        self.ws = ctx.workspace
        self.moves = PathMoves(moves, no_bare)
        self.reverse = {}
        self.cwd_moves = cwd_moves
        self.new_cwd = new_cwd
        self.django_dockerfiles = django_dockerfiles
        for src, dst in moves:
            self.reverse[dst.strip("/")] = src.strip("/")

    # helpers ---------------------------------------------------------------
    def old_path(self, path: str) -> str:
        for dst, src in sorted(self.reverse.items(), key=lambda x: -len(x[0])):
            if path == dst:
                return src
            if dst and path.startswith(dst + "/"):
                return f"{src}/{path[len(dst) + 1 :]}" if src else path[len(dst) + 1 :]
            if not dst:
                return f"{src}/{path}"
        return path

    def exists_now(self, path: str) -> bool:
        return self.ws.exists(path) or self.ws.is_dir(path)

    def rebase(self, text: str, old_dir: str, new_dir: str, bare_ok: bool = True) -> str:
        from model_w.migrate.restructure.paths import rebase_text

        return rebase_text(text, self.moves, old_dir, new_dir, self.exists_now, bare_ok=bare_ok)

    def in_project(self, folder: str) -> bool:
        return folder == self.new_cwd or folder.startswith(self.new_cwd + "/")

    def command(self, cmd: str, old_dir: str, new_dir: str, wrap: bool = True) -> str:
        """A shell command rebased; `cd api && ` when it is the project's and ran from the old cwd."""
        import posixpath

        if (
            wrap
            and self.cwd_moves
            and not self.in_project(new_dir)
            and DJANGO_COMMAND.search(cmd)
            and not re.match(r"\s*cd\s", cmd)
        ):
            parts = re.split(r"(\s*(?:&&|;)\s*)", cmd)
            first = next(i for i in range(0, len(parts), 2) if DJANGO_COMMAND.search(parts[i]))
            if "||" in cmd or "|" in "".join(parts[first:]):
                first = 0
            head = "".join(self.rebase(p, old_dir, new_dir, bare_ok=False) for p in parts[:first])
            body = self.rebase("".join(parts[first:]), old_dir, self.new_cwd, bare_ok=False)
            rel = posixpath.relpath(self.new_cwd, new_dir or ".")
            lead = body[: len(body) - len(body.lstrip())]
            return f"{head}{lead}cd {rel} && {body.lstrip()}"
        return self._dir_args(self.rebase(cmd, old_dir, new_dir, bare_ok=False), old_dir, new_dir)

    def _dir_args(self, cmd: str, old_dir: str, new_dir: str) -> str:
        """Folder arguments (`cd x`, `make -C x`, `npm --prefix x`) are paths even without a slash."""
        from model_w.migrate.restructure.paths import rebase

        def sub(m: re.Match[str]) -> str:
            new = rebase(m.group(2), self.moves, old_dir, new_dir, self.exists_now)
            return m.group(1) + (new or m.group(2))

        return _DIR_ARG.sub(sub, cmd)

    # per kind ----------------------------------------------------------------
    def ignore_file(self, text: str, old_dir: str, new_dir: str, anchored_all: bool) -> str:
        out = []
        for line in text.split("\n"):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                out.append(line)
                continue
            neg = "!" if stripped.startswith("!") else ""
            pattern = stripped[len(neg) :]
            anchored = anchored_all or "/" in pattern.rstrip("/")
            if not anchored:
                out.append(line)
                continue
            lead = "/" if pattern.startswith("/") else ""
            body = pattern[len(lead) :]
            from model_w.migrate.restructure.paths import rebase

            new = rebase(body, self.moves, old_dir, new_dir, None)
            out.append(line.replace(stripped, f"{neg}{lead}{new}", 1) if new else line)
        return "\n".join(out)

    def dockerfile(self, text: str, old_dir: str, new_dir: str) -> str:
        from model_w.migrate.restructure.paths import rebase

        out = []
        for line in text.split("\n"):
            m = re.match(r"(\s*(?:COPY|ADD)\s+)((?:--\S+\s+)*)(.*)$", line, re.I)
            if not m or m.group(3).lstrip().startswith("["):
                out.append(line)
                continue
            args = m.group(3).split()
            if len(args) < 2:
                out.append(line)
                continue
            sources = []
            for token in args[:-1]:
                if token == "." and self.cwd_moves and self.django_dockerfiles and not old_dir:
                    new = f"{self.new_cwd}/"
                else:
                    new = rebase(token, self.moves, old_dir, new_dir, None)
                sources.append(new or token)
            out.append(m.group(1) + m.group(2) + " ".join([*sources, args[-1]]))
        return "\n".join(out)

    def js_config(self, text: str, old_dir: str, new_dir: str) -> str:
        from model_w.migrate.restructure.paths import rebase

        def sub(m: re.Match[str]) -> str:
            token = m.group("s")
            if "/" not in token and not token.startswith("."):
                return m.group(0)
            new = rebase(token, self.moves, old_dir, new_dir, self.exists_now)
            return f"{m.group('q')}{new}{m.group('q')}" if new else m.group(0)

        return _QUOTED.sub(sub, text)

    def package_json(self, text: str, old_dir: str, new_dir: str) -> str:
        from model_w.migrate.restructure.json_edit import map_json_strings

        return map_json_strings(
            text, lambda s: self.command(s, old_dir, new_dir), scripts_only=True
        )

    def shell_lines(self, text: str, old_dir: str, new_dir: str, kind: str) -> str:
        out = []
        for line in text.split("\n"):
            if kind == "Makefile":
                if line.startswith("\t"):
                    line = "\t" + self.command(line[1:], old_dir, new_dir)
                elif not line.lstrip().startswith("#"):
                    line = self.rebase(line, old_dir, new_dir, bare_ok=False)
            elif kind == "Procfile":
                m = re.match(r"(\s*[\w-]+:\s*)(.*)$", line)
                if m:
                    line = m.group(1) + self.command(m.group(2), old_dir, new_dir)
            else:
                if not line.lstrip().startswith("#"):
                    line = self.command(line, old_dir, new_dir, wrap=False)
            out.append(line)
        return "\n".join(out)

    def markdown(self, text: str, old_dir: str, new_dir: str) -> str:
        """Paths in code: fenced blocks and `inline code` (prose is left alone)."""
        out, fenced = [], False
        for line in text.split("\n"):
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif fenced or line.startswith(("    ", "\t")):
                line = self.command(line, old_dir, new_dir, wrap=False)
            else:
                line = re.sub(
                    r"`([^`]+)`",
                    lambda m: "`" + self.command(m.group(1), old_dir, new_dir, wrap=False) + "`",
                    line,
                )
            out.append(line)
        return "\n".join(out)

    def yaml_file(self, path: str, text: str, old_dir: str, new_dir: str) -> str:
        from model_w.migrate.restructure.yaml_edit import rewrite_yaml

        return rewrite_yaml(self, path, text, old_dir, new_dir)

    # driver ------------------------------------------------------------------
    def rewrite_file(self, path: str, text: str) -> str:
        import posixpath

        name = PurePosixPath(path).name
        new_dir = posixpath.dirname(path)
        old_dir = posixpath.dirname(self.old_path(path))
        if name in (".gitignore",):
            return self.ignore_file(text, old_dir, new_dir, anchored_all=False)
        if name == ".dockerignore":
            return self.ignore_file(text, old_dir, new_dir, anchored_all=True)
        if name.startswith("Dockerfile") or name.endswith(".Dockerfile"):
            return self.dockerfile(text, old_dir, new_dir)
        if name == "package.json":
            return self.package_json(text, old_dir, new_dir)
        if JS_CONFIG.search(path):
            return self.js_config(text, old_dir, new_dir)
        if name in ("Makefile", "makefile", "GNUmakefile"):
            return self.shell_lines(text, old_dir, new_dir, "Makefile")
        if name == "Procfile" or name.startswith("Procfile."):
            return self.shell_lines(text, old_dir, new_dir, "Procfile")
        if name.endswith((".yml", ".yaml")):
            if path.startswith((".github/", ".gitlab/")) or name in (
                ".gitlab-ci.yml",
                ".pre-commit-config.yaml",
            ):
                old_dir = new_dir = ""  # CI and pre-commit run from the repository root
            return self.yaml_file(path, text, old_dir, new_dir)
        if name.endswith((".md", ".rst")):
            return self.markdown(text, "", "")
        if name.endswith((".ini", ".cfg", ".toml", ".sh", ".conf")) or name in (
            "pmanage",
            ".coveragerc",
            ".flake8",
        ):
            return self.shell_lines(text, old_dir, new_dir, "text")
        return text

    def run(self, files: list[str] | None = None) -> list[str]:
        changed = []
        for path in files if files is not None else self.ws.files():
            if path.endswith(".py") or not (is_config_file(path) or JS_CONFIG.search(path)):
                continue
            if path.endswith((".txt", ".json")) and not path.endswith("package.json"):
                continue
            try:
                text = self.ws.read(path)
            except Exception:
                continue
            try:
                new = self.rewrite_file(path, text)
            except Exception as exc:  # a file we cannot parse: say so, never guess
                self.ctx.follow_up(
                    path, 0, f"paths not rewritten ({exc.__class__.__name__}): check them by hand"
                )
                continue
            if new != text and self.ws.write(path, new, local=self.ws.is_local(path)):
                changed.append(path)
        return changed


def rewrite_paths_everywhere(
    ctx, moves: list[tuple[str, str]], cwd_moves: bool = False, **kwargs
) -> list[str]:
    return PathRewriter(ctx, moves, cwd_moves=cwd_moves, **kwargs).run()
