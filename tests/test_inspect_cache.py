"""Re-inspection of a workspace: cached results never hide a change."""

from __future__ import annotations

from model_w.migrate.inspect import inspect_git, inspect_workspace
from model_w.migrate.workspace import Workspace


def test_reinspection_reuses_facts_until_a_read_file_changes(make_repo):
    repo = make_repo("classic")
    ws = Workspace(repo)
    git = inspect_git(repo)
    first = inspect_workspace(ws, git)
    again = inspect_workspace(ws, git)
    assert again == first and again is not first
    again.django.project_apps.clear()  # callers may change their copy
    assert inspect_workspace(ws, git).django.project_apps == first.django.project_apps

    settings = next(m.path for m in first.django.settings)
    ws.write(settings, ws.read(settings) + '\nROOT_URLCONF = "elsewhere.urls"\n')
    changed = inspect_workspace(ws, git)
    assert changed.django.root_urlconf == "elsewhere.urls"

    ws.write("Procfile", "web: gunicorn x.wsgi\n")  # a new file: the file list changed
    assert "Procfile" not in first.infra.procfiles
    assert inspect_workspace(ws, git).infra.procfiles == ["Procfile"]


def test_moved_files_are_inspected_at_their_new_place(make_repo):
    repo = make_repo("classic")
    ws = Workspace(repo)
    git = inspect_git(repo)
    before = inspect_workspace(ws, git)
    ws.move_many([(p, f"api/{p}") for p in sorted({f.split("/")[0] for f in ws.files()})])
    after = inspect_workspace(ws, git)
    assert after.django.manage_py == f"api/{before.django.manage_py}"
    assert inspect_workspace(Workspace(repo), git) == before
