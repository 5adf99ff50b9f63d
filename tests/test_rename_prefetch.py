"""Rewrites computed ahead in a background process (RenamePrefetch).

A prefetched result is only taken when every input of the rewrite is the
same; these tests change one input at a time and check the result is the one
a fresh rewrite gives, and that the prefetch really answered the rest.
"""

from __future__ import annotations

import importlib.util
from concurrent.futures import wait
from pathlib import Path

import pytest
from model_w.migrate.codemods.rename_modules import ModuleMap

from model_w.migrate import migration
from model_w.migrate.answers import Answers
from model_w.migrate.engine import PreviewSink, run_plan
from model_w.migrate.facts import Facts
from model_w.migrate.plan import Plan, PlanEntry
from model_w.migrate.restructure import python_refs
from model_w.migrate.restructure.python_refs import Job, RenamePrefetch, rewrite_all
from model_w.migrate.steps import Step
from model_w.migrate.workspace import Workspace

MAPPING = {"blog": "shop.apps.blog", "mysite": "shop.django"}
KNOWN = {"blog", "blog.models", "blog.views", "mysite", "mysite.settings"}
# "blog.views.index" is a module path only while blog.views is a known module
SENSITIVE = 'URL_VIEW = "blog.views.index"\n'


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(python_refs, "PARALLEL_THRESHOLD", 4)
    monkeypatch.setenv("MODELW_JOBS", "2")


@pytest.fixture
def rewrites_here(monkeypatch) -> list[str]:
    """Paths rewritten in this process (the background worker's are not seen)."""
    seen: list[str] = []
    original = python_refs._rewrite_one

    def counting(job, mm):  # noqa: ANN001, ANN202
        seen.append(job.path)
        return original(job, mm)

    monkeypatch.setattr(python_refs, "_rewrite_one", counting)
    return seen


def make_jobs(root: Path, count: int) -> list[Job]:
    """Files on disk under `root` (the prefetch reads them there) and their jobs."""
    jobs = [
        Job(
            f"blog/mod{i}.py",
            f"from blog.models import Post\nfrom mysite import settings\nX{i} = 1\n",
            f"blog.mod{i}",
            False,
        )
        for i in range(count)
    ]
    jobs.append(Job("blog/urls.py", SENSITIVE, "blog.urls", False))
    jobs.append(Job("blog/__init__.py", "from blog import models\n", "blog", True))
    jobs.append(
        Job("blog/crlf.py", "from blog.models import Post\r\nX = 1\r\n", "blog.crlf", False)
    )
    for job in jobs:
        (root / job.path).parent.mkdir(parents=True, exist_ok=True)
        (root / job.path).write_bytes(job.source.encode())
    (root / "README.md").write_text("blog\n")
    (root / "blog" / "plain.py").write_text("X = 1\n")  # mentions no moved module
    return jobs


def finished(prefetch: RenamePrefetch | None) -> RenamePrefetch:
    assert prefetch is not None
    wait(prefetch.futures)
    return prefetch


def start(root: Path, mm: ModuleMap) -> RenamePrefetch | None:
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return RenamePrefetch.start(str(root), files, "", mm)


def test_prefetched_results_are_taken_when_the_inputs_match(
    tmp_path, small_threshold, rewrites_here
):
    jobs = make_jobs(tmp_path, 150)
    mm = ModuleMap(MAPPING, KNOWN)
    prefetch = finished(start(tmp_path, mm))
    rewrites_here.clear()
    # the step sees the files at their new place: the path is not an input
    moved = [Job("api/" + j.path, j.source, j.module, j.is_package) for j in jobs]
    outcomes = rewrite_all(moved, mm, prefetch=prefetch)
    assert rewrites_here == []
    assert [o.path for o in outcomes] == [j.path for j in moved]
    assert outcomes[3].code == (
        "from shop.apps.blog.models import Post\nfrom shop.django import settings\nX3 = 1\n"
    )
    assert outcomes[-3].code == 'URL_VIEW = "shop.apps.blog.views.index"\n'
    assert outcomes[-2].code == "from shop.apps.blog import models\n"
    # the worker reads the very text the workspace reads, CRLF line endings included
    assert outcomes[-1].code == "from shop.apps.blog.models import Post\r\nX = 1\r\n"


def test_a_changed_input_is_rewritten_again(tmp_path, small_threshold, rewrites_here):
    jobs = make_jobs(tmp_path, 150)
    prefetch = finished(start(tmp_path, ModuleMap(MAPPING, KNOWN)))
    rewrites_here.clear()
    # blog.views is gone by the time the step runs, and one file was edited meanwhile
    mm = ModuleMap(MAPPING, KNOWN - {"blog.views"})
    jobs[7] = Job(jobs[7].path, "import blog.models\n", jobs[7].module, False)
    outcomes = rewrite_all(jobs, mm, prefetch=prefetch)
    assert sorted(rewrites_here) == ["blog/mod7.py", "blog/urls.py"]
    assert outcomes == [python_refs._rewrite_one(job, mm) for job in jobs]
    assert outcomes[-3].code is None  # no longer a module path: left as it is
    assert outcomes[7].code == "import shop.apps.blog.models\n"


