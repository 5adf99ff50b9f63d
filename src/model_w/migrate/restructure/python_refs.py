"""Rewrite Python references to moved modules across a workspace.

Only files whose text mentions a moved top-level name are parsed (one
compiled regex over the text). Each is rewritten by the rename_modules
codemod: its `ast` fast path when the edits are plain spans, else the libcst
command with qualified names. Many files are spread over a process pool;
below `PARALLEL_THRESHOLD` files, or with fewer than `MIN_WORKERS` workers,
the work stays in this process, where starting workers would cost more than
it saves.

`RenamePrefetch` does the same work ahead of time: started before the first
step, from the repository as it is then, it rewrites in one background
process while the earlier steps run here. A job takes a prefetched result
only when every input of the rewrite is identical (source, old module name,
package flag, the rename map, and each "is this a known module?" answer the
rewrite asked for); anything else is rewritten again. The rewrite is a pure
function of those inputs, so the result is the same either way.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace

from model_w.migrate.codemods.rename_modules import (
    ModuleMap,
    fast_rename,
    word_starts,
    words_regex,
)

PARALLEL_THRESHOLD = 200
# Two workers pay for themselves once modules carry real code: on 2 cores and
# the benchmark's ~150,000-line tree the whole dry-run took 5.3-5.6 s against
# 6.4-7.7 s serial (bench/README.md); on tiny modules the pool cost more than
# it saved, hence the file-count threshold.
MIN_WORKERS = 2
CHUNK = 64
# Smaller for the prefetch: the pool hands the worker up to three chunks ahead,
# which the step's process can no longer take back when it comes to share.
PREFETCH_CHUNK = 16


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


def prefilter(mm: ModuleMap) -> Callable[[str], bool]:
    """Cheap text test: does this source mention a moved top-level name as a word?"""
    pattern = words_regex(mm.tops)
    return lambda text: next(word_starts(pattern, text), None) is not None


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


def _workers() -> int:
    return int(os.environ.get("MODELW_JOBS", "0")) or min(os.cpu_count() or 1, 8)


def _pool(workers: int, initializer, *initargs: object) -> ProcessPoolExecutor:  # noqa: ANN001
    """Workers forked where fork is safe (Linux, one thread): they start without
    importing anything again."""
    context = None
    if sys.platform == "linux" and threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs
    )


def rewrite_all(
    jobs: Iterable[Job],
    mm: ModuleMap,
    workers: int | None = None,
    prefetch: RenamePrefetch | None = None,
) -> list[Outcome]:
    """Rewrite every job, in job order; parallel when there are many.

    prefetch: rewrites started ahead (`RenamePrefetch`); this process shares
    the work it has not done yet, and rewrites what it cannot answer.
    """
    jobs = list(jobs)
    outcomes = prefetch.share(jobs, mm) if prefetch is not None else {}
    todo = [index for index in range(len(jobs)) if index not in outcomes]
    outcomes.update(zip(todo, _rewrite_many([jobs[i] for i in todo], mm, workers), strict=True))
    return [outcomes[index] for index in range(len(jobs))]


def _rewrite_many(jobs: list[Job], mm: ModuleMap, workers: int | None) -> list[Outcome]:
    workers = workers or _workers()
    if len(jobs) < PARALLEL_THRESHOLD or workers < MIN_WORKERS:
        return [_rewrite_one(job, mm) for job in jobs]
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    outcomes: list[Outcome] = []
    with _pool(workers, _init_worker, mm) as pool:
        for part in pool.map(_run_chunk, chunks):
            outcomes.extend(part)
    return outcomes


# -- rewriting ahead of time ------------------------------------------------------
class _RecordedKnown(frozenset):
    """The known-module set of a background rewrite: remembers each question asked."""

    asked: list[tuple[str, bool]]

    def __contains__(self, name: object) -> bool:
        answer = super().__contains__(name)
        self.asked.append((name, answer))  # type: ignore[arg-type]
        return answer


_WORKER_ROOT = ""


def _init_prefetch_worker(mm: ModuleMap, root: str) -> None:
    global _WORKER_ROOT
    # Ctrl-C is the parent's to handle: a worker must not print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if mm.known is not None:
        recorded = _RecordedKnown(mm.known)
        recorded.asked = []
        mm.known = recorded
    _WORKER_ROOT = root
    _init_worker(mm)


Module = tuple[str, bool]  # old dotted name, is a package
Answer = tuple[bytes, Outcome, tuple[tuple[str, bool], ...]]  # source digest, outcome, answers


def _digest(source: str) -> bytes:
    return hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _run_prefetch_chunk(files: list[tuple[str, str, bool]]) -> dict[Module, Answer]:
    """Read, filter and rewrite these files (path, module, is a package) as they are on disk."""
    mm = _WORKER_MAP
    assert mm is not None
    mentions_moved = prefilter(mm)
    known = mm.known
    answers: dict[Module, Answer] = {}
    for path, module, is_package in files:
        try:
            # newline="": the very text the workspace reads, line endings included
            with open(os.path.join(_WORKER_ROOT, path), encoding="utf-8", newline="") as handle:
                source = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        if not mentions_moved(source):
            continue
        if isinstance(known, _RecordedKnown):
            known.asked = []
        outcome = _rewrite_one(Job(path, source, module, is_package), mm)
        asked = tuple(dict.fromkeys(known.asked)) if isinstance(known, _RecordedKnown) else ()
        answers[(module, is_package)] = (_digest(source), outcome, asked)
    return answers


class RenamePrefetch:
    """Rewrites started early in a background process, taken later when their inputs match.

    One worker, which reads the files itself: the process that started it
    goes on with other steps on the other core, and shares what is left of
    the work when the step needs it (`share`).
    """

    def __init__(
        self, files: list[tuple[str, str, bool]], mm: ModuleMap, pool: ProcessPoolExecutor
    ) -> None:
        self.mapping = dict(mm.mapping)
        self.has_known = mm.known is not None
        self.pool = pool
        self.chunk_of: dict[Module, int] = {}
        self.futures: list[Future[dict[Module, Answer]]] = []
        for start in range(0, len(files), PREFETCH_CHUNK):
            chunk = files[start : start + PREFETCH_CHUNK]
            for _, module, is_package in chunk:
                self.chunk_of[(module, is_package)] = len(self.futures)
            self.futures.append(pool.submit(_run_prefetch_chunk, chunk))

    @classmethod
    def start(
        cls, root: str, files: list[str], import_root: str, mm: ModuleMap
    ) -> RenamePrefetch | None:
        """A prefetch for these work-tree files as they are on disk under `root`,
        or None when a worker would not pay for itself."""
        from model_w.migrate.restructure.modules import module_of

        candidates = []
        for path in files:
            module = module_of(path, import_root) if path.endswith(".py") else None
            if module is not None:
                candidates.append((path, module, path.endswith("__init__.py")))
        if not mm or len(candidates) < PARALLEL_THRESHOLD or _workers() < MIN_WORKERS:
            return None
        if threading.active_count() > 1:
            return None  # forking beside other threads is not safe: rewrite when needed
        try:
            pool = _pool(1, _init_prefetch_worker, mm, root)
        except (OSError, ValueError):  # no process support here: rewrite when needed
            return None
        return cls(candidates, mm, pool)

    def share(self, jobs: list[Job], mm: ModuleMap) -> dict[int, Outcome]:
        """Outcomes (by job index) of the jobs done ahead whose every input matched.

        While the worker goes on from the first chunk, this process takes
        the chunks it has not started, from the last one back; then it waits
        for the worker's results and stops it. Jobs left out are the
        caller's to rewrite.
        """
        done: dict[int, Outcome] = {}
        try:
            if mm.mapping != self.mapping or (mm.known is not None) != self.has_known:
                return done
            by_chunk: dict[int, list[int]] = {}
            for index, job in enumerate(jobs):
                chunk = self.chunk_of.get((job.module, job.is_package)) if job.module else None
                if chunk is not None:
                    by_chunk.setdefault(chunk, []).append(index)
            for chunk, future in enumerate(self.futures):
                if chunk not in by_chunk:
                    future.cancel()  # files no job needs any more
            waiting = sorted(by_chunk)
            while waiting and self.futures[waiting[-1]].cancel():
                for index in by_chunk[waiting.pop()]:
                    done[index] = _rewrite_one(jobs[index], mm)
            for chunk in waiting:
                try:
                    answers = self.futures[chunk].result()
                except Exception:  # a broken worker: the caller rewrites these jobs
                    continue
                for index in by_chunk[chunk]:
                    job = jobs[index]
                    answer = answers.get((job.module, job.is_package))  # type: ignore[arg-type]
                    if answer is None:
                        continue
                    digest, outcome, asked = answer
                    if outcome.error is not None or digest != _digest(job.source):
                        continue  # an error names the file: the caller says it
                    if any((name in mm.known) != yes for name, yes in asked):  # type: ignore[operator]
                        continue
                    done[index] = replace(outcome, path=job.path)
            return done
        finally:
            self.close()

    def close(self) -> None:
        """Stop the background process; unfinished work is dropped."""
        self.pool.shutdown(wait=False, cancel_futures=True)


def collect_jobs(
    ws, mm: ModuleMap, old_modules: dict[str, str], import_root: str, files: list[str] | None = None
) -> list[Job]:
    """Jobs for every .py file of the workspace whose text mentions a moved module."""
    from model_w.migrate.restructure.modules import module_of

    mentions_moved = prefilter(mm)
    jobs = []
    for path in files if files is not None else ws.files():
        if not path.endswith(".py"):
            continue
        try:
            text = ws.read(path)
        except Exception:
            continue
        if not mentions_moved(text):
            continue
        module = old_modules.get(path) or module_of(path, import_root)
        jobs.append(Job(path, text, module, path.endswith("__init__.py")))
    return jobs
