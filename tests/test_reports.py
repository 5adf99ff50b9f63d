"""Markdown, HTML and merged batch reports, from real JSON reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from model_w.migrate.cli import main
from model_w.migrate.errors import UserError
from model_w.migrate.report.html import diff_lines, render_batch_html, render_repo_html
from model_w.migrate.report.markdown import render_batch_markdown, render_repo_markdown
from model_w.migrate.report.merge import (
    build_batch,
    failure_report,
    merge_files,
    name_for_report,
    read_report,
    write_batch,
)
from tests.conftest import copy_fixture, init_repo


def modelw(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "model_w.migrate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def real_reports(tmp_path_factory) -> dict[str, Path]:
    """Per-repository reports as a CI job writes them: one applied, one dry run."""
    base = tmp_path_factory.mktemp("reports")
    shop = init_repo(copy_fixture("classic", base / "shop"))
    blog = init_repo(copy_fixture("django_environ", base / "blog"))
    out = base / "out"
    out.mkdir()
    applied = modelw(
        "migrate",
        "--recipe",
        "full",
        "--yes",
        "--report",
        str(out / "modelw-report-shop.json"),
        str(shop),
        cwd=base,
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    (out / "blog").mkdir()
    preview = modelw(
        "migrate", "--dry-run", "--report", str(out / "blog" / "report.json"), str(blog), cwd=base
    )
    assert preview.returncode == 1, preview.stdout + preview.stderr  # changes pending
    return {"shop": out / "modelw-report-shop.json", "blog": out / "blog" / "report.json"}


@pytest.mark.slow
def test_repo_markdown_from_real_report(real_reports):
    report = read_report(real_reports["shop"])
    md = render_repo_markdown(report, "shop")
    assert md.startswith("# shop: ")
    assert f"{report['summary']['commits']} commit(s)" in md
    assert "## Steps" in md and "| # | step | status | files | lines | commit |" in md
    assert f"## Follow-ups ({len(report['followups'])})" in md
    for step in report["steps"]:
        if step["files"]:
            assert f"<code>{step['id']}</code>" in md
    assert "```diff\ndiff --git" in md
    assert md.count("<details>") == md.count("</details>")


@pytest.mark.slow
def test_repo_html_from_real_report(real_reports):
    report = read_report(real_reports["blog"])
    html = render_repo_html(report, "blog")
    assert html.startswith("<!doctype html>")
    assert "dry run, nothing written" in html
    assert html.count('<details class="step"') == len(report["steps"])
    assert html.count('class="followup level-') == len(report["followups"])
    assert 'id="summary"' not in html  # no batch table for one repository
    # self-contained: nothing fetched
    for needle in ('src="http', 'href="http', "<link"):
        assert needle not in html
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style
    assert "default-src 'none'" in html  # the CSP forbids any fetch


@pytest.mark.slow
def test_merge_cli_on_real_reports(real_reports, tmp_path, capsys):
    out = tmp_path / "batch"
    code = main(["report", "merge", str(out), str(real_reports["shop"]), str(real_reports["blog"])])
    assert code == 0
    assert "Merged 2 report(s)" in capsys.readouterr().out
    batch = json.loads((out / "report.json").read_text())
    assert batch["kind"] == "batch" and batch["schema_version"] == 1
    rows = {r["name"]: r for r in batch["repositories"]}
    assert set(rows) == {"shop", "blog"}
    shop = read_report(real_reports["shop"])
    assert rows["shop"]["status"] == shop["status"]
    assert rows["shop"]["commits"] == shop["summary"]["commits"] > 0
    assert rows["blog"]["status"] == "changes-pending"
    assert batch["summary"]["commits"] == shop["summary"]["commits"]
    assert batch["reports"]["shop"] == shop
    for name in ("shop", "blog"):
        for ext in ("json", "md", "html"):
            assert (out / "repos" / name / f"report.{ext}").is_file()
    md = (out / "report.md").read_text()
    assert "| shop |" in md and "| blog | changes pending |" in md
    html = (out / "report.html").read_text()
    assert html.count('class="repo-row"') == 2 and html.count('<section class="repo"') == 2


@pytest.mark.slow
def test_merge_explicit_names(real_reports, tmp_path):
    batch = merge_files([Path(f"first={real_reports['shop']}"), real_reports["shop"]])
    assert [r["name"] for r in batch["repositories"]] == ["first", "shop"]


def test_name_for_report(tmp_path):
    report = {"repository": "/home/runner/work/x/target"}
    assert name_for_report(Path("reports/modelw-report-shop.json"), report) == "shop"
    assert name_for_report(Path("reports/blog/report.json"), report) == "blog"
    assert name_for_report(Path("modelw-report-api/report.json"), report) == "api"
    assert name_for_report(Path("report.json"), report) == "target"
    assert name_for_report(Path("x/shop.json"), report) == "shop"


def test_merge_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(UserError, match="not a JSON report"):
        read_report(bad)
    other = tmp_path / "other.json"
    other.write_text('{"tool": "eslint"}')
    with pytest.raises(UserError, match="not a modelw-migrate report"):
        read_report(other)
    future = tmp_path / "future.json"
    future.write_text(json.dumps({**failure_report("x", "e"), "schema_version": 2}))
    with pytest.raises(UserError, match="schema_version 2 is not supported"):
        read_report(future)
    with pytest.raises(UserError, match="no such report"):
        read_report(tmp_path / "missing.json")
    batch_file = tmp_path / "batch.json"
    batch_file.write_text(json.dumps(build_batch([])))
    with pytest.raises(UserError, match="is a batch report"):
        read_report(batch_file)
    assert main(["report", "merge", str(tmp_path / "o"), str(bad)]) == 2


def test_failure_report_renders(tmp_path):
    report = failure_report("/repos/legacy", "settings do not parse: x.py:3: Python 2 <print>")
    batch = build_batch(
        [
            {"name": "legacy", "report": report, "duration": 1.5},
            {
                "name": "shop",
                "report": {**failure_report("/r/shop", "x"), "status": "migrated", "error": None},
            },
        ]
    )
    assert batch["summary"]["failed"] == 1
    assert batch["summary"]["by_status"] == {"failed": 1, "migrated": 1}
    md = render_batch_markdown(batch)
    assert "- **legacy**: settings do not parse" in md
    html = render_batch_html(batch)
    assert "Python 2 &lt;print&gt;" in html and "<print>" not in html  # escaped
    paths = write_batch(batch, tmp_path / "out")
    assert set(paths) == {"json", "md", "html"}
    assert (tmp_path / "out" / "repos" / "legacy" / "report.html").is_file()


def test_diff_lines_classes():
    diff = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n keep\n-old\n+new\n"
    assert [c for c, _ in diff_lines(diff)] == ["meta", "meta", "meta", "hunk", "ctx", "del", "add"]


@pytest.mark.slow
def test_report_render_cli(real_reports, tmp_path, capsys):
    target = tmp_path / "shop.json"
    target.write_text(real_reports["shop"].read_text())
    assert main(["report", "render", str(target)]) == 0
    assert (tmp_path / "shop.md").read_text().startswith("# shop: ")
    assert (tmp_path / "shop.html").is_file()
