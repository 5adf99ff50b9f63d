"""A codemod's TRIGGER lets the step runner skip it: that must never lose a change.

For every codemod that declares a trigger, every Python source we have (the
legacy fixtures, the demo project, the before-texts of the codemod tests)
that the trigger rejects is run through the real codemod anyway: it must
come back unchanged, with no follow-up and no record.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import model_w.migrate.codemods as codemods_pkg
import pytest
from model_w.migrate.codemods.base import ModelWCodemod

from model_w.migrate.codemod_runner import run_codemod

REPO = Path(__file__).resolve().parents[2]


def _triggered_commands() -> list[type[ModelWCodemod]]:
    found = []
    for info in pkgutil.iter_modules(codemods_pkg.__path__):
        module = importlib.import_module(f"model_w.migrate.codemods.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, ModelWCodemod)
                and obj.__module__ == module.__name__
                and obj.__dict__.get("TRIGGER") is not None
            ):
                found.append(obj)
    return found


def _corpus() -> list[tuple[str, str]]:
    sources: list[tuple[str, str]] = []
    roots = [REPO / "tests" / "fixtures", REPO / "src" / "model_w" / "migrate" / "demo_project"]
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            sources.append((str(path.relative_to(REPO)), path.read_text()))
    for test in sorted((REPO / "tests" / "codemods").glob("test_*.py")):
        for node in ast.walk(ast.parse(test.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and "\n" in node.value
            ):
                try:
                    ast.parse(node.value)
                except SyntaxError:
                    continue
                sources.append((f"{test.name}:{node.lineno}", node.value))
    unique: dict[str, str] = {}
    for name, source in sources:
        unique.setdefault(source, name)
    return [(name, source) for source, name in unique.items()]


COMMANDS = _triggered_commands()
CORPUS = _corpus()


def test_the_corpus_and_the_commands_are_there() -> None:
    names = {c.__name__ for c in COMMANDS}
    assert {"EnvReadsCommand", "RemoveSentryInitCommand", "RemoveLocalImports"} <= names
    assert len(CORPUS) > 250


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_a_rejected_source_is_left_alone(command: type[ModelWCodemod]) -> None:
    from libcst.codemod import CodemodContext, TransformSuccess, transform_module

    rejected = [(name, src) for name, src in CORPUS if not command.might_change(src)]
    accepted = len(CORPUS) - len(rejected)
    # both sides are exercised: the trigger rejects some sources and lets others through
    assert rejected and accepted
    for name, source in rejected:
        context = CodemodContext(filename="settings.py")
        result = transform_module(command(context), source)
        assert isinstance(result, TransformSuccess), name
        assert result.code == source, f"{command.__name__} would have changed {name}"
        leftovers = {k: v for k, v in context.scratch.items() if v}
        assert not leftovers, f"{command.__name__} reported {leftovers} on {name}"


def test_the_runner_skips_a_rejected_source_without_parsing_it() -> None:
    from model_w.migrate.codemods.sentry_init import RemoveSentryInitCommand

    broken = "SECRET_KEY = (\n"  # not even Python: a parse would fail
    result = run_codemod(RemoveSentryInitCommand, broken, path="settings.py")
    assert result.code == broken and not result.changed and not result.followups


def test_a_project_helper_name_lets_env_reads_run() -> None:
    from model_w.migrate.codemods.env_reads import EnvReadsCommand

    source = "from myproject.envtools import env_flag\n\nDEBUG = env_flag('DEBUG')\n"
    assert not EnvReadsCommand.might_change(source)
    assert EnvReadsCommand.might_change(source, helper_policies={"env_flag": "keep-with-todo"})
