"""The wizard's questions, driven through prompt_toolkit's pipe input."""

from __future__ import annotations

import pytest

try:  # tests/ may become a package
    from .test_wizard_keys import CTRL_C, DOWN, ENTER, SPACE, UP, answering, replace, text_console
except ImportError:
    from test_wizard_keys import CTRL_C, DOWN, ENTER, SPACE, UP, answering, replace, text_console

from model_w.migrate import wizard
from model_w.migrate.answers import Answers
from model_w.migrate.changeset import Changeset, FileChange
from model_w.migrate.facts import (
    DjangoFacts,
    EnvFacts,
    EnvHelper,
    Facts,
    Finding,
    Frontend,
    SettingsModule,
)


class FakeStep:
    def __init__(self, id: str, title: str) -> None:
        self.id = id
        self.title = title
        self.why = f"why {id}"


STEPS = [FakeStep("gitignore", "Ignore local files"), FakeStep("dotfiles", "Add dotfiles")]


def shop_facts() -> Facts:
    return Facts(
        root="/tmp/shop",
        django=DjangoFacts(
            manage_py="manage.py",
            project_dir="",
            import_root="",
            settings_module="shop.settings.base",
            project_package="shop",
            settings=[
                SettingsModule("shop.settings.base", "shop/settings/base.py", "base"),
                SettingsModule(
                    "shop.settings.production", "shop/settings/production.py", "production"
                ),
            ],
        ),
        frontends=[
            Frontend("frontend", "ui", "nuxt2"),
            Frontend("", "tooling"),
        ],
        env=EnvFacts(
            styles=["helper"],
            helpers=[EnvHelper("envsecret", "shop/settings/base.py", 5, plain=False)],
        ),
        findings=[
            Finding(
                "warning",
                "unknown-env-helper",
                "settings read the environment through 'envsecret'",
                "shop/settings/base.py",
                5,
            ),
            Finding("info", "something-else", "just so you know"),
        ],
    )


def ask(facts: Facts, *keys: str, **kwargs) -> tuple[Answers, str]:
    console = text_console()
    defaults = Answers.defaults(facts)
    with answering(*keys):
        answers = wizard.ask_answers(wizard.Asker(console), facts, defaults, **kwargs)
    return answers, console.file.getvalue()


def test_every_default_accepted():
    facts = shop_facts()
    # name, release, branch, production settings, front-end, layout, finding, steps
    answers, shown = ask(facts, ENTER * 7, ENTER, applicable_steps=lambda a: STEPS)
    defaults = Answers.defaults(facts)
    assert answers.project_name == "shop"
    assert answers.modelw_release == defaults.modelw_release
    assert answers.branch == "modelw/migrate"
    assert answers.production_settings == "shop.settings.production"
    assert answers.frontends == {"frontend": "front"}
    assert answers.package_layout == "modelw"
    assert answers.decisions == {"unknown-env-helper:envsecret": "keep-with-todo"}
    assert answers.exclude_steps == []
    # each question has its one-line help; the name's forms are shown
    assert "package shop  dashed shop" in shown
    assert (
        defaults.release_reason in shown.replace("\n", " ") or defaults.release_reason[:30] in shown
    )
    assert "shop/settings/base.py:5" in shown


def test_every_answer_changed():
    facts = shop_facts()
    answers, shown = ask(
        facts,
        replace("My Shop"),
        UP + ENTER,  # the release above the default one (or the default when it is the newest)
        replace("modelw/try-1"),
        DOWN + ENTER,  # "none of them" after production
        DOWN + ENTER,  # keep the front-end where it is
        DOWN + ENTER,  # keep the package layout
        DOWN + ENTER,  # inline the helper
        SPACE + ENTER,  # untick the first step
        applicable_steps=lambda a: STEPS,
    )
    assert answers.project_name == "My Shop"
    assert answers.package == "my_shop"
    assert "package my_shop  dashed my-shop" in shown
    assert answers.branch == "modelw/try-1"
    assert answers.production_settings is None
    assert answers.frontends == {"frontend": "keep"}
    assert answers.package_layout == "keep"
    assert answers.decisions == {"unknown-env-helper:envsecret": "inline"}
    assert answers.exclude_steps == ["gitignore"]


