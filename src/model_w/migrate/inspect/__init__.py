"""Inspection: the Facts of a repository, found by reading files only.

Entry points (a contract other parts call):
- `inspect_workspace(ws, git, project_dir=None) -> Facts`
- `inspect_git(path) -> GitFacts`
- `inspect_path(path, project_dir=None) -> Facts`
"""

from model_w.migrate.inspect.git_facts import inspect_git
from model_w.migrate.inspect.inspector import inspect_path, inspect_workspace

__all__ = ["inspect_git", "inspect_path", "inspect_workspace"]
