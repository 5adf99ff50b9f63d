"""Git facts for the inspection: read through gitops, the one module that talks to git."""

from __future__ import annotations

from model_w.migrate.gitops import git_facts as inspect_git

__all__ = ["inspect_git"]