def test_release_choices_come_from_the_knowledge():
    from model_w.migrate.knowledge import available_releases

    facts = shop_facts()
    defaults = Answers.defaults(facts)
    newest_first = list(reversed(available_releases()))
    position = newest_first.index(defaults.modelw_release)
    keys = [ENTER, UP * position + ENTER] + [ENTER] * 6
    answers, _ = ask(facts, *keys)
    assert answers.modelw_release == newest_first[0]


def test_branch_validation_refuses_then_accepts():
    facts = shop_facts()
    taken = {"modelw/migrate"}

    def validate(name: str):
        return "already exists" if name in taken else True

    answers, _ = ask(
        facts,
        ENTER,
        ENTER,
        ENTER,  # refused: the default exists
        replace("modelw/second"),
        ENTER * 4,
        validate_branch=validate,
    )
    assert answers.branch == "modelw/second"


def test_fixed_branch_is_not_asked():
    facts = shop_facts()
    answers, shown = ask(facts, ENTER * 6, fixed_branch=True)
    assert "Migration branch" not in shown
    assert answers.branch == "modelw/migrate"


def test_single_settings_and_no_front_skip_those_questions():
    facts = shop_facts()
    facts.django.settings = facts.django.settings[:1]
    facts.frontends = []
    facts.findings = []
    answers, _ = ask(facts, ENTER * 4)
    assert answers.production_settings is None
    assert answers.frontends == {}


def test_name_clash_renamed():
    facts = shop_facts()
    facts.name_clashes = ["api"]
    answers, _ = ask(facts, ENTER * 5, replace("api_core"), ENTER * 2)
    assert answers.name_clashes == {"api": "rename:api_core"}


def test_ctrl_c_at_a_question_raises_keyboard_interrupt():
    facts = shop_facts()
    with pytest.raises(KeyboardInterrupt):
        ask(facts, ENTER, CTRL_C)


def test_policy_in_defaults_is_the_default_decision():
    facts = shop_facts()
    console = text_console()
    defaults = Answers.defaults(facts).merged({"policies": {"unknown_env_helper": "inline"}})
    with answering(ENTER * 7):
        answers = wizard.ask_answers(wizard.Asker(console), facts, defaults)
    assert answers.decisions == {"unknown-env-helper:envsecret": "inline"}


@pytest.mark.parametrize(
    "keys, expected",
    [
        (ENTER, "resume"),
        (DOWN + ENTER, "restart"),
        (DOWN * 2 + ENTER, "abort"),
        (DOWN * 3 + ENTER, "quit"),
    ],
)
def test_existing_branch_choices(keys, expected):
    console = text_console()
    with answering(keys):
        choice = wizard.ask_existing_branch(
            wizard.Asker(console), "modelw/migrate", ["gitignore"], "main", True
        )
    assert choice == expected
    assert "1 step(s) committed" in console.file.getvalue()


@pytest.mark.parametrize(
    "keys, expected",
    [
        (ENTER, "apply"),
        (DOWN + ENTER, "skip"),
        (DOWN * 2 + ENTER, "files"),
        (DOWN * 3 + ENTER, "diff"),
        (DOWN * 4 + ENTER, "quit"),
    ],
)
def test_step_choices(keys, expected):
    changeset = Changeset(
        "gitignore", "Ignore local files", "why", [FileChange(".gitignore", b"", b"x\n")]
    )
    with answering(keys):
        assert wizard.ask_step(wizard.Asker(text_console()), changeset, 1, 2) == expected


def test_confirm_abort_defaults_to_no():
    with answering(ENTER):
        assert wizard.confirm_abort("modelw/migrate", console=text_console()) is False
    with answering("y"):
        assert wizard.confirm_abort("modelw/migrate", console=text_console()) is True


def test_finding_subject_falls_back_to_quoted_name_then_location():
    facts = shop_facts()
    odd = Finding("warning", "unclassified-setting", "cannot classify 'WEIRD_THING'", "s.py", 3)
    assert wizard.finding_subject(odd, facts) == "WEIRD_THING"
    bare = Finding("warning", "unclassified-setting", "cannot classify this", "s.py", 3)
    assert wizard.finding_subject(bare, facts) == "s.py:3"


def test_run_wizard_import_path_is_kept(monkeypatch):
    from model_w.migrate import interactive
    from model_w.migrate.wizard import run_wizard

    calls = []
    monkeypatch.setattr(interactive, "run_wizard", lambda *a, **k: calls.append((a, k)) or 7)
    assert run_wizard("repo", "args", {"x": 1}) == 7
    assert calls == [(("repo", "args", {"x": 1}), {})]