def test_another_rename_map_takes_nothing(tmp_path, small_threshold, rewrites_here):
    jobs = make_jobs(tmp_path, 150)
    prefetch = finished(start(tmp_path, ModuleMap(MAPPING, KNOWN)))
    rewrites_here.clear()
    mm = ModuleMap({"blog": "shop.apps.news", "mysite": "shop.django"}, KNOWN)
    outcomes = rewrite_all(jobs, mm, workers=1, prefetch=prefetch)
    assert len(rewrites_here) == len(jobs)
    assert outcomes[0].code.startswith("from shop.apps.news.models import Post")


def test_work_not_started_is_shared_by_the_caller(tmp_path, small_threshold, rewrites_here):
    jobs = make_jobs(tmp_path, 600)  # ten chunks: the worker cannot have started them all
    mm = ModuleMap(MAPPING, KNOWN)
    prefetch = start(tmp_path, mm)
    outcomes = rewrite_all(jobs, mm, workers=1, prefetch=prefetch)
    assert 0 < len(rewrites_here) < len(jobs)
    assert outcomes == [python_refs._rewrite_one(job, mm) for job in jobs]


def test_few_files_start_no_background_process(tmp_path, monkeypatch):
    make_jobs(tmp_path, 20)
    monkeypatch.setenv("MODELW_JOBS", "2")
    assert start(tmp_path, ModuleMap(MAPPING, KNOWN)) is None
    monkeypatch.setattr(python_refs, "PARALLEL_THRESHOLD", 4)
    monkeypatch.setenv("MODELW_JOBS", "1")  # one core: nothing runs beside the steps
    assert start(tmp_path, ModuleMap(MAPPING, KNOWN)) is None


def test_no_background_process_beside_another_thread(tmp_path, small_threshold):
    import threading

    make_jobs(tmp_path, 20)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert start(tmp_path, ModuleMap(MAPPING, KNOWN)) is None
    finally:
        release.set()
        other.join()
    prefetch = start(tmp_path, ModuleMap(MAPPING, KNOWN))
    assert prefetch is not None
    prefetch.close()


class Broken(Step):
    id, title, why, order = "broken", "Broken warm-up", "why", 1

    def warm_up(self, ctx):
        raise RuntimeError("no background work today")

    def run(self, ctx):
        ctx.workspace.write("done.txt", "ran\n")


class Closing(Step):
    id, title, why, order = "closing", "Warm-up", "why", 2
    closed: list[str] = []

    def warm_up(self, ctx):
        step = self

        class Handle:
            def close(self) -> None:
                step.closed.append("closed")

        return Handle()

    def run(self, ctx):
        assert ctx.warm is not None
        raise RuntimeError("a bug in the step")


def test_warm_ups_never_break_a_run_and_are_always_closed(tmp_path):
    ws = Workspace(tmp_path)
    plan = Plan([PlanEntry(Broken(), "planned"), PlanEntry(Closing(), "planned")])
    outcome = run_plan(plan, ws, Facts(root=str(tmp_path)), Answers(), PreviewSink())
    assert outcome.changesets[0].status == "pending"
    assert outcome.failed is not None and "a bug in the step" in outcome.failed.error
    assert Closing.closed == ["closed"]


def _bench():
    path = Path(__file__).parent.parent / "bench" / "bench_package_layout.py"
    spec = importlib.util.spec_from_file_location("bench_package_layout", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_a_dry_run_with_the_prefetch_equals_one_without(tmp_path, monkeypatch):
    bench = _bench()
    patches = {}
    for jobs in ("1", "2"):  # one core: no prefetch; two: the rename is prefetched
        repo = tmp_path / f"cores{jobs}" / "shopsite"
        bench.generate(repo, apps=8, modules=9, functions=1)
        bench.git_init(repo)
        monkeypatch.setattr(python_refs, "PARALLEL_THRESHOLD", 20)
        monkeypatch.setenv("MODELW_JOBS", jobs)
        started = []
        original = RenamePrefetch.start.__func__

        def spy(cls, *args, started=started, original=original):  # noqa: ANN001, ANN002, ANN202
            handle = original(cls, *args)
            started.append(handle)
            return handle

        monkeypatch.setattr(RenamePrefetch, "start", classmethod(spy))
        session = migration.open_session(repo)
        result = migration.dry_run(session, migration.default_answers(session))
        assert (started[0] is not None) == (jobs == "2")
        patches[jobs] = {
            c.path: (c.old_path, c.after) for c in result.total_changes if c.path.endswith(".py")
        }
    assert patches["1"] == patches["2"]
    assert any(b"legacyproj.apps.app001" in (text or b"") for _, text in patches["2"].values())
