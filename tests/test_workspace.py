"""The overlay: steps see their own writes, nothing touches disk until flush."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from model_w.migrate.report.diff import unified_diff
from model_w.migrate.workspace import NotUtf8Error, Workspace, whitespace_only


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_writes_stay_in_memory_until_flush(tmp_path):
    make_tree(tmp_path, {"a.txt": "one\n"})
    ws = Workspace(tmp_path)
    assert ws.write("a.txt", "two\n")
    assert ws.read("a.txt") == "two\n"
    assert (tmp_path / "a.txt").read_text() == "one\n"
    changes = ws.checkpoint()
    assert [(c.path, c.kind) for c in changes] == [("a.txt", "modify")]
    ws.flush(changes)
    assert (tmp_path / "a.txt").read_text() == "two\n"


def test_whitespace_only_change_is_never_written(tmp_path):
    make_tree(tmp_path, {"a.py": "x = 1\n"})
    ws = Workspace(tmp_path)
    assert ws.write("a.py", "x  =  1\n\n") is False
    assert ws.checkpoint() == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("x = 1\n", "x  =  1\n\n"),
        ("x = 1\n", "x = 2\n"),
        ("x = 1\n", "x = 1\n"),
        ("a\x1cb\x1fc", "a b\tc"),  # separators str.split() takes for space
        ("import app\n", "import legacy.apps.app\n"),
        ("x\u00a0= 1\n", "x = 1\n"),  # not ASCII: the plain comparison decides
        ("é = 1\n", "é  =  1\n"),
        ("ab", "a b"),
    ],
)
def test_whitespace_only_agrees_with_its_definition(before, after):
    plain = before != after and "".join(before.split()) == "".join(after.split())
    assert whitespace_only(before, after) is plain


def test_move_folder_pairs_renames_and_refuses_overwrite(tmp_path):
    make_tree(
        tmp_path, {"proj/manage.py": "m\n", "proj/app/models.py": "x\n", "api/keep.txt": "k\n"}
    )
    ws = Workspace(tmp_path)
    ws.move("proj", "backend")
    assert ws.exists("backend/app/models.py") and not ws.exists("proj/manage.py")
    changes = ws.checkpoint()
    assert {(c.old_path, c.path, c.kind) for c in changes} == {
        ("proj/app/models.py", "backend/app/models.py", "rename"),
        ("proj/manage.py", "backend/manage.py", "rename"),
    }
    with pytest.raises(FileExistsError):
        ws.move("backend/manage.py", "api/keep.txt")


def test_rollback_drops_only_the_current_step(tmp_path):
    make_tree(tmp_path, {"a.txt": "1\n"})
    ws = Workspace(tmp_path)
    ws.write("a.txt", "2\n")
    ws.checkpoint()
    ws.write("a.txt", "3\n")
    ws.write("b.txt", "new\n")
    ws.rollback()
    assert ws.read("a.txt") == "2\n" and not ws.exists("b.txt")


def test_total_changes_follow_a_file_across_steps(tmp_path):
    make_tree(tmp_path, {"s/settings.py": "A = 1\n"})
    ws = Workspace(tmp_path)
    ws.write("s/settings.py", "A = 2\n")
    ws.checkpoint()
    ws.move("s", "api/s")
    step2 = ws.checkpoint()
    assert [(c.old_path, c.path) for c in step2] == [("s/settings.py", "api/s/settings.py")]
    assert step2[0].before == b"A = 2\n"
    total = ws.total_changes()
    assert [(c.old_path, c.path, c.before, c.after) for c in total] == [
        ("s/settings.py", "api/s/settings.py", b"A = 1\n", b"A = 2\n")
    ]


def test_patch_applies_with_git_apply(tmp_path):
    repo = make_tree(tmp_path, {"p/manage.py": "print(1)\n", "p/old.txt": "gone\n", "README": "r"})
    (repo / "p/manage.py").chmod(0o755)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "i"],
        cwd=repo,
        check=True,
    )
    ws = Workspace(repo)
    ws.write("p/manage.py", "print(2)\n")
    ws.delete("p/old.txt")
    ws.write("new/file.txt", "hello")
    ws.checkpoint()
    ws.move("p", "api")
    ws.write("README", "readme\n")
    ws.checkpoint()
    patch = unified_diff(ws.total_changes())
    (tmp_path.parent / "x.patch").write_text(patch)
    subprocess.run(
        ["git", "apply", "--check", str(tmp_path.parent / "x.patch")], cwd=repo, check=True
    )
    subprocess.run(["git", "apply", str(tmp_path.parent / "x.patch")], cwd=repo, check=True)
    assert (repo / "api/manage.py").read_text() == "print(2)\n"
    assert (repo / "api/manage.py").stat().st_mode & 0o111
    assert not (repo / "p").exists()
    assert (repo / "new/file.txt").read_text() == "hello"


def test_non_utf8_file_is_a_one_line_user_error(tmp_path):
    (tmp_path / "s.py").write_bytes(b"# caf\xe9\nX = 1\n")
    ws = Workspace(tmp_path)
    with pytest.raises(NotUtf8Error, match=r"s.py:1: file is not UTF-8"):
        ws.read("s.py")


def test_env_files_are_local(tmp_path):
    ws = Workspace(tmp_path)
    ws.write("api/.env", "SECRET_KEY=x\n")
    (change,) = ws.checkpoint()
    assert change.local


def test_move_many_equals_one_move_after_another(tmp_path):
    files = {
        "proj/settings.py": "A = 1\n",
        "proj/urls.py": "u = 1\n",
        "blog/__init__.py": "",
        "blog/models.py": "m = 1\n",
        "blog/sub/x.py": "x = 1\n",
        "blogger/y.py": "y = 1\n",
    }
    moves = [("blog", "pkg/apps/blog"), ("proj/settings.py", "pkg/django/settings.py")]
    one = Workspace(make_tree(tmp_path / "one", files))
    many = Workspace(make_tree(tmp_path / "many", files))
    one.write("blog/models.py", "m = 2\n")
    many.write("blog/models.py", "m = 2\n")
    pairs = [p for src, dst in moves for p in one.move(src, dst)]
    assert many.move_many(moves) == pairs
    assert one.files() == many.files()
    assert "blogger/y.py" in many.files() and many.is_dir("blogger")
    assert not many.is_dir("blog") and many.is_dir("pkg/apps")
    assert many.files("pkg/apps/blog") == [
        "pkg/apps/blog/__init__.py",
        "pkg/apps/blog/models.py",
        "pkg/apps/blog/sub/x.py",
    ]
    assert many.read("pkg/apps/blog/models.py") == "m = 2\n"
    describe = lambda ws: [(c.path, c.old_path, c.before, c.after) for c in ws.checkpoint()]  # noqa: E731
    assert describe(one) == describe(many)


def test_move_many_refuses_a_clash_and_a_missing_source(tmp_path):
    ws = Workspace(make_tree(tmp_path, {"a/x.py": "", "b/x.py": ""}))
    with pytest.raises(FileExistsError):
        ws.move_many([("a", "b")])
    with pytest.raises(FileNotFoundError):
        ws.move_many([("nope", "b")])
    assert ws.files() == ["a/x.py", "b/x.py"]


def test_rollback_restores_the_file_index(tmp_path):
    ws = Workspace(make_tree(tmp_path, {"a/x.py": "", "c.txt": ""}))
    ws.move("a", "b")
    ws.write("new.txt", "n\n")
    ws.rollback()
    assert ws.files() == ["a/x.py", "c.txt"]
    assert ws.is_dir("a") and not ws.is_dir("b")


def test_disk_reads_are_cached_until_the_file_changes(tmp_path, monkeypatch):
    make_tree(tmp_path, {"a.txt": "one\n"})
    ws = Workspace(tmp_path)
    assert ws.read("a.txt") == "one\n"
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    assert ws.read("a.txt") == "one\n"
    assert opened == []
    monkeypatch.undo()
    (tmp_path / "a.txt").write_text("changed, longer\n")
    assert ws.read("a.txt") == "changed, longer\n"


def test_pending_changes_follow_every_edit(tmp_path):
    ws = Workspace(make_tree(tmp_path, {"a.txt": "one\n"}))
    assert ws.pending_changes() == []
    ws.write("a.txt", "two\n")
    assert [c.after for c in ws.pending_changes()] == [b"two\n"]
    ws.write("a.txt", "three\n")
    assert [c.after for c in ws.pending_changes()] == [b"three\n"]
    ws.delete("a.txt")
    assert [c.kind for c in ws.pending_changes()] == ["delete"]


def test_path_normalisation_fast_path_agrees_with_pathlib():
    import itertools
    from pathlib import Path, PurePosixPath

    from model_w.migrate.workspace import _norm_text

    def by_pathlib(path: str) -> str:
        text = PurePosixPath(Path(path).as_posix()).as_posix()
        if text in ("", "."):
            return ""
        if text.startswith("/") or text.startswith("../") or "/../" in text:
            return "escapes"
        return text[2:] if text.startswith("./") else text

    def normalised(path: str) -> str:
        try:
            return _norm_text(path)
        except ValueError:
            return "escapes"

    parts = ["a", "b.py", ".", "..", "", "x y", ".env", "a\\b"]
    for count in (1, 2, 3):
        for combo in itertools.product(parts, repeat=count):
            for lead, trail in itertools.product(("", "/", "./"), ("", "/")):
                path = lead + "/".join(combo) + trail
                assert normalised(path) == by_pathlib(path), path
