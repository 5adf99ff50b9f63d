"""The wizard's questions: they turn Facts into Answers and decisions.

Only this module prompts (design.md). It never writes a file and never
calls git: the session in `interactive.py` opens the repository, runs the
steps and commits, and hands this module the Facts, the default Answers and
each step's Changeset to decide on. Every question has a default taken from
the Facts and a one-line help printed above it.

Prompts use questionary's `unsafe_ask()`, so Ctrl-C raises KeyboardInterrupt
instead of returning None; the session turns it into exit code 130.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import questionary
from rich.console import Console
from rich.markup import escape

from model_w.migrate import names
from model_w.migrate.answers import PACKAGE_LAYOUTS, Answers
from model_w.migrate.changeset import Changeset
from model_w.migrate.facts import Facts, Finding

# `model_w.migrate.wizard.run_wizard` is the entry point the CLI imports.
__all__ = [
    "Asker",
    "FindingChoice",
    "ask_answers",
    "ask_existing_branch",
    "ask_start",
    "ask_step",
    "confirm_abort",
    "finding_questions",
    "run_wizard",
]

Validator = Callable[[str], "bool | str"]


@dataclass(frozen=True)
class Option:
    value: Any
    label: str
    description: str | None = None


class Asker:
    """Every prompt goes through here: one help line, then a questionary question."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @staticmethod
    def _ask(question: questionary.Question) -> Any:
        """Ctrl-C raises KeyboardInterrupt; end of input (Ctrl-D, closed stdin) too."""
        try:
            return question.unsafe_ask()
        except EOFError:
            raise KeyboardInterrupt from None

    def _help(self, text: str | None) -> None:
        if text:
            self.console.print(f"[dim]{escape(text)}[/]", soft_wrap=False)

    def text(
        self,
        message: str,
        default: str,
        help: str | None = None,
        validate: Validator | None = None,
    ) -> str:
        self._help(help)
        answer = self._ask(questionary.text(message, default=default, validate=validate))
        return str(answer).strip()

    def select(
        self, message: str, options: Sequence[Option], default: Any, help: str | None = None
    ) -> Any:
        self._help(help)
        choices = [
            questionary.Choice(o.label, value=o.value, description=o.description) for o in options
        ]
        start = next((c for c in choices if c.value == default), choices[0])
        return self._ask(
            questionary.select(
                message, choices=choices, default=start, instruction="(arrows, Enter)"
            )
        )

    def checkbox(self, message: str, options: Sequence[Option], checked: set, help=None) -> list:
        self._help(help)
        choices = [
            questionary.Choice(
                o.label, value=o.value, description=o.description, checked=o.value in checked
            )
            for o in options
        ]
        answer = self._ask(
            questionary.checkbox(
                message, choices=choices, instruction="(Space toggles, Enter confirms)"
            )
        )
        return list(answer)

    def confirm(self, message: str, default: bool, help: str | None = None) -> bool:
        self._help(help)
        return bool(self._ask(questionary.confirm(message, default=default)))


# -- pre-flight ---------------------------------------------------------------
def ask_existing_branch(
    asker: Asker, branch: str, done: Sequence[str], origin: str | None, on_branch: bool
) -> str:
    """An earlier migration branch exists: "resume", "restart", "abort" or "quit"."""
    where = "you are on it" if on_branch else "it is not checked out"
    steps = ", ".join(done) if done else "none"
    back = origin or "the branch it started from"
    options = [
        Option("resume", "Resume: run the steps not committed yet", f"committed so far: {steps}"),
        Option(
            "restart",
            "Restart: delete the branch and start again",
            f"goes back to {back}, deletes {branch}, then asks the questions again",
        ),
        Option("abort", "Abort: delete the branch and stop", f"goes back to {back}"),
        Option("quit", "Quit: change nothing", None),
    ]
    return asker.select(
        f"The migration branch '{branch}' already exists.",
        options,
        "resume",
        help=f"{branch}: {len(done)} step(s) committed ({where}).",
    )


def confirm_abort(branch: str, console: Console | None = None) -> bool:
    """Ask before `modelw migrate --abort` deletes the migration branch."""
    from model_w.migrate.output import console as make_console

    asker = Asker(console or make_console())
    return asker.confirm(
        f"Delete the migration branch '{branch}' and go back to the original branch?",
        False,
        help="Commits on that branch are lost; the original branch was never modified.",
    )


# -- findings the tool cannot decide alone ------------------------------------
@dataclass(frozen=True)
class FindingChoice:
    """How to ask about one kind of finding, and where the answer goes.

    The answer is stored in `Answers.decisions["<code>:<subject>"]`; the
    `policy` key (e.g. "unknown_env_helper") is what a recipe sets for every
    finding of this code at once.
    """

    code: str
    question: str  # "{subject}" is replaced
    options: tuple[Option, ...]
    default: str
    policy: str


