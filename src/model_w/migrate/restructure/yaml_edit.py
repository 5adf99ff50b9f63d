"""Rewrite paths in YAML files (compose, GitHub/GitLab CI, pre-commit) by line.

PyYAML's node tree says where each scalar is (its marks); only those spans
are edited, so comments, quoting and layout stay. Which scalars are paths
depends on the key above them:

- compose: `build`, `build.context`, `build.dockerfile`, `env_file`, the host
  side of `volumes`;
- GitHub Actions: `working-directory`, `on.*.paths(-ignore)`, `run` (a
  command; when it is the project's and used to run at the root, the step
  gets `working-directory: api`), `with.*` values that are paths;
- GitLab CI: `script`/`before_script`/`after_script` items (commands),
  `changes`, `paths`;
- pre-commit: `files`/`exclude` regular expressions, `args`, `entry`.
"""

from __future__ import annotations

import posixpath
import re

import yaml

PATH_KEYS = frozenset(
    {
        "working-directory",
        "context",
        "dockerfile",
        "env_file",
        "paths",
        "paths-ignore",
        "changes",
        "path",
        "cache-dependency-path",
        "requirements",
        "requirement-files",
        "file",
        "files_glob",
    }
)
COMMAND_KEYS = frozenset(
    {"run", "script", "before_script", "after_script", "command", "entrypoint", "entry"}
)
REGEX_KEYS = frozenset({"files", "exclude"})


def _scalars(node, keys: tuple[str, ...], parent_map=None):
    """(scalar node, key path, the mapping node holding it) for every scalar."""
    if isinstance(node, yaml.ScalarNode):
        yield node, keys, parent_map
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item, keys + ("[]",), parent_map)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            yield from _scalars(value, keys + (str(name),), node)


def _mapping_has(node: yaml.MappingNode | None, key: str) -> bool:
    return node is not None and any(
        isinstance(k, yaml.ScalarNode) and k.value == key for k, _ in node.value
    )


def _regex_rewrite(text: str, rewriter) -> str:
    for src, dst in rewriter.moves.moves:
        if not src:
            continue
        pattern = re.compile(
            r"(?P<pre>^|[\^(|])" + re.escape(src).replace("/", r"\\?/") + r"(?=\\?/|\$|\)|\||\\b|$)"
        )
        text = pattern.sub(lambda m, dst=dst: m.group("pre") + dst, text)
    return text


def rewrite_yaml(rewriter, path: str, text: str, old_dir: str, new_dir: str) -> str:
    try:
        docs = list(yaml.compose_all(text))
    except yaml.YAMLError:
        return text
    name = posixpath.basename(path)
    is_github = "/.github/workflows/" in f"/{path}"
    is_gitlab = name == ".gitlab-ci.yml" or path.startswith(".gitlab/")
    is_precommit = name == ".pre-commit-config.yaml"
    is_compose = "compose" in name
    edits: list[tuple[int, int, str]] = []
    inserts: list[tuple[int, str]] = []

    for doc in docs:
        if doc is None:
            continue
        wd_default = is_github and _has_default_wd(doc)
        for node, keys, holder in _scalars(doc, ()):
            if node.tag != "tag:yaml.org,2002:str" and not isinstance(node.value, str):
                continue
            key = next((k for k in reversed(keys) if k != "[]"), "")
            raw = text[node.start_mark.index : node.end_mark.index]
            new = raw
            if is_precommit and key in REGEX_KEYS:
                new = _regex_rewrite(raw, rewriter)
            elif is_compose and key == "volumes":
                host, sep, rest = raw.partition(":")
                quote = host[:1] if host[:1] in "\"'" else ""
                h = host[len(quote) :]
                if sep and (h.startswith(".") or "/" in h):
                    if (
                        h in (".", "./")
                        and rewriter.cwd_moves
                        and not old_dir
                        and _django_service(keys, doc)
                    ):
                        nh = f"./{rewriter.new_cwd}"
                    else:
                        nh = rewriter.rebase(h, old_dir, new_dir)
                    new = quote + nh + sep + rest
            elif is_compose and key == "build" and keys[-1] == "build":
                new = rewriter.rebase(raw, old_dir, new_dir)
            elif key in PATH_KEYS:
                new = rewriter.rebase(raw, old_dir, new_dir)
            elif key in COMMAND_KEYS and not is_compose:
                if is_github and key == "run":
                    wants_wd = (
                        rewriter.cwd_moves
                        and not wd_default
                        and not _mapping_has(holder, "working-directory")
                        and not rewriter.in_project(new_dir)
                        and _is_project_command(node.value)
                    )
                    if wants_wd:
                        new = rewriter.rebase(raw, old_dir, rewriter.new_cwd, bare_ok=False)
                        inserts.append(
                            _working_directory_insert(text, node, holder, rewriter.new_cwd)
                        )
                    else:
                        new = rewriter.rebase(raw, old_dir, new_dir, bare_ok=False)
                elif is_gitlab and node.style is None and "\n" not in raw:
                    cmd = rewriter.command(raw, old_dir, new_dir)
                    new = f"({cmd})" if cmd.startswith("cd ") and cmd != raw else cmd
                else:
                    new = rewriter.rebase(raw, old_dir, new_dir, bare_ok=False)
            elif is_precommit and key == "args":
                new = rewriter.rebase(raw, old_dir, new_dir, bare_ok=False)
            if new != raw:
                edits.append((node.start_mark.index, node.end_mark.index, new))

    if not edits and not inserts:
        return text
    pieces = [(s, e, t) for s, e, t in edits] + [(i, i, t) for i, t in inserts]
    for start, end, new in sorted(pieces, key=lambda p: (p[0], p[1]), reverse=True):
        text = text[:start] + new + text[end:]
    yaml.safe_load_all(text)  # still valid YAML
    return text


def _is_project_command(cmd: str) -> bool:
    from model_w.migrate.restructure.text_refs import DJANGO_COMMAND

    return bool(DJANGO_COMMAND.search(cmd))


def _has_default_wd(doc) -> bool:
    for _node, keys, _holder in _scalars(doc, ()):
        if keys[-1:] == ("working-directory",) and "defaults" in keys:
            return True
    return False


def _django_service(keys: tuple[str, ...], doc) -> bool:
    """A compose service that runs the Django project (its command or build mentions it)."""
    if len(keys) < 2 or keys[0] != "services":
        return False
    service = keys[1]
    for node, k, _ in _scalars(doc, ()):
        if (
            len(k) > 2
            and k[0] == "services"
            and k[1] == service
            and k[2] in ("command", "entrypoint", "build")
        ):
            if _is_project_command(str(node.value)) or k[2] == "build":
                return True
    return False


def _working_directory_insert(text: str, node, holder, folder: str) -> tuple[int, str]:
    """A `working-directory:` line in the step mapping, right after the run value."""
    run_key = next(k for k, v in holder.value if v is node)
    indent = run_key.start_mark.column
    end = node.end_mark
    if end.column == 0:  # block scalar: ends at the start of the next line
        index = end.index
        prefix = ""
    else:
        line_end = text.find("\n", end.index)
        index = len(text) if line_end == -1 else line_end
        prefix = "\n"
        return index, f"{prefix}{' ' * indent}working-directory: {folder}"
    return index, f"{' ' * indent}working-directory: {folder}\n{prefix}"
