"""The front-end to `front/` (model-w.md 1, 1.3 and 6).

A Model W repository has one `front/` component beside `api/`, served by its
own Node server; the load balancer sends it every path outside `/back`.

- The UI chosen by `answers.frontends` (`{package.json folder: "front"}`)
  moves to `front/`; the others (`"keep"`) stay where they are, reported.
- A root asset pipeline that builds Django static files is not a front-end:
  with `answers.asset_pipeline == "api"` (the default) it stays with the api
  and is only reported (where its output goes, how the api image gets it);
  with `"front"` it moves like a UI.
- Relative paths that leave the moved folder (`"../backend/static"`) are
  recomputed when the folder depth changes, so scripts and configs still
  point at the same files.
- A Nuxt 3 front whose `nuxt.config` is a plain
  `export default defineNuxtConfig({...})` gets the Model W wiring of
  `@model-w/preset-nuxt3` (`envManager` + `defineModelWConfig`, wrapped
  around the untouched original object), its dependencies in package.json,
  and `front/.env-template`. Anything else (Nuxt 2, Vue, React, Svelte,
  Angular, a complex nuxt.config) gets follow-ups that say what Model W
  expects: `/back` proxied to the API in development, the API URL from env
  vars, a Node server that `modelw-docker serve` can start.
- Dev proxies to Django and build outputs into Django static inside the
  front are reported with file and line; npm is never run.
"""

from __future__ import annotations

import json
import posixpath
import re

from model_w.migrate.answers import Answers
from model_w.migrate.facts import Facts, Frontend
from model_w.migrate.steps import Step, StepContext, register

FRONT = "front"
CONFIG_NAMES = re.compile(
    r"^(vite|vue|webpack|nuxt|svelte|next|rollup|gulpfile|astro|quasar)\.config\.(js|cjs|mjs|ts)$|^angular\.json$|^package\.json$|^gulpfile\.js$"
)
TEXT_EXTENSIONS = (".js", ".cjs", ".mjs", ".ts", ".json", ".vue", ".svelte", ".jsx", ".tsx")
NUXT_CONFIGS = ("nuxt.config.ts", "nuxt.config.js", "nuxt.config.mjs")
PRESET_NUXT3 = {
    "2024.10": ">=2024.10.0 <2024.11.0",
    "2025.7": ">=2024.10.0 <2026.5.0",
    "2026.7": ">=2026.4.1 <2026.5.0",
}
MODELW_NUXT_DEPS = {
    "@model-w/axios": "1.x",
    "@model-w/proxy": "2.x",
    "@model-w/sentry": "1.x",
    "defu": "^6.1.4",
}
ENV_TEMPLATE = [
    "NUXT_API_URL=http://127.0.0.1:8000",
    "NUXT_PROXY_OPTIONS_TARGET=http://127.0.0.1:8000",
    "# NUXT_PUBLIC_SENTRY_DSN=",
    "# NUXT_PUBLIC_SENTRY_ENVIRONMENT=",
]
EXPECTS = {
    "nuxt2": "Nuxt 2 is end-of-life and @model-w/preset-nuxt3 needs Nuxt 3: port the front to Nuxt 3 (then the "
    "Model W wiring applies) or keep it and proxy /back to the API yourself",
    "vue": "a Vue SPA has no Node server for `modelw-docker serve` (it starts `node .output/server/index.mjs` or "
    "`node build`): add a small server or move to Nuxt 3/SvelteKit; proxy /back to the API in development",
    "react": "a React app has no Node server for `modelw-docker serve`: add one (or move to a framework that "
    "builds one) and proxy /back to the API in development",
    "svelte": "a plain Svelte app has no Node server for `modelw-docker serve`: SvelteKit with adapter-node "
    "builds `build/index.js`, which it starts",
    "sveltekit": "use adapter-node so `modelw-docker serve` can start `node build`; read the API URL from "
    "PUBLIC_API_URL/API_URL env vars and proxy /back to it in development (@model-w/preset-sveltekit does both)",
    "angular": "an Angular app has no Node server for `modelw-docker serve`: use Angular SSR or a small Node "
    "server, and proxy /back to the API in development (proxy.conf.json)",
}


def _json_dump(data: object, original: str) -> str:
    match = re.search(r"\n([ \t]+)\"", original)
    indent = match.group(1) if match else "  "
    text = json.dumps(data, indent=indent if "\t" in indent else len(indent), ensure_ascii=False)
    return text + ("\n" if original.endswith("\n") or not original else "")


