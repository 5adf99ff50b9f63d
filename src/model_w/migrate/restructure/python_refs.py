"""Rewrite Python references to moved modules across a workspace.

Only files whose text mentions a moved top-level name are parsed (one
compiled regex over the text). Each is rewritten by the rename_modules
codemod: its `ast` fast path when the edits are plain spans, else the libcst
command with qualified names. Many files are spread over a process pool;
below `PARALLEL_THRESHOLD` files, or with fewer than `MIN_WORKERS` workers,
the work stays in this process, where starting workers would cost more than
it saves.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from model_w.migrate.codemods.rename_modules import ModuleMap, fast_rename

PARALLEL_THRESHOLD = 200
# Two workers pay for themselves once modules carry real code: on 2 cores and
# the benchmark's ~150,000-line tree the whole dry-run took 5.3-5.6 s against
# 6.4-7.7 s serial (bench/README.md); on tiny modules the pool cost more than
# it saved, hence the file-count threshold.
MIN_WORKERS = 2
CHUNK = 64


@dataclass(frozen=True)
class Job:
    path: str  # where the file is now
    source: str
    module: str | None  # its dotted name before the move (for relative imports)
    is_package: bool


@dataclass
class Outcome:
    path: str
    code: str | None  # None: unchanged
    followups: list[tuple[int, str, str]]  # line, message, level
    error: str | None = None


def prefilter(mm: ModuleMap) -> re.Pattern[str]:
    names = sorted(mm.tops, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def _rewrite_one(job: Job, mm: ModuleMap) -> Outcome:
    try:
        code = fast_rename(job.source, mm, module=job.module, is_package=job.is_package)
    except Exception:  # pragma: no cover - the libcst path below decides
        code = None
    followups: list[tuple[int, str, str]] = []
    if code is None:
        from model_w.migrate.codemods.rename_modules_cst import RenameModulesCommand

        from model_w.migrate.codemod_runner import run_codemod
        from model_w.migrate.errors import UserError

        try:
            result = run_codemod(
                RenameModulesCommand,
                job.source,
                path=job.path,
                mapping=mm,
                module=job.module,
                is_package=job.is_package,
            )
        except UserError as exc:
            return Outcome(job.path, None, [], str(exc))
        code = result.code
        followups = [(f.line, f.message, f.level) for f in result.followups]
    return Outcome(job.path, code if code != job.source else None, followups)


_WORKER_MAP: ModuleMap | None = None


def _init_worker(mm: ModuleMap) -> None:
    global _WORKER_MAP
    _WORKER_MAP = mm


def _run_chunk(jobs: list[Job]) -> list[Outcome]:
    assert _WORKER_MAP is not None
    return [_rewrite_one(job, _WORKER_MAP) for job in jobs]


def rewrite_all(jobs: Iterable[Job], mm: ModuleMap, workers: int | None = None) -> list[Outcome]:
    """Rewrite every job; parallel when there are many."""
    jobs = list(jobs)
    workers = workers or int(os.environ.get("MODELW_JOBS", "0")) or min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_THRESHOLD or workers < MIN_WORKERS:
        return [_rewrite_one(job, mm) for job in jobs]
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(mm,)) as pool:
        for part in pool.map(_run_chunk, chunks):
            outcomes.extend(part)
    return outcomes


def collect_jobs(
    ws, mm: ModuleMap, old_modules: dict[str, str], import_root: str, files: list[str] | None = None
) -> list[Job]:
    """Jobs for every .py file of the workspace whose text mentions a moved module."""
    from model_w.migrate.restructure.modules import module_of

    pattern = prefilter(mm)
    jobs = []
    for path in files if files is not None else ws.files():
        if not path.endswith(".py"):
            continue
        try:
            text = ws.read(path)
        except Exception:
            continue
        if not pattern.search(text):
            continue
        module = old_modules.get(path) or module_of(path, import_root)
        jobs.append(Job(path, text, module, path.endswith("__init__.py")))
    return jobs
