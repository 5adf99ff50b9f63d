"""Target release: the rule of issue 3 item 2, on Facts built by hand."""

from __future__ import annotations

import sys

import pytest

from model_w.migrate.facts import Facts, Versions
from model_w.migrate.release import choose_release, release_warnings, version_tuple


def facts(django: str | None = None, python: str | None = None) -> Facts:
    return Facts(
        root="/tmp/project",
        versions=Versions(
            django=f"=={django}" if django else None, django_min=django, python=python
        ),
    )


def test_django_3_2_on_python_3_9_takes_the_oldest_release() -> None:
    f = facts("3.2", "3.9")
    release, why = choose_release(f)
    assert release == "2024.10"
    assert "no release runs on Python 3.9" in why
    warnings = release_warnings(f, release)
    # 4.0 and 4.1 remove what 3.x deprecated, and 3.2 warns about all of it.
    assert any("removes APIs that Django 3.2 deprecates" in w and "4.0, 4.1" in w for w in warnings)
    assert not any("jumps over" in w for w in warnings)
    assert any("needs Python 3.11" in w and "3.9" in w for w in warnings)


def test_django_4_2_on_python_3_11_is_2024_10_without_warnings() -> None:
    f = facts("4.2", "3.11")
    release, why = choose_release(f)
    assert release == "2024.10"
    assert "Python 3.11" in why and "Django 4.2 or newer" in why
    assert release_warnings(f, release) == []


def test_django_5_0_on_python_3_11_is_a_downgrade() -> None:
    f = facts("5.0", "3.11")
    release, why = choose_release(f)
    assert release == "2024.10"
    assert "downgrade Django from 5.0 to 4.2" in why
    warnings = release_warnings(f, release)
    assert len(warnings) == 1 and "downgrade" in warnings[0]


def test_django_5_2_on_python_3_13_is_2025_7() -> None:
    f = facts("5.2", "3.13")
    release, _ = choose_release(f)
    assert release == "2025.7"
    assert release_warnings(f, release) == []


def test_django_4_2_on_python_3_13_moves_up_to_5_2() -> None:
    f = facts("4.2", "3.13")
    release, _ = choose_release(f)
    assert release == "2025.7"
    (warning,) = release_warnings(f, release)
    assert "removes APIs that Django 4.2 deprecates" in warning and "5.0, 5.1" in warning


def test_no_hints_uses_this_interpreter() -> None:
    f = facts()
    release, why = choose_release(f)
    if sys.version_info[:2] == (3, 11):
        assert release == "2024.10"
    assert "this interpreter" in why
    assert release_warnings(f, release) == []


def test_django_2_2_jumps_over_removed_apis() -> None:
    f = facts("2.2", "3.11")
    release, _ = choose_release(f)
    assert release == "2024.10"
    warnings = release_warnings(f, release)
    assert any("jumps over" in w and "3.0, 3.1, 4.0, 4.1" in w for w in warnings)


def test_python_3_12_falls_back_to_3_11_with_a_warning() -> None:
    f = facts("4.2", "3.12")
    release, _ = choose_release(f)
    assert release == "2024.10"
    assert any("older than the project's Python 3.12" in w for w in release_warnings(f, release))


def test_a_forced_release_is_judged_too() -> None:
    # --modelw-release 2026.7 on a Django 4.2 project: 6.0 removes what 5.0 and
    # 5.1 deprecated, which 4.2 never warned about.
    warnings = release_warnings(facts("4.2", "3.11"), "2026.7")
    assert any("jumps over" in w for w in warnings)
    assert any("needs Python 3.14" in w for w in warnings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4.2.1", (4, 2, 1)), ("~=3.2", (3, 2)), (">=4.2", (4, 2)), ("", ()), (None, ()), ("5", (5,))],
)
def test_version_tuple(text: str | None, expected: tuple[int, ...]) -> None:
    assert version_tuple(text) == expected
