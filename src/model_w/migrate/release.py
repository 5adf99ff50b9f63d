"""Which Model W release to target, from the project's Django and Python hints.

Rule: among releases whose Django is not older than the project's (no
downgrade), take the newest whose Python is not newer than the project's
Python hint; without a hint, the Python running this tool stands in. A
downgrade, or a jump over Django releases that removed APIs, is a warning.
"""

from __future__ import annotations

import sys

from model_w.migrate.facts import Facts
from model_w.migrate.knowledge import available_releases, load_release


def version_tuple(text: str | None) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in (text or "").split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def choose_release(facts: Facts) -> tuple[str, str]:
    """The target release and a one-line reason a person can check."""
    releases = available_releases()
    python_hint = facts.versions.python
    python = version_tuple(python_hint)[:2] or sys.version_info[:2]
    python_why = (
        f"Python {python_hint}" if python_hint else f"Python {python[0]}.{python[1]} (this interpreter)"
    )
    django_min = facts.versions.django_min
    django = version_tuple(django_min)[:2]

    runnable = [r for r in releases if version_tuple(load_release(r)["python"])[:2] <= python]
    if not runnable:
        runnable = releases[:1]
    no_downgrade = [r for r in runnable if not django or version_tuple(load_release(r)["django"])[:2] >= django]
    if no_downgrade:
        chosen = no_downgrade[-1]
        why = f"newest release for {python_why}"
        if django_min:
            why += f" that keeps Django {django_min} or newer"
        return chosen, why
    chosen = runnable[-1]
    return chosen, (
        f"newest release for {python_why}; it would downgrade Django from {django_min}"
        f" to {load_release(chosen)['django']}"
    )


def release_warnings(facts: Facts, release: str) -> list[str]:
    """Warnings about the jump from the project's Django to the release's."""
    warnings: list[str] = []
    django_min = facts.versions.django_min
    if not django_min:
        return warnings
    project = version_tuple(django_min)[:2]
    target = version_tuple(load_release(release)["django"])[:2]
    if target < project:
        warnings.append(
            f"Model W {release} runs Django {target[0]}.{target[1]}, older than the project's"
            f" Django {django_min}: this is a downgrade"
        )
    elif target[0] - project[0] >= 2 or (target[0] - project[0] == 1 and project[1] < 2):
        warnings.append(
            f"Django {django_min} to {target[0]}.{target[1]} jumps over releases that removed"
            " APIs; read Django's release notes for every version in between"
        )
    return warnings