FINDING_CHOICES: dict[str, FindingChoice] = {
    "unknown-env-helper": FindingChoice(
        code="unknown-env-helper",
        question="The settings read the environment through '{subject}'. What should happen?",
        options=(
            Option(
                "keep-with-todo",
                "Keep it, with a TODO(modelw) at each call",
                "behaviour unchanged; a person ports it by hand later",
            ),
            Option(
                "inline",
                "Replace its calls with env_manager reads",
                "only right if it is a plain read of one variable",
            ),
        ),
        default="keep-with-todo",
        policy="unknown_env_helper",
    ),
    "unclassified-setting": FindingChoice(
        code="unclassified-setting",
        question="The tool cannot classify the setting '{subject}'. What should happen?",
        options=(
            Option("keep-with-todo", "Keep it as it is, with a TODO(modelw)", None),
            Option("env", "Read it from an environment variable", "its value goes to .env"),
            Option("constant", "Keep it as a constant in the settings", None),
        ),
        default="keep-with-todo",
        policy="unclassified_setting",
    ),
}


def _finding_choice(code: str) -> FindingChoice | None:
    """A step may declare `finding_choices = {code: FindingChoice}`; else the table above."""
    from model_w.migrate.steps import all_steps

    for step in all_steps():
        declared = getattr(step, "finding_choices", None) or {}
        if code in declared:
            return declared[code]
    return FINDING_CHOICES.get(code)


def finding_subject(finding: Finding, facts: Facts) -> str:
    """What a finding is about: a helper's name, a setting, else its location."""
    if finding.code == "unknown-env-helper":
        for helper in facts.env.helpers:
            if helper.path == finding.path and (not finding.line or helper.line == finding.line):
                return helper.name
        for helper in facts.env.helpers:
            if not helper.plain and f"'{helper.name}'" in finding.message:
                return helper.name
    subject = getattr(finding, "subject", None)
    if subject:
        return str(subject)
    quoted = finding.message.split("'")
    if len(quoted) >= 3 and quoted[1]:
        return quoted[1]
    return f"{finding.path}:{finding.line}" if finding.line else finding.path or finding.code


def finding_questions(facts: Facts) -> list[tuple[Finding, FindingChoice, str]]:
    """(finding, how to ask, subject) for every finding a person must decide."""
    result = []
    seen: set[str] = set()
    for finding in facts.findings:
        choice = _finding_choice(finding.code)
        if choice is None:
            continue
        subject = finding_subject(finding, facts)
        key = f"{finding.code}:{subject}"
        if key in seen:
            continue
        seen.add(key)
        result.append((finding, choice, subject))
    return result


