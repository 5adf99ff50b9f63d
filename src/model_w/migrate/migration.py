"""One migration of one repository: pre-flight, dry-run or apply, abort.

The CLI, the wizard and the batch runner all drive migrations through this
module, so safety rules live in one place: pre-flight checks happen before
anything is asked or written, `--yes` computes every step in memory before
the first commit, and the branch the user was on is never modified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model_w.migrate import gitops
from model_w.migrate.answers import Answers
from model_w.migrate.applier import CommitSink, commit_changeset
from model_w.migrate.changeset import Changeset, FileChange, FollowUp
from model_w.migrate.engine import Decide, PreviewSink, RunOutcome, run_plan
from model_w.migrate.errors import UserError
from model_w.migrate.facts import Facts, GitFacts
from model_w.migrate.plan import Plan, PlanEntry, build_plan
from model_w.migrate.workspace import Workspace

OnStart = Callable[[PlanEntry], None]


@dataclass
class Session:
    """A repository opened for migration: git handle, workspace and Facts."""

    path: Path
    repo: gitops.Repo | None
    workspace: Workspace
    git: GitFacts
    facts: Facts
    project_dir: str | None = None

    def inspect(self, workspace: Workspace) -> Facts:
        from model_w.migrate.inspect import inspect_workspace

        self.project_dir = followed_project_dir(workspace, self.project_dir)
        return inspect_workspace(workspace, self.git, self.project_dir)


@dataclass
class MigrationResult:
    mode: str  # dry-run or apply
    facts: Facts
    answers: Answers
    plan: Plan
    outcome: RunOutcome
    branch: str | None = None
    origin_branch: str | None = None
    resumed: list[str] = field(default_factory=list)  # step ids committed by an earlier run
    total_changes: list[FileChange] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)  # one-line remarks for the user

    @property
    def followups(self) -> list[FollowUp]:
        return self.outcome.followups

    @property
    def changesets(self) -> list[Changeset]:
        return self.outcome.changesets

    @property
    def status(self) -> str:
        """Honest one-word status: what happened, follow-ups included."""
        if self.interrupted:
            return "interrupted"
        if self.outcome.failed:
            return "failed"
        blockers = [f for f in self.followups if f.level == "blocker"]
        if self.mode == "dry-run":
            return "changes-pending" if self.outcome.has_changes else "nothing-to-do"
        if not self.commits and not self.outcome.has_changes:
            return "already-migrated" if self.resumed or self.plan.entries else "nothing-to-do"
        if blockers:
            return "blocked"
        return "migrated-with-followups" if self.followups else "migrated"


def followed_project_dir(workspace: Workspace, project_dir: str | None) -> str | None:
    """The chosen project's folder once the api-layout step may have moved it to api/."""
    if project_dir in (None, "", ".", "api"):
        return project_dir
    moved = not workspace.exists(f"{project_dir.strip('/')}/manage.py")
    return "api" if moved and workspace.exists("api/manage.py") else project_dir


def open_session(path: Path, project_dir: str | None = None, need_git: bool = True) -> Session:
    """Open and inspect a repository; raises UserError for every bad input."""
    from model_w.migrate.inspect import inspect_git, inspect_workspace

    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such directory", "pass the folder of your Django project")
    repo = gitops.open_repo(path) if need_git else None
    root = repo.root if repo else path.resolve()
    if repo and not gitops.has_commits(repo):
        raise UserError(f"{root}: the repository has no commits yet", "commit your project first")
    git = inspect_git(root)
    workspace = Workspace(root)
    if repo and git.branch and gitops.load_state(repo, git.branch) is not None:
        project_dir = followed_project_dir(workspace, project_dir)  # resuming
    facts = inspect_workspace(workspace, git, project_dir)
    _refuse_unparsable_settings(facts)
    return Session(
        path=path, repo=repo, workspace=workspace, git=git, facts=facts, project_dir=project_dir
    )


def _refuse_unparsable_settings(facts: Facts) -> None:
    if not facts.django:
        raise UserError(
            f"no manage.py found under {facts.root}",
            "run modelw inside a Django project or pass its folder",
        )
    for module in facts.django.settings:
        if module.parse_error:
            raise UserError(
                f"settings do not parse: {module.parse_error}",
                "fix the file (or port Python 2 code to Python 3) and run again",
            )


def default_answers(session: Session, overrides: dict[str, Any] | None = None) -> Answers:
    answers = Answers.defaults(session.facts)
    if overrides:
        answers = answers.merged(overrides)
    return answers


def dry_run(session: Session, answers: Answers, on_start: OnStart | None = None) -> MigrationResult:
    """Every planned step on the overlay; nothing is written."""
    done: list[str] = []
    if session.repo and session.git.branch == answers.branch:
        state = gitops.load_state(session.repo, answers.branch)
        done = gitops.completed_steps(session.repo, state["origin_sha"] if state else None)
    plan = build_plan(session.facts, answers, done)
    outcome = run_plan(
        plan, session.workspace, session.facts, answers, PreviewSink(), inspector=session.inspect
    )
    result = MigrationResult("dry-run", session.facts, answers, plan, outcome, resumed=done)
    result.total_changes = [c for c in session.workspace.total_changes() if not c.local]
    return result


