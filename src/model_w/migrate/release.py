"""Which Model W release to target, from the project's Django and Python hints.

The rule (issue 3, item 2; docs/knowledge.md "Target release"):

1. **Python caps the choice.** A release is *reachable* when its Python is
   not newer than the project's Python hint (`facts.versions.python`), so
   the migration does not also force a Python upgrade the project has not
   made. Without a hint, the Python running this tool stands in (the reason
   says so). When no release is reachable (a Python 3.9 project), the oldest
   release is taken: the smallest Python upgrade.
2. **Django picks the newest.** Among reachable releases, the target is the
   newest whose Django is not older than the project's (`django_min`); as
   Django grows with every release, that is the newest reachable release
   when there is one, and without a Django hint too.
3. **Otherwise downgrade, loudly.** When every reachable release has an older
   Django than the project's, the newest reachable one is taken and
   `release_warnings` reports the downgrade.

`release_warnings(facts, release)` is computed for any release, including
one forced with `--modelw-release`. It reports:

- a Django **downgrade**;
- a **jump over removed APIs**: the target Django removes APIs that were not
  even deprecated in the project's Django, so the project's own deprecation
  warnings cannot have flagged them (for example 2.2 to 4.2: 4.0 removes what
  3.0 and 3.1 deprecated);
- **removals the project is warned about**: the target removes APIs that the
  project's Django already deprecates (3.2 to 4.2: `url()`, `ugettext`,
  `force_text`...), so its DeprecationWarnings must be fixed first;
- a **Python change**: the release runs an older Python than the project's
  (code using newer syntax breaks), or a newer one than the project's.

Django's deprecation policy (docs.djangoproject.com, "Deprecation policy"):
a feature deprecated in A.x is removed in (A+1).0, or in (A+1).1 when A.x is
the last feature release of A (A.2; 1.11 for the 1.x series).
"""

from __future__ import annotations

import sys

from model_w.migrate.facts import Facts
from model_w.migrate.knowledge import available_releases, load_release

Version = tuple[int, ...]


def version_tuple(text: str | None) -> Version:
    """ "4.2.1" -> (4, 2, 1); "~=3.2" -> (3, 2); "" or None -> ()."""
    parts: list[int] = []
    for piece in (text or "").lstrip("~=<>!^ v").split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def _fmt(version: Version) -> str:
    return ".".join(str(p) for p in version)


def _last_minor(major: int) -> int:
    """The last feature release of a Django major series (1.11, 2.2, 3.2, ...)."""
    return 11 if major == 1 else 2


def _next_feature_release(version: Version) -> Version:
    major, minor = version[0], version[1] if len(version) > 1 else 0
    if minor < _last_minor(major):
        return (major, minor + 1)
    return (major + 1, 0)


def _removed_in(deprecated_in: Version) -> Version:
    """The Django release that removes what `deprecated_in` deprecated."""
    major, minor = deprecated_in[0], deprecated_in[1] if len(deprecated_in) > 1 else 0
    return (major + 1, 1 if minor >= _last_minor(major) else 0)


def _removal_releases(after: Version, upto: Version) -> list[Version]:
    """Django releases in (after, upto] that remove deprecated APIs (every X.0 and X.1)."""
    found = []
    for major in range(after[0], upto[0] + 1):
        for minor in (0, 1):
            if after < (major, minor) <= upto:
                found.append((major, minor))
    return found


def _release_python(release: str) -> Version:
    return version_tuple(load_release(release)["python"])[:2]


def _release_django(release: str) -> Version:
    return version_tuple(load_release(release)["django"])[:2]


def choose_release(facts: Facts) -> tuple[str, str]:
    """The target release and a one-line reason a person can check."""
    releases = available_releases()
    python_hint = facts.versions.python
    python = version_tuple(python_hint)[:2] or tuple(sys.version_info[:2])
    python_why = (
        f"Python {python_hint}"
        if python_hint
        else f"Python {_fmt(python)} (this interpreter; the project declares none)"
    )
    django_min = facts.versions.django_min
    django = version_tuple(django_min)[:2]

    reachable = [r for r in releases if _release_python(r) <= python]
    if not reachable:
        oldest = releases[0]
        why = (
            f"no release runs on {python_why}: {oldest} is the oldest, on Python "
            f"{load_release(oldest)['python']}"
        )
        if django and _release_django(oldest) < django:
            why += (
                f"; it would downgrade Django from {django_min} to {load_release(oldest)['django']}"
            )
        return oldest, why

    keeps_django = [r for r in reachable if not django or _release_django(r) >= django]
    if keeps_django:
        chosen = keeps_django[-1]
        why = f"newest release for {python_why}"
        if django_min:
            why += f" that keeps Django {django_min} or newer (Django {load_release(chosen)['django']})"
        return chosen, why
    chosen = reachable[-1]
    return chosen, (
        f"newest release for {python_why}; it would downgrade Django from {django_min}"
        f" to {load_release(chosen)['django']}"
    )


def release_warnings(facts: Facts, release: str) -> list[str]:
    """Warnings about moving the project to `release` (Django and Python)."""
    warnings: list[str] = []
    data = load_release(release)
    target = _release_django(release)
    django_min = facts.versions.django_min
    project = version_tuple(django_min)[:2]
    if project and len(project) == 1:
        project = (project[0], 0)
    if project:
        if target < project:
            warnings.append(
                f"Model W {release} runs Django {data['django']}, older than the project's"
                f" Django {django_min}: this is a downgrade; APIs added after"
                f" {data['django']} will be missing"
            )
        elif target > project:
            unwarned_from = _removed_in(_next_feature_release(project))
            removals = _removal_releases(project, target)
            if target >= unwarned_from:
                gone = ", ".join(_fmt(v) for v in removals)
                warnings.append(
                    f"Django {django_min} to {data['django']} jumps over releases that removed"
                    f" APIs ({gone}), some not even deprecated in {django_min}, so its warnings"
                    " cannot have flagged them: upgrade in steps or read every release note"
                    " in between"
                )
            elif removals:
                gone = ", ".join(_fmt(v) for v in removals)
                warnings.append(
                    f"Django {data['django']} removes APIs that Django {django_min} deprecates"
                    f" (removals in {gone}): fix the project's DeprecationWarnings first"
                    " (run its tests with -W error::DeprecationWarning)"
                )

    python_hint = facts.versions.python
    python = version_tuple(python_hint)[:2]
    release_python = _release_python(release)
    if python and release_python < python:
        warnings.append(
            f"Model W {release} runs Python {data['python']}, older than the project's"
            f" Python {python_hint}: code using newer Python features will break"
        )
    elif python and release_python > python:
        warnings.append(
            f"Model W {release} needs Python {data['python']}; the project declares"
            f" Python {python_hint}: upgrade Python too (docker base {data['docker_base']})"
        )
    return warnings