# -- the questions ---------------------------------------------------------------
def ask_answers(
    asker: Asker,
    facts: Facts,
    defaults: Answers,
    *,
    validate_branch: Validator | None = None,
    fixed_branch: bool = False,
    applicable_steps: Callable[[Answers], list] | None = None,
) -> Answers:
    """Ask every question; returns the Answers (the defaults are never mutated)."""
    values: dict[str, Any] = {}

    # Project name, and the forms it implies.
    def check_name(text: str) -> bool | str:
        return True if names._words(text) else "type a name with at least one letter or digit"

    name = asker.text(
        "Project name?",
        defaults.project_name,
        help=(
            "Names the Python package under api/ and the Docker images"
            f" (default '{defaults.project_name}')."
        ),
        validate=check_name,
    )
    values["project_name"] = name
    asker.console.print(
        f"  [dim]package[/] {escape(names.snake(name))}  [dim]dashed[/] {escape(names.dashed(name))}"
    )

    # Target release.
    from model_w.migrate.knowledge import available_releases, load_release

    releases = available_releases()
    options = []
    for release in reversed(releases):
        info = load_release(release)
        label = f"{release} (Python {info.get('python', '?')}, Django {info.get('django', '?')})"
        note = defaults.release_reason if release == defaults.modelw_release else None
        options.append(Option(release, label, note))
    reason = defaults.release_reason or "the newest release this project can run"
    values["modelw_release"] = asker.select(
        "Target Model W release?",
        options,
        defaults.modelw_release,
        help=f"Default {defaults.modelw_release}: {reason}.",
    )

    # Branch.
    if not fixed_branch:
        values["branch"] = asker.text(
            "Migration branch?",
            defaults.branch,
            help="Every step is one commit on this new branch; your current branch is not touched.",
            validate=validate_branch,
        )

    # Production settings.
    django = facts.django
    modules = [m for m in (django.settings if django else []) if not m.parse_error]
    if len(modules) > 1:
        options = [Option(m.module, m.module, f"{m.path} ({m.role})") for m in modules]
        options.append(Option("", "none of them", "every setting stays in one module"))
        chosen = asker.select(
            "Which settings module is production?",
            options,
            defaults.production_settings or "",
            help="Its values are merged with the base settings and read from env vars.",
        )
        values["production_settings"] = chosen or None

    # Front-ends.
    frontends = dict(defaults.frontends)
    for fe in facts.frontends:
        if fe.kind != "ui":
            continue
        what = fe.framework or fe.bundler or "front-end"
        frontends[fe.path] = asker.select(
            f"Where does the {what} in '{fe.path or '.'}' go?",
            [
                Option("front", "front/ (a Model W front component)", None),
                Option("keep", f"keep it in '{fe.path or '.'}'", None),
            ],
            frontends.get(fe.path, "keep"),
            help="Model W serves one UI from front/, beside the Django api/.",
        )
    if frontends != defaults.frontends:
        values["frontends"] = frontends
    if any(fe.kind == "asset-pipeline" for fe in facts.frontends):
        values["asset_pipeline"] = asker.select(
            "Where does the asset build that feeds Django's static files go?",
            [
                Option("api", "api/ (beside Django, it keeps feeding static)", None),
                Option("front", "front/ (a front component of its own)", None),
            ],
            defaults.asset_pipeline,
            help="A JS build writing into Django's static folder.",
        )

    # Name clashes.
    clashes = dict(defaults.name_clashes)
    for clash in facts.name_clashes:
        current = clashes.get(clash, f"rename:{clash}_app")
        target = current.split(":", 1)[1] if current.startswith("rename:") else f"{clash}_app"
        new = asker.text(
            f"'{clash}' is taken by Model W's layout. Rename the project's '{clash}' to?",
            target,
            help="Imports and references are rewritten to the new name.",
            validate=lambda t: t.isidentifier() or "type a Python identifier",
        )
        clashes[clash] = f"rename:{new}"
    if clashes != defaults.name_clashes:
        values["name_clashes"] = clashes

    # Package layout.
    values["package_layout"] = asker.select(
        "Package layout?",
        [
            Option("modelw", "Model W: <package>/django and <package>/apps", None),
            Option("keep", "keep the current packages (only move them under api/)", None),
        ],
        defaults.package_layout if defaults.package_layout in PACKAGE_LAYOUTS else "modelw",
        help="Model W keeps settings and urls in <package>/django, apps in <package>/apps.",
    )

    # Findings the tool cannot decide alone.
    decisions = dict(defaults.decisions)
    for finding, choice, subject in finding_questions(facts):
        key = f"{finding.code}:{subject}"
        default = decisions.get(key) or defaults.policies.get(choice.policy) or choice.default
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        decisions[key] = asker.select(
            choice.question.format(subject=subject),
            list(choice.options),
            default,
            help=f"{where}: {finding.message}" if where else finding.message,
        )
    if decisions != defaults.decisions:
        values["decisions"] = decisions

    answers = defaults.merged(values)

    # Steps: ask last, since whether a step applies depends on the answers.
    steps = applicable_steps(answers) if applicable_steps else []
    if steps:
        excluded = set(answers.exclude_steps)
        chosen = asker.checkbox(
            "Which steps?",
            [Option(s.id, f"{s.title} ({s.id})", s.why) for s in steps],
            {s.id for s in steps if s.id not in excluded},
            help="Each step is shown as a diff before it is committed; untick to leave one out.",
        )
        left_out = [s.id for s in steps if s.id not in chosen]
        keep = [s for s in answers.exclude_steps if s not in {x.id for x in steps}]
        answers = answers.merged({"exclude_steps": keep + left_out})
    return answers


def ask_start(asker: Asker, count: int, branch: str) -> bool:
    return asker.confirm(
        f"Run the {count} planned step(s) on '{branch}' now?",
        True,
        help="You see each step's diff and choose to apply or skip it before it is committed.",
    )


def ask_step(asker: Asker, changeset: Changeset, index: int, total: int) -> str:
    """What to do with one step's changes: apply, skip, files, diff or quit."""
    files = len(changeset.changes)
    return asker.select(
        f"Apply step {index}/{total} ({changeset.step_id})?",
        [
            Option("apply", "Apply and commit", f"one commit, {files} file(s)"),
            Option("skip", "Skip this step", "nothing of it is written"),
            Option("files", "Show the whole files", "each file as it would be after the step"),
            Option("diff", "Show the diff again", None),
            Option("quit", "Quit", "keeps the steps committed so far; run again to resume"),
        ],
        "apply",
    )


def run_wizard(path, args=None, overrides=None, **kwargs: Any) -> int:
    """The interactive session (`interactive.run_wizard`); the CLI imports it from here."""
    from model_w.migrate.interactive import run_wizard as run

    return run(path, args, overrides, **kwargs)