@register
class FrontendStep(Step):
    id = "frontend"
    title = "Move the front-end to front/"
    why = (
        "A Model W repository has one front/ component beside api/, served by its own Node server "
        "that gets every path outside /back; a Nuxt 3 front is wired through @model-w/preset-nuxt3."
    )
    order = 60

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return any(fe.kind in ("ui", "asset-pipeline") for fe in facts.frontends)

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        return "no front-end or asset pipeline found"

    def run(self, ctx: StepContext) -> None:
        facts, answers = ctx.facts, ctx.answers
        uis = [fe for fe in facts.frontends if fe.kind == "ui"]
        chosen = self._chosen(ctx, uis)
        for fe in facts.frontends:
            if fe.kind == "asset-pipeline":
                if answers.asset_pipeline == "front" and chosen is None and fe.path != FRONT:
                    chosen = fe
                else:
                    self._asset_pipeline(ctx, fe)
        for fe in uis:
            if fe is not chosen and fe.path != FRONT:
                ctx.follow_up(
                    f"{fe.path}/package.json" if fe.path else "package.json",
                    0,
                    f"front-end kept in {fe.path or 'the root'}/ (answer: keep): Model W has one front/ "
                    "component; give this one its own component folder and Dockerfile if it is deployed",
                    "info",
                )
        if chosen is None:
            return
        folder = self._move(ctx, chosen)
        if folder is None:
            return
        self._report_paths(ctx, folder)
        framework = chosen.framework or ""
        if framework == "nuxt3":
            self._nuxt3(ctx, folder)
        elif chosen.kind == "asset-pipeline":
            ctx.follow_up(
                f"{folder}/package.json",
                0,
                "this build feeds Django static files: under Model W the "
                "front is served by its own server; build into front/ and serve it, or keep it in the api",
                "todo",
            )
        else:
            ctx.follow_up(
                f"{folder}/package.json",
                0,
                "Model W expects: "
                + EXPECTS.get(
                    framework,
                    "a Node server that `modelw-docker serve` can start, the API URL from env vars, and /back "
                    "proxied to the API in development",
                ),
                "todo",
            )

    # -- which and where ----------------------------------------------------------------
    def _chosen(self, ctx: StepContext, uis: list[Frontend]) -> Frontend | None:
        answers = ctx.answers.frontends
        picked = [fe for fe in uis if answers.get(fe.path) == "front" or fe.path == FRONT]
        if not picked and uis and not any(fe.path in answers for fe in uis):
            picked = uis[:1]  # no answer recorded: the first UI, as Answers.defaults does
        if len(picked) > 1:
            ctx.follow_up(
                "",
                0,
                f"several front-ends chose front/ ({', '.join(fe.path for fe in picked)}): "
                f"only {picked[0].path} moves",
                "todo",
            )
        return picked[0] if picked else None

    def _move(self, ctx: StepContext, fe: Frontend) -> str | None:
        ws = ctx.workspace
        if fe.path == FRONT:
            return FRONT
        if fe.path == "":
            ctx.follow_up(
                "package.json",
                0,
                "the front-end lives at the repository root: move its files to front/ "
                "by hand (the tool does not guess which root files belong to it)",
                "todo",
            )
            return None
        if ws.exists(f"{FRONT}/package.json") or ws.is_dir(FRONT):
            ctx.follow_up(
                f"{fe.path}/package.json",
                0,
                "front/ already exists: the front-end was not moved; "
                "resolve the clash and run the step again",
                "blocker",
            )
            return None
        old_depth = fe.path.count("/")
        ws.move(fe.path, FRONT)
        if old_depth != 0:
            self._rebase(ctx, fe.path, FRONT)
        return FRONT

    def _rebase(self, ctx: StepContext, old: str, new: str) -> None:
        """Keep `../x` strings pointing at the same place after a depth change."""
        ws = ctx.workspace
        pattern = re.compile(r"""(["'`])((?:\.\./)+[^"'`\s]*)\1""")
        for path in ws.files(new):
            if not path.endswith(TEXT_EXTENSIONS):
                continue
            here_new = posixpath.dirname(path)
            move = (old + here_new[len(new) :], here_new, old, new)
            text = pattern.sub(
                lambda m, move=move: f"{m[1]}{_relocate(m[2], *move)}{m[1]}", ws.read(path)
            )
            if posixpath.basename(path) == "package.json":
                text = _rebase_scripts(text, move)
            ws.write(path, text)

    # -- reports ------------------------------------------------------------------------
    def _report_paths(self, ctx: StepContext, folder: str) -> None:
        ws = ctx.workspace
        proxy = re.compile(r"(localhost|127\.0\.0\.1|0\.0\.0\.0):\d+")
        output = re.compile(
            r"\b(outDir|outputDir|outputPath|path|publicPath|assetsDir)\b\s*[:=]?\s*.*\.\./"
        )
        static_base = re.compile(r"""\b(base|publicPath|baseUrl)\b\s*[:=]\s*["'`]/static/""")
        for path in ws.files(folder):
            if path.count("/") > folder.count("/") + 1 or not CONFIG_NAMES.match(
                posixpath.basename(path)
            ):
                continue
            for number, line in enumerate(ws.read(path).splitlines(), 1):
                if proxy.search(line):
                    ctx.follow_up(
                        path,
                        number,
                        "points at the Django dev server: under Model W the front proxies "
                        "/back to the API (NUXT_API_URL / API_URL), and Django routes live under /back",
                        "todo",
                    )
                elif output.search(line):
                    ctx.follow_up(
                        path,
                        number,
                        "the build writes outside front/ (into Django static?): Model W "
                        "serves the front from its own image; build inside front/",
                        "todo",
                    )
                elif static_base.search(line):
                    ctx.follow_up(
                        path,
                        number,
                        "assets are served from Django's /static/: Django static files are "
                        "now under /back/static/",
                        "todo",
                    )

    def _asset_pipeline(self, ctx: StepContext, fe: Frontend) -> None:
        where = f"{fe.path}/package.json" if fe.path else "package.json"
        if fe.outputs_into and not ctx.workspace.is_dir(fe.outputs_into):
            parent = posixpath.dirname(fe.outputs_into.rstrip("/"))
            if parent and not ctx.workspace.is_dir(parent):
                ctx.follow_up(
                    where,
                    0,
                    f"the asset build writes into {fe.outputs_into}, which no longer exists: "
                    "point it at the app's new static folder under api/",
                    "todo",
                )
        ctx.follow_up(
            where,
            0,
            "asset pipeline kept with the api (it builds Django static files): the Model W api "
            "image does not run npm; build the assets before `collectstatic` (e.g. commit the output or add "
            "an npm build to api/Dockerfile)",
            "info",
        )

    # -- Nuxt 3 -------------------------------------------------------------------------
    def _nuxt3(self, ctx: StepContext, folder: str) -> None:
        ws = ctx.workspace
        config = next((f"{folder}/{n}" for n in NUXT_CONFIGS if ws.exists(f"{folder}/{n}")), None)
        wired = False
        if config is None:
            ctx.follow_up(
                f"{folder}/package.json",
                0,
                "no nuxt.config found: create one with "
                "envManager/defineModelWConfig from @model-w/preset-nuxt3",
                "todo",
            )
        else:
            wired = self._wire_nuxt_config(ctx, config)
        if wired:
            self._nuxt_package(ctx, folder)
            self._env_template(ctx, folder)

    def _wire_nuxt_config(self, ctx: StepContext, path: str) -> bool:
        ws = ctx.workspace
        text = ws.read(path)
        if "defineModelWConfig" in text:
            return True
        head = re.search(r"^export default defineNuxtConfig\(", text, re.MULTILINE)
        end = _matching_paren(text, head.end() - 1) if head else None
        if (
            head is None
            or end is None
            or text[end + 1 :].strip() not in ("", ";")
            or text.count("export ") != 1
        ):
            ctx.follow_up(
                path,
                0,
                "nuxt.config is not a plain `export default defineNuxtConfig({...})`: wire "
                "@model-w/preset-nuxt3 by hand: export default envManager((env) => "
                "defu(defineModelWConfig(env, {siteName: ...}), defineNuxtConfig({...})))",
                "todo",
            )
            return False
        body = text[head.end() : end]
        site = ctx.answers.project_name.replace("_", " ").replace("-", " ").title()
        indented = "\n".join(
            ("        " + line) if line.strip() else line
            for line in f"defineNuxtConfig({body})".splitlines()
        )
        wrapped = (
            "export default envManager((env) =>\n"
            "    defu(\n"
            "        defineModelWConfig(env, {\n"
            f"            siteName: {json.dumps(site)},\n"
            "        }),\n"
            f"{indented}\n"
            "    )\n"
            ");\n"
        )
        imports = 'import { defineModelWConfig, envManager } from "@model-w/preset-nuxt3";\nimport { defu } from "defu";\n'
        before = text[: head.start()]
        last_import = list(re.finditer(r"^import .*?;?\s*$", before, re.MULTILINE))
        if last_import:
            cut = last_import[-1].end() + 1
            before = before[:cut] + imports + before[cut:]
        else:
            before = before + imports + "\n"
        ws.write(path, before + wrapped)
        ctx.follow_up(
            path,
            0,
            "wired through @model-w/preset-nuxt3: it proxies /back (and x-reach-api requests) "
            "to NUXT_API_URL; remove proxies of your own that the preset now covers",
            "info",
        )
        return True

    def _nuxt_package(self, ctx: StepContext, folder: str) -> None:
        ws = ctx.workspace
        path = f"{folder}/package.json"
        if not ws.exists(path):
            return
        original = ws.read(path)
        try:
            data = json.loads(original)
        except json.JSONDecodeError as exc:
            ctx.follow_up(
                path,
                exc.lineno,
                "package.json does not parse: add @model-w/preset-nuxt3 by hand",
                "todo",
            )
            return
        release = ctx.answers.modelw_release
        version = str(
            ctx.release.get("preset_nuxt3") or PRESET_NUXT3.get(release, PRESET_NUXT3["2024.10"])
        )
        deps = data.setdefault("dependencies", {})
        present = set(deps) | set(data.get("devDependencies", {}))
        for name, spec in {"@model-w/preset-nuxt3": version, **MODELW_NUXT_DEPS}.items():
            if name not in present:
                deps[name] = spec
        ws.write(path, _json_dump(data, original))
        nuxt = data.get("dependencies", {}).get("nuxt") or data.get("devDependencies", {}).get(
            "nuxt"
        )
        ctx.follow_up(
            path,
            0,
            f"@model-w/preset-nuxt3 {version} expects its Nuxt/Vue/Node versions "
            f"(2024.10: nuxt 3.13, vue 3.5, node 20); this front has nuxt {nuxt}: align, then run "
            "`npm install` to update package-lock.json",
            "todo",
        )

    def _env_template(self, ctx: StepContext, folder: str) -> None:
        ws = ctx.workspace
        path = f"{folder}/.env-template"
        current = ws.read(path) if ws.exists(path) else ""
        names = {line.lstrip("# ").split("=", 1)[0] for line in current.splitlines()}
        missing = [line for line in ENV_TEMPLATE if line.lstrip("# ").split("=", 1)[0] not in names]
        if missing:
            prefix = current if not current or current.endswith("\n") else current + "\n"
            ws.write(path, prefix + "\n".join(missing) + "\n")


