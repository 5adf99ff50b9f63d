"""Edit string values of a JSON file (package.json) keeping its layout.

The file is parsed with `json` to know where the strings are; the new text
is the old one with only those string tokens replaced, so indentation, key
order and the final newline stay exactly as they were.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def map_json_strings(text: str, change: Callable[[str], str], scripts_only: bool = False) -> str:
    """Apply `change` to string values (only under "scripts" when asked)."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if scripts_only and not isinstance(data, dict):
        return text
    out: list[str] = []
    pos = 0
    depth_keys: list[str | None] = []
    last_key: str | None = None
    expecting_value = False
    i = 0
    # a small scanner: tracks the key path to know whether a string is a value under "scripts"
    while i < len(text):
        ch = text[i]
        if ch == '"':
            m = _STRING.match(text, i)
            if not m:
                return text
            token = m.group(0)
            value = json.loads(token)
            j = m.end()
            k = j
            while k < len(text) and text[k] in " \t\r\n":
                k += 1
            is_key = k < len(text) and text[k] == ":" and not expecting_value
            if is_key:
                last_key = value
            else:
                inside = depth_keys[1:2] == ["scripts"] if scripts_only else True
                if inside:
                    new = change(value)
                    if new != value:
                        out.append(text[pos:i])
                        out.append(json.dumps(new, ensure_ascii=False))
                        pos = j
            expecting_value = False
            i = j
            continue
        if ch == ":":
            expecting_value = True
        elif ch in "{[":
            depth_keys.append(last_key if ch == "{" else last_key)
            expecting_value = False
            last_key = None if ch == "{" else last_key
        elif ch in "}]":
            if depth_keys:
                depth_keys.pop()
            expecting_value = False
        elif ch == ",":
            expecting_value = False
        i += 1
    out.append(text[pos:])
    new_text = "".join(out)
    json.loads(new_text)
    return new_text
