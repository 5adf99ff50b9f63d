"""The batch HTML report, opened in a real headless Chromium (Debian's `chromium`).

A real batch (a recipe over fixtures, one repository broken on purpose)
writes report.html; Chromium renders it offline, dumps the DOM after the
inline script ran, and takes a screenshot we decode with a small PNG reader.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from model_w.migrate.batch import make_specs, run_batch
from tests.conftest import copy_fixture, git, init_repo


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: run scripts/install-system-deps.sh"
    return found


# No skip: Chromium is part of the suite (scripts/install-system-deps.sh); a
# missing browser fails the test with that message.
pytestmark = [pytest.mark.slow]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=180,
    )


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit PNG, filters undone."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r) if bpp == 3 else _rgb(r) for r in rows]


def _rgb(row: bytes) -> bytes:
    return b"".join(row[i : i + 3] for i in range(0, len(row), 4))


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("html")
    repos = base / "repos"
    init_repo(copy_fixture("nuxt_front", repos / "shop"))
    init_repo(copy_fixture("django_environ", repos / "portal"))
    broken = init_repo(copy_fixture("classic", repos / "legacy"))
    settings = broken / "myproject" / "settings.py"
    settings.write_text(settings.read_text() + '\nprint "legacy"\n')
    git(broken, "commit", "-q", "-am", "Python 2")
    recipe = base / "recipe.yaml"
    recipe.write_text("name: html-check\ndescription: <b>escaped</b> recipe.\nextends: full\n")
    specs = make_specs(["shop", "portal", "legacy"], base=repos)
    result = run_batch(specs, str(recipe), base / "work", in_process=True)
    assert [o.status for o in result.outcomes][2] == "failed"
    return base / "work"


def test_batch_html_renders_in_chromium(batch_dir, tmp_path):
    report = batch_dir / "report.html"
    batch = json.loads((batch_dir / "report.json").read_text())
    url = report.resolve().as_uri()

    dom = chromium(url, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    # the inline script ran (it marks the footer), and counted what the page shows
    steps_total = sum(len(r["steps"]) for r in batch["reports"].values())
    assert 'id="js-state" data-ready="yes"' in html
    assert 'data-repos="3"' in html and f'data-steps="{steps_total}"' in html
    # the summary table: one row per repository, with its status
    assert 'id="summary"' in html and 'id="totals"' in html
    assert html.count('class="repo-row"') == 3
    for row in batch["repositories"]:
        assert f'data-name="{row["name"]}"' in html
        assert f'<span class="badge status-{row["status"]}">{row["label"]}</span>' in html
    assert html.count('<section class="repo"') == 3
    # collapsible diffs per step, follow-ups and the failure
    assert html.count('<details class="step"') == steps_total > 0
    assert html.count('<pre class="diff">') > 0 and 'class="line add"' in html
    followups = sum(len(r["followups"]) for r in batch["reports"].values())
    assert html.count('class="followup level-') == followups > 0
    assert 'class="error">Failed: settings do not parse' in html
    assert "&lt;b&gt;escaped&lt;/b&gt;" in html  # recipe text is escaped, not markup
    assert '<div class="card bad" data-key="failed"><span class="value">1</span>' in html

    shot = tmp_path / "shot.png"
    result = chromium(
        url, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,2000"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000
    width, height, rows = read_png(shot)
    assert (width, height) == (1280, 2000)
    colours = set()
    non_white = 0
    for row in rows[::10]:
        for x in range(0, len(row), 3 * 7):
            pixel = row[x : x + 3]
            colours.add(pixel)
            non_white += pixel != b"\xff\xff\xff"
    assert len(colours) > 20, "the screenshot is (almost) one colour"
    assert non_white > 1000, "hardly anything was drawn"
    # the failed badge's red (#cf222e) is on the page
    assert any(
        abs(p[0] - 0xCF) < 8 and abs(p[1] - 0x22) < 8 and abs(p[2] - 0x2E) < 8
        for row in rows
        for p in (row[i : i + 3] for i in range(0, len(row), 3))
    )


def test_repo_html_renders_in_chromium(batch_dir, tmp_path):
    page = batch_dir / "repos" / "shop" / "report.html"
    dom = chromium(page.resolve().as_uri(), tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    report = json.loads((batch_dir / "repos" / "shop" / "report.json").read_text())
    assert 'data-ready="yes"' in dom.stdout
    assert 'id="summary"' not in dom.stdout
    assert dom.stdout.count('<details class="step"') == len(report["steps"])
