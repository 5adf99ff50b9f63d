"""Recipes: loading, validation (one-line errors), extends, save and replay."""

from __future__ import annotations

import json
import textwrap
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from model_w.migrate.answers import Answers
from model_w.migrate.cli import main
from model_w.migrate.errors import UserError
from model_w.migrate.recipes import (
    ANSWER_KEYS,
    builtin_names,
    builtin_recipe,
    load_recipe,
    recipe_schema,
    save_recipe,
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# ------------------------------------------------------------ built-ins


def test_builtin_names():
    assert builtin_names()[:4] == ["full", "settings-only", "restructure-only", "audit"]


@pytest.mark.parametrize("name", ["full", "settings-only", "restructure-only", "audit"])
def test_every_builtin_recipe_validates(name):
    recipe = builtin_recipe(name)
    assert recipe.name == name
    assert recipe.description
    # the resolved YAML is itself a valid recipe
    import jsonschema

    jsonschema.Draft202012Validator(recipe_schema()).validate(yaml.safe_load(recipe.to_yaml()))
    # and what it sets is accepted by Answers
    Answers().merged(recipe.answers_overrides())


def test_builtin_files_validate_against_schema_alone():
    import jsonschema

    folder = Path(__file__).parent.parent / "recipes"
    files = sorted(folder.glob("*.yaml"))
    assert len(files) >= 4
    validator = jsonschema.Draft202012Validator(recipe_schema())
    for path in files:
        validator.validate(yaml.safe_load(path.read_text()))


def test_builtin_steps():
    assert builtin_recipe("settings-only").steps == ["settings-env", "gitignore"]
    restructure = builtin_recipe("restructure-only").steps
    assert "settings-env" not in restructure and "api-layout" in restructure
    assert builtin_recipe("audit").is_audit
    assert not builtin_recipe("full").is_audit
    assert builtin_recipe("full").policies == {"unknown_env_helper": "keep-with-todo"}


def test_load_recipe_by_builtin_name_or_path(tmp_path):
    assert load_recipe("full").name == "full"
    assert load_recipe(Path("audit")).is_audit
    with pytest.raises(
        UserError, match=r"no recipe file or built-in recipe named 'ful' \(did you mean 'full'\?\)"
    ):
        load_recipe("ful")
    with pytest.raises(UserError, match="no such recipe file"):
        load_recipe(tmp_path / "missing.yaml")


def test_schema_answers_match_answers_fields():
    schema_keys = set(recipe_schema()["$defs"]["answers"]["properties"])
    assert schema_keys == set(ANSWER_KEYS)
    assert set(ANSWER_KEYS) == {f.name for f in fields(Answers)} - {"release_reason"}


# ------------------------------------------------------------ format


def test_full_format_and_overrides(tmp_path):
    path = write(
        tmp_path,
        "agency.yaml",
        """
        name: agency-default
        description: Our standard move of a client project to Model W.
        extends: full
        modelw_release: "2024.10"
        branch: modelw/agency
        answers:
          project_name: bookshop
          production_settings: bookshop.settings.production
          package_layout: modelw
          frontends: {frontend: front}
        policies:
          unknown_env_helper: inline
        steps:
          exclude: [dotfiles]
          options:
            settings-env: {secret_env_file: .env}
        codemods:
          - command: libcst.codemod.commands.rename:RenameCommand
            args: {old_name: a.b, new_name: a.c}
            paths: ["**/*.py"]
        """,
    )
    recipe = load_recipe(path)
    assert recipe.name == "agency-default"
    assert "dotfiles" not in recipe.steps and "settings-env" in recipe.steps
    overrides = recipe.answers_overrides()
    assert overrides == {
        "project_name": "bookshop",
        "production_settings": "bookshop.settings.production",
        "package_layout": "modelw",
        "frontends": {"frontend": "front"},
        "modelw_release": "2024.10",
        "branch": "modelw/agency",
        "exclude_steps": ["dotfiles"],
        "step_options": {"settings-env": {"secret_env_file": ".env"}},
        "policies": {"unknown_env_helper": "inline"},  # child wins over full's keep-with-todo
        "codemods": [
            {
                "command": "libcst.codemod.commands.rename:RenameCommand",
                "args": {"old_name": "a.b", "new_name": "a.c"},
                "paths": ["**/*.py"],
            }
        ],
    }
    answers = Answers().merged(overrides)
    assert answers.step_options["settings-env"] == {"secret_env_file": ".env"}
    assert answers.policies["unknown_env_helper"] == "inline"


def test_list_form_steps_with_options(tmp_path):
    path = write(
        tmp_path,
        "r.yaml",
        """
        name: list-form
        steps:
          - gitignore
          - id: settings-env
            options: {keep_helpers: true}
        """,
    )
    recipe = load_recipe(path)
    assert recipe.steps == ["settings-env", "gitignore"]
    assert recipe.answers_overrides() == {
        "steps": ["gitignore", "settings-env"],
        "step_options": {"settings-env": {"keep_helpers": True}},
    }


def test_extends_relative_path_and_composition(tmp_path):
    (tmp_path / "base").mkdir()
    write(
        tmp_path,
        "base/team.yaml",
        """
        name: team
        description: Team defaults.
        extends: settings-only
        answers: {package_layout: keep}
        steps:
          exclude: [settings-env]
        """,
    )
    path = write(
        tmp_path,
        "project.yaml",
        """
        name: project
        extends: [base/team.yaml]
        answers: {project_name: shop}
        steps:
          include: [gitignore, settings-env, dotfiles]
        """,
    )
    recipe = load_recipe(path)
    # child include re-includes what the parent excluded
    assert recipe.steps == ["settings-env", "gitignore", "dotfiles"]
    assert recipe.answers == {"package_layout": "keep", "project_name": "shop"}
    assert recipe.branch == "modelw/settings"  # from settings-only
    assert recipe.description == "Team defaults."
    assert [Path(c).name for c in recipe.chain] == [
        "builtin:full",
        "builtin:settings-only",
        "team.yaml",
        "project.yaml",
    ]


def test_save_recipe_round_trip(tmp_path):
    answers = Answers(
        project_name="bookshop",
        modelw_release="2024.10",
        branch="modelw/x",
        production_settings="bookshop.settings.prod",
        frontends={"frontend": "front"},
        name_clashes={"api": "rename:api_app"},
        steps=["gitignore", "settings-env"],
        exclude_steps=["dotfiles"],
        step_options={"settings-env": {"a": 1}},
        policies={"unknown_env_helper": "inline"},
        decisions={"unknown-env-helper:envsecret": "inline"},
        release_reason="not replayed",
    )
    path = save_recipe(answers, tmp_path / "sub" / "saved.yaml")
    recipe = load_recipe(path)
    assert recipe.name == "saved"
    replayed = Answers(project_name="other").merged(recipe.answers_overrides())
    expected = Answers(**{**answers.__dict__, "release_reason": ""})
    assert replayed == expected
    # a second save of the replayed answers is byte-identical
    again = save_recipe(replayed, tmp_path / "sub" / "saved.yaml")
    assert again.read_text() == path.read_text()


def test_save_recipe_defaults_replay(tmp_path):
    answers = Answers()
    recipe = load_recipe(save_recipe(answers, tmp_path / "d.yaml"))
    assert Answers(project_name="x", branch="y").merged(recipe.answers_overrides()) == answers


# ------------------------------------------------------------ errors

BROKEN = [
    (
        "unknown step in list form",
        """
        name: x
        steps:
          - gitignore
          - dotfiles
          - id: api-layout
          - id: settngs-env
        """,
        "recipe.yaml:6: steps[3].id: unknown step 'settngs-env' (did you mean 'settings-env'?)",
    ),
    (
        "unknown top-level key",
        """
        name: x
        descripton: typo
        """,
        "recipe.yaml:2: descripton: unknown key 'descripton' (did you mean 'description'?)",
    ),
    (
        "unknown answer",
        """
        name: x
        answers:
          project_nme: shop
        """,
        "recipe.yaml:3: answers.project_nme: unknown answer 'project_nme' (did you mean 'project_name'?)",
    ),
    (
        "wrong type",
        """
        name: x
        branch: [a, b]
        """,
        "recipe.yaml:2: branch: expected a string, got a list",
    ),
    (
        "policy value",
        """
        name: x
        policies:
          unknown_env_helper: inlin
        """,
        "recipe.yaml:3: policies.unknown_env_helper: 'inlin' is not one of keep-with-todo, inline (did you mean 'inline'?)",
    ),
    (
        "unknown policy",
        """
        name: x
        policies:
          unknown_env_helpers: inline
        """,
        "recipe.yaml:3: policies.unknown_env_helpers: unknown policy 'unknown_env_helpers' (did you mean 'unknown_env_helper'?)",
    ),
    (
        "codemod command format",
        """
        name: x
        codemods:
          - command: mypkg.codemods.Rename
        """,
        "recipe.yaml:3: codemods[0].command: 'mypkg.codemods.Rename' is not a dotted path 'package.module:Command'",
    ),
    (
        "codemod not importable",
        """
        name: x
        codemods:
          - command: libcst.codemod.commands.rename:RenameComand
        """,
        "recipe.yaml:3: codemods[0].command: 'libcst.codemod.commands.rename' has no 'RenameComand' (did you mean 'RenameCommand'?)",
    ),
    (
        "codemod without command",
        """
        name: x
        codemods:
          - paths: ["*.py"]
        """,
        "recipe.yaml:3: codemods[0]: missing key 'command'",
    ),
    (
        "extends unknown built-in",
        """
        name: x
        extends: ful
        """,
        "recipe.yaml:2: extends: unknown built-in recipe 'ful' (did you mean 'full'?)",
    ),
    (
        "unknown release",
        """
        name: x
        modelw_release: "2099.01"
        """,
        "recipe.yaml:2: modelw_release: unknown Model W release '2099.01' (known: {releases})",
    ),
    (
        "enum in answers",
        """
        name: x
        answers:
          package_layout: modelW
        """,
        "recipe.yaml:3: answers.package_layout: 'modelW' is not one of modelw, keep (did you mean 'modelw'?)",
    ),
    (
        "unknown step in options",
        """
        name: x
        steps:
          include: [gitignore]
          options:
            dotfile: {}
        """,
        "recipe.yaml:5: steps.options.dotfile: unknown step 'dotfile' (did you mean 'dotfiles'?)",
    ),
    (
        "unknown key under steps",
        """
        name: x
        steps:
          excludes: [dotfiles]
        """,
        "recipe.yaml:3: steps.excludes: unknown key 'excludes' (did you mean 'exclude'?)",
    ),
    (
        "invalid yaml",
        """
        name: x
        answers:
          project_name: a: b
        """,
        "recipe.yaml:3: invalid YAML: mapping values are not allowed here",
    ),
    (
        "not a mapping",
        """
        - gitignore
        """,
        "recipe.yaml:1: the recipe must be a mapping of keys (name, description, extends, steps, answers, policies, codemods)",
    ),
    (
        "duplicate key",
        """
        name: x
        branch: a
        branch: b
        """,
        "recipe.yaml:3: branch: duplicate key 'branch'; keep one of them",
    ),
    (
        "bad mode",
        """
        name: x
        mode: dry-run
        """,
        "recipe.yaml:2: mode: 'dry-run' is not one of apply, audit",
    ),
]


@pytest.mark.parametrize("text,expected", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_recipe_one_line_error(tmp_path, monkeypatch, capsys, text, expected):
    from model_w.migrate.knowledge import available_releases

    expected = expected.replace("{releases}", ", ".join(available_releases()))
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "recipe.yaml", text)
    with pytest.raises(UserError) as info:
        load_recipe("recipe.yaml")
    message = info.value.message + (f"; {info.value.hint}" if info.value.hint else "")
    assert message == expected
    # the CLI prints it on one line and exits 2
    assert main(["recipes", "validate", "recipe.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"modelw: error: {expected}"
    assert len(err.strip().splitlines()) == 1


def test_extends_cycle(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.yaml", "name: a\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "name: b\ndescription: B\nextends: [full, ./a.yaml]\n")
    with pytest.raises(UserError) as info:
        load_recipe("a.yaml")
    assert info.value.message == "b.yaml:3: extends[1]: extends cycle a.yaml -> b.yaml -> a.yaml"


def test_extends_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.yaml", "name: a\n\nextends: ./nope.yaml\n")
    with pytest.raises(UserError) as info:
        load_recipe("a.yaml")
    assert info.value.message == "a.yaml:3: extends: no recipe file './nope.yaml' (relative to .)"


def test_error_in_parent_names_the_parent(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "parent.yaml", "name: p\nsteps:\n  exclude: [dotfils]\n")
    write(tmp_path, "child.yaml", "name: c\nextends: parent.yaml\n")
    with pytest.raises(UserError) as info:
        load_recipe("child.yaml")
    assert info.value.message == (
        "parent.yaml:3: steps.exclude[0]: unknown step 'dotfils' (did you mean 'dotfiles'?)"
    )


def test_empty_and_non_utf8(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(UserError, match=r"^empty.yaml:1: the recipe is empty"):
        load_recipe("empty.yaml")
    (tmp_path / "latin.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        load_recipe("latin.yaml")


# ------------------------------------------------------------ CLI


def test_recipes_list(capsys):
    assert main(["recipes", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("full", "settings-only", "restructure-only", "audit"):
        assert name in out
    assert "never writes" in out


def test_recipes_list_json(capsys):
    assert main(["recipes", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in data][:4] == ["full", "settings-only", "restructure-only", "audit"]
    assert all(r["description"] for r in data)


def test_recipes_show(capsys):
    assert main(["recipes", "show", "settings-only"]) == 0
    out = capsys.readouterr().out
    resolved = out.split("# Steps", 1)[0]
    data = yaml.safe_load(resolved)
    assert data["name"] == "settings-only"
    assert data["steps"]["include"] == ["gitignore", "settings-env"]
    assert "gitignore" in out and "Ignore local and generated files" in out


def test_recipes_show_file_and_validate(tmp_path, capsys):
    path = write(tmp_path, "r.yaml", "name: mine\ndescription: Mine.\nextends: audit\n")
    assert main(["recipes", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "mode: audit" in out
    assert main(["recipes", "validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out


def test_recipes_schema(capsys):
    assert main(["recipes", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "modelw-migrate recipe"