def preflight_apply(session: Session, branch: str) -> tuple[bool, list[str]]:
    """Check the repository can be migrated on `branch`; returns (resume, done steps).

    Raises UserError (nothing changed) for a dirty tree, an existing branch
    the user is not on, or an invalid branch name.
    """
    repo = session.repo
    assert repo is not None
    if not gitops.valid_branch_name(repo, branch):
        raise UserError(f"'{branch}' is not a valid branch name", "pass another one with --branch")
    dirty = gitops.dirty_entries(repo)
    if dirty:
        shown = ", ".join(line[3:] for line in dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        raise UserError(
            f"the working tree has uncommitted changes ({shown})",
            "commit or stash them (`git stash -u`) and run again; nothing was changed",
        )
    if session.git.branch == branch:
        state = gitops.load_state(repo, branch)
        return True, gitops.completed_steps(repo, state["origin_sha"] if state else None)
    if gitops.branch_exists(repo, branch):
        raise UserError(
            f"the branch '{branch}' already exists",
            f"resume with `git checkout {branch}` then `modelw migrate --yes`,"
            f" start another with --branch NAME, or drop it with `modelw migrate --abort`",
        )
    return False, []


def apply(
    session: Session,
    answers: Answers,
    decide: Decide | None = None,
    on_start: OnStart | None = None,
) -> MigrationResult:
    """Commit each planned step on the migration branch.

    Without `decide` (non-interactive), every step is first computed in
    memory: a step that fails there leaves the repository untouched. With
    `decide` (the wizard), each accepted step is committed as it goes.
    """
    repo = session.repo
    assert repo is not None
    branch = answers.branch
    resume, done = preflight_apply(session, branch)
    plan = build_plan(session.facts, answers, done)
    origin_branch = session.git.branch
    if resume:
        state = gitops.load_state(repo, branch) or {}
        origin_branch = state.get("origin_branch")
    result_notes: list[str] = []
    if session.git.detached:
        result_notes.append(f"HEAD is detached; the migration starts from {session.git.head[:12]}")

    if decide is None:
        outcome = run_plan(
            plan,
            session.workspace,
            session.facts,
            answers,
            PreviewSink(),
            inspector=session.inspect,
        )
        result = MigrationResult(
            "apply",
            session.facts,
            answers,
            plan,
            outcome,
            branch=branch,
            origin_branch=origin_branch,
            resumed=done,
            notes=result_notes,
        )
        if isinstance(outcome.failure, UserError):
            raise outcome.failure  # bad input: nothing was written, exit 2
        pending = [c for c in outcome.changesets if c.changes and c.status != "failed"]
        if not pending:
            return result
        if not resume:
            _start_branch(repo, session, answers)
        try:
            for changeset in pending:
                sha = commit_changeset(repo, changeset, outcome.secrets)
                if sha:
                    result.commits.append(sha)
        except KeyboardInterrupt:
            result.interrupted = True
        except Exception as exc:  # a commit that could not be made: stop at the last good one
            changeset.status = "failed"
            changeset.error = str(exc)
            outcome.failed = changeset
        return result

    if not resume:
        _start_branch(repo, session, answers)
    session.workspace.reset_to_disk()
    result = MigrationResult(
        "apply",
        session.facts,
        answers,
        plan,
        RunOutcome(),
        branch=branch,
        origin_branch=origin_branch,
        resumed=done,
        notes=result_notes,
    )
    try:
        run_plan(
            plan,
            session.workspace,
            session.facts,
            answers,
            CommitSink(repo),
            inspector=session.inspect,
            decide=decide,
            on_start=on_start,
            outcome=result.outcome,
        )
    except KeyboardInterrupt:
        result.interrupted = True
    result.commits = [c.commit for c in result.outcome.changesets if c.commit]
    return result


def _start_branch(repo: gitops.Repo, session: Session, answers: Answers) -> None:
    head = gitops.head_sha(repo)
    gitops.create_and_checkout(repo, answers.branch)
    gitops.save_state(repo, answers.branch, session.git.branch, head, answers.to_json())


def abort(path: Path, branch: str) -> str:
    """Go back to the branch the migration started from and delete the migration branch."""
    repo = gitops.open_repo(Path(path))
    if not gitops.branch_exists(repo, branch):
        raise UserError(f"there is no migration branch '{branch}'", "nothing to abort")
    state = gitops.load_state(repo, branch) or {}
    current = gitops.current_branch(repo)
    if current == branch:
        dirty = gitops.dirty_entries(repo)
        if dirty:
            raise UserError(
                f"the migration branch has uncommitted changes ({dirty[0][3:]} ...)",
                "commit or stash them before --abort; nothing was changed",
            )
        target = state.get("origin_branch") or state.get("origin_sha")
        if not target:
            raise UserError(
                f"cannot tell which branch '{branch}' started from",
                "check out your branch yourself, then run --abort again",
            )
        gitops.checkout(repo, target)
    else:
        target = current or "HEAD"
    gitops.delete_branch(repo, branch)
    gitops.clear_state(repo, branch)
    return target
