"""Secrets written literally in settings (SECRET_KEY, API keys, passwords).

Only names that look secret and string values long enough to be real are
reported; empty strings and obvious placeholders are not.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from model_w.migrate.facts import SettingsModule
from model_w.migrate.inspect.env_reads import _top_statements
from model_w.migrate.inspect.source import RepoView, str_const

SECRET_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|_DSN$|ACCESS_KEY)", re.IGNORECASE
)
NOT_SECRET = re.compile(
    r"(_FILE|_PATH|_URL_NAME|_FIELD|_HEADER|_NAME|_VALIDATORS|_HASHERS|_AGE)$", re.IGNORECASE
)
PLACEHOLDER = re.compile(
    r"^(change[-_ ]?me|replace[-_ ]?me|xxx+|todo|secret|password|dummy|test)$", re.IGNORECASE
)


@dataclass
class HardcodedSecret:
    name: str
    path: str
    line: int


def find_hardcoded_secrets(view: RepoView, modules: list[SettingsModule]) -> list[HardcodedSecret]:
    found: list[HardcodedSecret] = []
    for module in modules:
        tree = view.parsed(module.path) if not module.parse_error else None
        if tree is None:
            continue
        for stmt, leaf in _top_statements(tree.body):
            if not leaf or not isinstance(stmt, ast.Assign):
                continue
            value = str_const(stmt.value)
            if value is None or len(value) < 8 or PLACEHOLDER.match(value):
                continue
            for target in stmt.targets:
                if (
                    isinstance(target, ast.Name)
                    and SECRET_NAME.search(target.id)
                    and not NOT_SECRET.search(target.id)
                ):
                    found.append(HardcodedSecret(target.id, module.path, stmt.lineno))
    return found