def _relocate(relative: str, here_old: str, here_new: str, old: str, new: str) -> str:
    """A relative path written in here_old, rewritten for here_new (old moved to new)."""
    target = posixpath.normpath(posixpath.join(here_old, relative))
    if target == old or target.startswith(old + "/"):
        target = new + target[len(old) :]
    rel = posixpath.relpath(target, here_new)
    return rel + ("/" if relative.endswith("/") and not rel.endswith("/") else "")


def _rebase_scripts(text: str, move: tuple[str, str, str, str]) -> str:
    """`../` arguments inside package.json scripts, which are shell commands."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text
    scripts = data.get("scripts")
    if not isinstance(scripts, dict):
        return text
    token = re.compile(r"(?<![\w/.~-])((?:\.\./)+[^\s\"'&|;<>]*)")
    changed = {
        name: token.sub(lambda m: _relocate(m[1], *move), cmd) if isinstance(cmd, str) else cmd
        for name, cmd in scripts.items()
    }
    if changed == scripts:
        return text
    data["scripts"] = changed
    return _json_dump(data, text)


def _matching_paren(text: str, start: int) -> int | None:
    """Index of the bracket closing text[start], skipping strings, template literals and comments."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    stack: list[str] = []
    index = start
    while index < len(text):
        ch = text[index]
        if ch in "\"'`":
            index += 1
            while index < len(text) and text[index] != ch:
                index += 2 if text[index] == "\\" else 1
        elif text.startswith("//", index):
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
        elif text.startswith("/*", index):
            close = text.find("*/", index + 2)
            index = len(text) if close < 0 else close + 1
        elif ch in pairs:
            stack.append(pairs[ch])
        elif ch in ")}]":
            if not stack or stack.pop() != ch:
                return None
            if not stack:
                return index
        index += 1
    return None
