"""Front-ends: every package.json, classified.

- "ui": it depends on a UI framework (Nuxt 2/3, Vue, React, Svelte,
  SvelteKit, Angular);
- "asset-pipeline": no UI framework but a bundler (webpack, vite, gulp,
  vue-cli, parcel, rollup) whose build feeds Django's static files;
- "tooling": neither (eslint, prettier, stylelint only).
The output folder is read from the bundler config (vite `outDir`,
webpack `output.path`, vue-cli `outputDir`, gulp `dest`), relative to the
package.json folder, reported repository-relative.
"""

from __future__ import annotations

import json
import posixpath
import re

from model_w.migrate.facts import Frontend
from model_w.migrate.inspect.source import RepoView, dirname, join, normalize

BUNDLERS = (
    ("@vue/cli-service", "vue-cli"),
    ("vite", "vite"),
    ("webpack", "webpack"),
    ("gulp", "gulp"),
    ("parcel", "parcel"),
    ("parcel-bundler", "parcel"),
    ("rollup", "rollup"),
    ("esbuild", "esbuild"),
    ("laravel-mix", "webpack"),
)
CONFIG_FILES = {
    "vite": (
        "vite.config.js",
        "vite.config.ts",
        "vite.config.mjs",
        "vite.config.cjs",
        "vite.config.mts",
    ),
    "webpack": (
        "webpack.config.js",
        "webpack.config.cjs",
        "webpack.config.ts",
        "webpack.prod.js",
        "webpack.common.js",
    ),
    "vue-cli": ("vue.config.js",),
    "gulp": ("gulpfile.js", "gulpfile.babel.js", "gulpfile.mjs", "gulpfile.ts"),
    "rollup": ("rollup.config.js", "rollup.config.mjs"),
    "parcel": (),
    "esbuild": ("esbuild.config.js", "build.js"),
}
_OUT_PATTERNS = (
    re.compile(r"""\boutDir\s*:\s*["'`]([^"'`]+)["'`]"""),
    re.compile(r"""\boutputDir\s*:\s*["'`]([^"'`]+)["'`]"""),
    re.compile(
        r"""\bpath\s*:\s*path\.(?:resolve|join)\(\s*__dirname\s*,\s*((?:["'`][^"'`]+["'`]\s*,?\s*)+)\)"""
    ),
    re.compile(r"""\bpath\s*:\s*["'`]([^"'`]+)["'`]"""),
    re.compile(r"""\.dest\(\s*["'`]([^"'`]+)["'`]"""),
    re.compile(r"""\boutdir\s*:\s*["'`]([^"'`]+)["'`]"""),
    re.compile(r"""\bfile\s*:\s*["'`]([^"'`]+)/[^/"'`]+["'`]"""),
)


def _major(version: str) -> int | None:
    match = re.search(r"(\d+)", version or "")
    return int(match.group(1)) if match else None


def framework_of(deps: dict[str, str]) -> str | None:
    if "nuxt" in deps or "nuxt3" in deps or "nuxt-edge" in deps:
        if "nuxt3" in deps:
            return "nuxt3"
        major = _major(deps.get("nuxt", ""))
        return "nuxt2" if major is not None and major < 3 else "nuxt3"
    if "@sveltejs/kit" in deps:
        return "sveltekit"
    if "@angular/core" in deps:
        return "angular"
    if "react" in deps or "next" in deps:
        return "react"
    if "svelte" in deps:
        return "svelte"
    if "vue" in deps or "@vue/cli-service" in deps:
        return "vue"
    return None


def bundler_of(deps: dict[str, str]) -> str | None:
    for package, name in BUNDLERS:
        if package in deps:
            return name
    return None


def _output_folder(view: RepoView, folder: str, bundler: str | None) -> str | None:
    names = CONFIG_FILES.get(bundler or "", ())
    for name in names:
        path = join(folder, name)
        if not view.exists(path):
            continue
        text = view.text_or_none(path) or ""
        text = re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE)
        for pattern in _OUT_PATTERNS:
            match = pattern.search(text)
            if not match:
                continue
            raw = match.group(1)
            if "," in raw or raw.count('"') + raw.count("'") > 2:
                parts = re.findall(r"""["'`]([^"'`]+)["'`]""", raw)
                raw = posixpath.join(*parts) if parts else raw
            raw = raw.strip().strip("\"'`")
            target = normalize(join(folder, raw)) if not raw.startswith("/") else None
            if target is not None:
                return target.rstrip("/")
    return None


def inspect_frontends(view: RepoView) -> list[Frontend]:
    result: list[Frontend] = []
    for path in view.named("package.json"):
        text = view.text_or_none(path)
        try:
            data = json.loads(text or "")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        deps: dict[str, str] = {}
        for key in ("dependencies", "devDependencies", "peerDependencies"):
            section = data.get(key)
            if isinstance(section, dict):
                deps.update({k: str(v) for k, v in section.items()})
        folder = dirname(path)
        if (
            not deps
            and not data.get("scripts")
            and set(data) <= {"type", "name", "private", "version"}
        ):
            continue  # a marker such as {"type": "module"}, not a project
        framework = framework_of(deps)
        bundler = bundler_of(deps)
        outputs = _output_folder(view, folder, bundler)
        if framework:
            kind = "ui"
        elif bundler:
            kind = "asset-pipeline"
        else:
            kind = "tooling"
        result.append(
            Frontend(
                path=folder, kind=kind, framework=framework, bundler=bundler, outputs_into=outputs
            )
        )
    return sorted(result, key=lambda f: f.path)
