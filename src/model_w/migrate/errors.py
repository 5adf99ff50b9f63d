"""Errors a user can cause, each turned into one line and exit code 2 by the CLI."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PENDING = 1  # dry-run: changes are pending; apply: a step failed
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """A problem with the user's input or repository, not a bug.

    The message names the problem and the way forward in one line, in the
    style of pip and git.
    """

    exit_code = EXIT_ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class StepFailed(Exception):
    """A step raised while running; the overlay was dropped."""

    def __init__(self, step_id: str, cause: BaseException) -> None:
        super().__init__(f"step '{step_id}' failed: {cause}")
        self.step_id = step_id
        self.cause = cause
