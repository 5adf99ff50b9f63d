"""recipes/README.md: its recipe examples validate, its fleet script works."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from model_w.migrate.cli import main
from model_w.migrate.recipes import validate_recipe_text
from tests.conftest import copy_fixture, git, init_repo

README = Path(__file__).parent.parent / "recipes" / "README.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_recipe_examples_validate():
    examples = [b for b in blocks("yaml") if re.search(r"^name: ", b, flags=re.M)]
    assert len(examples) >= 2
    for text in examples:
        recipe = validate_recipe_text(text, "README.md")
        assert recipe.name


def test_readme_mentions_every_builtin_and_fleet_tool():
    from model_w.migrate.recipes import builtin_names

    text = README.read_text()
    for name in builtin_names():
        assert f"`{name}`" in text
    for needle in ("--emit-ci github", "turbolift foreach", "multi-gitter run", "report merge"):
        assert needle in text


@pytest.mark.slow
def test_fleet_script_on_the_tools_branch_then_merge(tmp_path):
    """What turbolift or multi-gitter do: clone, branch, run migrate.sh in the repository."""
    script = next(b for b in blocks("bash") if b.startswith("#!/usr/bin/env bash\n# migrate.sh"))
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "migrate.sh").write_text(script)
    (fleet / "agency.yaml").write_text("name: agency\ndescription: Ours.\nextends: full\n")
    repo = init_repo(copy_fixture("classic", tmp_path / "work" / "acme" / "shop"))
    git(repo, "checkout", "-q", "-b", "modelw-migrate")  # the tool's branch
    bindir = Path(sys.executable).parent
    env = {
        **os.environ,
        "REPOSITORY": "acme/shop",
        "NO_COLOR": "1",
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(
        ["bash", str(fleet / "migrate.sh")],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report_path = fleet / "reports" / "modelw-report-acme-shop.json"
    report = json.loads(report_path.read_text())
    commits = int(git(repo, "rev-list", "--count", "main..modelw-migrate"))
    assert report["branch"] == "modelw-migrate" and report["summary"]["commits"] == commits > 0
    assert git(repo, "status", "--porcelain") == ""
    assert main(["report", "merge", str(fleet / "batch-report"), str(report_path)]) == 0
    batch = json.loads((fleet / "batch-report" / "report.json").read_text())
    assert [r["name"] for r in batch["repositories"]] == ["acme-shop"]


@pytest.mark.slow
def test_migrate_with_audit_recipe_never_writes(tmp_path):
    from tests.conftest import snapshot_tree

    repo = init_repo(copy_fixture("classic", tmp_path / "shop"))
    before = snapshot_tree(repo)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "model_w.migrate",
            "migrate",
            "--recipe",
            "audit",
            "--yes",
            "--report",
            str(tmp_path / "audit.json"),
            str(repo),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert snapshot_tree(repo) == before
    assert json.loads((tmp_path / "audit.json").read_text())["mode"] == "dry-run"
