"""Where the default DJANGO_SETTINGS_MODULE is set, and to what.

Sources, in the order they win: manage.py, wsgi.py, asgi.py, pytest.ini,
setup.cfg ([tool:pytest]), tox.ini ([pytest]), pyproject.toml
([tool.pytest.ini_options]), .env files, Dockerfiles (ENV). manage.py is
what `runserver` and `migrate` use, so it is the default when present.
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass

from model_w.migrate.inspect.source import RepoView, dotted_name, join, str_const
from model_w.migrate.inspect.tomlread import load_toml

DSM = "DJANGO_SETTINGS_MODULE"
ENV_FILES = (".env", ".env.example", ".env.sample", ".env-dist", ".env.dist", ".env-template")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?DJANGO_SETTINGS_MODULE\s*=\s*['\"]?([\w.]+)")
_DOCKER_ENV = re.compile(r"^\s*ENV\s+DJANGO_SETTINGS_MODULE[\s=]+['\"]?([\w.]+)", re.IGNORECASE)


@dataclass
class SettingsSource:
    path: str
    line: int
    value: str


def python_dsm(tree: ast.Module) -> tuple[str, int] | None:
    """`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")` or `os.environ[...] = "x"`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = dotted_name(node.func) or ""
            if name.endswith("environ.setdefault") and len(node.args) >= 2:
                if str_const(node.args[0]) == DSM and str_const(node.args[1]):
                    return str_const(node.args[1]), node.lineno  # type: ignore[return-value]
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Subscript)
                and (dotted_name(target.value) or "").endswith("environ")
                and str_const(target.slice) == DSM
                and str_const(node.value)
            ):
                return str_const(node.value), node.lineno  # type: ignore[return-value]
    return None


def _ini_dsm(view: RepoView, path: str, sections: tuple[str, ...]) -> SettingsSource | None:
    text = view.text_or_none(path)
    if text is None:
        return None
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    for section in sections:
        if parser.has_section(section):
            for key, value in parser.items(section):
                if key.upper() == DSM and value.strip():
                    return SettingsSource(path, _line_of(text, DSM), value.strip())
    return None


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return 0


def find_sources(view: RepoView, project_dir: str) -> list[SettingsSource]:
    """Every place that sets a default DJANGO_SETTINGS_MODULE, best first."""
    found: list[SettingsSource] = []

    def from_python(path: str) -> None:
        tree = view.parsed(path)
        hit = python_dsm(tree) if tree else None
        if hit:
            found.append(SettingsSource(path, hit[1], hit[0]))

    manage = join(project_dir, "manage.py")
    if view.exists(manage):
        from_python(manage)
    prefix = project_dir + "/" if project_dir else ""
    under = [f for f in view.files if f.startswith(prefix)]
    for name in ("wsgi.py", "asgi.py"):
        for path in under:
            if path.rsplit("/", 1)[-1] == name:
                from_python(path)
    for folder in dict.fromkeys([project_dir, ""]):
        for name, sections in (
            ("pytest.ini", ("pytest",)),
            ("setup.cfg", ("tool:pytest",)),
            ("tox.ini", ("pytest",)),
        ):
            path = join(folder, name)
            if view.exists(path):
                hit = _ini_dsm(view, path, sections)
                if hit:
                    found.append(hit)
        path = join(folder, "pyproject.toml")
        if view.exists(path):
            text = view.text_or_none(path) or ""
            value = (
                load_toml(text).get("tool", {}).get("pytest", {}).get("ini_options", {}).get(DSM)
            )
            if isinstance(value, str) and value:
                found.append(SettingsSource(path, _line_of(text, DSM), value))
        for name in ENV_FILES:
            path = join(folder, name)
            if view.exists_locally(path):
                text = view.text_or_none(path) or ""
                for number, line in enumerate(text.splitlines(), 1):
                    match = _ENV_LINE.match(line)
                    if match:
                        found.append(SettingsSource(path, number, match.group(1)))
                        break
    for path in view.files:
        base = path.rsplit("/", 1)[-1]
        if base == "Dockerfile" or base.startswith("Dockerfile.") or base.endswith(".Dockerfile"):
            text = view.text_or_none(path) or ""
            for number, line in enumerate(text.splitlines(), 1):
                match = _DOCKER_ENV.match(line)
                if match:
                    found.append(SettingsSource(path, number, match.group(1)))
    unique: dict[tuple[str, int], SettingsSource] = {}
    for source in found:
        unique.setdefault((source.path, source.line), source)
    return list(unique.values())
