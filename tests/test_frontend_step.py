"""The frontend step on small trees with hand-built Facts (after api-layout: Django in api/)."""

from __future__ import annotations

import json
import posixpath
import shlex
import textwrap
from pathlib import Path

from model_w.migrate.answers import Answers
from model_w.migrate.facts import DjangoFacts, Facts, Frontend
from model_w.migrate.steps import StepContext, get_step
from model_w.migrate.workspace import Workspace

NUXT_CONFIG = """\
// https://nuxt.com/docs/api/configuration/nuxt-config
export default defineNuxtConfig({
  devtools: { enabled: true },
  runtimeConfig: {
    public: {
      apiBase: process.env.NUXT_PUBLIC_API_BASE || 'http://localhost:8000',
    },
  },
  nitro: {
    devProxy: {
      '/api': { target: 'http://localhost:8000/api', changeOrigin: true },
    },
  },
})
"""
NUXT_PACKAGE = """\
{
  "name": "newsroom-front",
  "private": true,
  "type": "module",
  "scripts": {
    "build": "nuxt build",
    "dev": "nuxt dev",
    "postinstall": "nuxt prepare"
  },
  "devDependencies": {
    "nuxt": "^3.8.0"
  },
  "dependencies": {
    "vue": "^3.3.7"
  }
}
"""


def make_tree(tmp_path: Path, files: dict[str, str]) -> Workspace:
    files = {"api/manage.py": "", **files}
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return Workspace(tmp_path)


def facts_for(tmp_path: Path, frontends: list[Frontend]) -> Facts:
    return Facts(
        root=str(tmp_path),
        django=DjangoFacts(manage_py="api/manage.py", project_dir="api", import_root="api"),
        frontends=frontends,
    )


def run_step(ws: Workspace, facts: Facts, **answers) -> StepContext:
    ctx = StepContext(
        facts=facts,
        answers=Answers(project_name="newsroom", **answers),
        workspace=ws,
        step_id="frontend",
    )
    get_step("frontend").run(ctx)
    return ctx


def moved_facts(facts: Facts, old: str) -> Facts:
    """Facts as the engine would re-inspect them after the move."""
    for fe in facts.frontends:
        if fe.path == old:
            fe.path = "front"
    return facts


def check_package_jsons(ws: Workspace) -> None:
    """Every package.json parses and every relative path its scripts name exists."""
    for path in ws.files():
        if posixpath.basename(path) != "package.json":
            continue
        data = json.loads(ws.read(path))
        folder = posixpath.dirname(path)
        for script in data.get("scripts", {}).values():
            for token in shlex.split(script):
                if token.startswith(("./", "../")):
                    target = posixpath.normpath(posixpath.join(folder, token))
                    assert (
                        ws.exists(target)
                        or ws.is_dir(target)
                        or ws.is_dir(posixpath.dirname(target))
                    ), (path, token)


def test_nuxt3_front_moved_and_wired(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "frontend/nuxt.config.ts": NUXT_CONFIG,
            "frontend/package.json": NUXT_PACKAGE,
            "frontend/pages/index.vue": "<template><p>hi</p></template>\n",
        },
    )
    facts = facts_for(
        tmp_path, [Frontend(path="frontend", kind="ui", framework="nuxt3", bundler="vite")]
    )
    ctx = run_step(ws, facts, frontends={"frontend": "front"})

    assert not ws.is_dir("frontend")
    assert ws.exists("front/pages/index.vue")
    config = ws.read("front/nuxt.config.ts")
    assert config.startswith(
        "// https://nuxt.com/docs/api/configuration/nuxt-config\n"
        'import { defineModelWConfig, envManager } from "@model-w/preset-nuxt3";\n'
        'import { defu } from "defu";\n\n'
        "export default envManager((env) =>\n    defu(\n        defineModelWConfig(env, {\n"
        '            siteName: "Newsroom",\n'
    )
    assert "        defineNuxtConfig({\n          devtools: { enabled: true }," in config
    assert config.endswith("        })\n    )\n);\n")
    package = json.loads(ws.read("front/package.json"))
    assert package["dependencies"]["@model-w/preset-nuxt3"] == ">=2024.10.0 <2024.11.0"
    assert package["dependencies"]["defu"]
    assert package["devDependencies"] == {"nuxt": "^3.8.0"}
    assert ws.read("front/package.json").startswith('{\n  "name": "newsroom-front",')
    env = ws.read("front/.env-template")
    assert "NUXT_API_URL=http://127.0.0.1:8000\n" in env
    lines = {f.line for f in ctx.followups if f.path == "front/nuxt.config.ts"}
    assert {6, 11} <= lines  # apiBase and devProxy point at the Django dev server
    check_package_jsons(ws)

    ws.checkpoint()
    run_step(ws, moved_facts(facts, "frontend"), frontends={"frontend": "front"})
    assert ws.pending_changes() == []


def test_complex_nuxt_config_is_reported_not_rewritten(tmp_path: Path) -> None:
    config = "import { foo } from './foo'\nexport default defineNuxtConfig(foo({ ssr: false }))\nexport const x = 1\n"
    ws = make_tree(tmp_path, {"web/nuxt.config.js": config, "web/package.json": NUXT_PACKAGE})
    ctx = run_step(ws, facts_for(tmp_path, [Frontend(path="web", kind="ui", framework="nuxt3")]))
    assert ws.read("front/nuxt.config.js") == config
    assert not ws.exists("front/.env-template")
    assert json.loads(ws.read("front/package.json")) == json.loads(NUXT_PACKAGE)
    assert any("by hand" in f.message and f.path == "front/nuxt.config.js" for f in ctx.followups)


def test_vue_vite_front_reports_django_paths(tmp_path: Path) -> None:
    vite = textwrap.dedent("""\
        import { defineConfig } from "vite";
        export default defineConfig({
          base: "/static/vue3/",
          build: {
            outDir: "../api/widgets/static/vue3/",
          },
          server: {
            proxy: { "/api": "http://localhost:8000" },
          },
        });
        """)
    ws = make_tree(
        tmp_path,
        {
            "vue3/vite.config.js": vite,
            "vue3/package.json": '{"scripts": {"dev": "vite", "build": "vite build"}}\n',
            "api/widgets/static/vue3/.keep": "",
        },
    )
    ctx = run_step(
        ws,
        facts_for(
            tmp_path,
            [
                Frontend(
                    path="vue3",
                    kind="ui",
                    framework="vue",
                    bundler="vite",
                    outputs_into="api/widgets/static/vue3",
                )
            ],
        ),
    )
    assert ws.read("front/vite.config.js") == vite  # same depth: nothing to rebase
    lines = {f.line: f.message for f in ctx.followups if f.path == "front/vite.config.js"}
    assert "/back/static/" in lines[3]
    assert "outside front/" in lines[5]
    assert "Django dev server" in lines[8]
    assert any("Model W expects" in f.message and "Vue SPA" in f.message for f in ctx.followups)
    check_package_jsons(ws)


def test_deeper_front_is_rebased(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "client/app/package.json": json.dumps(
                {
                    "scripts": {
                        "build": "webpack --config ./webpack.config.js",
                        "copy": "cp -r dist ../../api/shop/static/",
                    }
                },
                indent=2,
            )
            + "\n",
            "client/app/webpack.config.js": 'module.exports = { output: { path: require("path").resolve(__dirname, "../../api/shop/static/app") } };\n',
            "api/shop/static/.keep": "",
        },
    )
    run_step(
        ws,
        facts_for(
            tmp_path, [Frontend(path="client/app", kind="ui", framework="react", bundler="webpack")]
        ),
    )
    assert '"../api/shop/static/app"' in ws.read("front/webpack.config.js")
    data = json.loads(ws.read("front/package.json"))
    assert data["scripts"] == {
        "build": "webpack --config ./webpack.config.js",
        "copy": "cp -r dist ../api/shop/static/",
    }
    check_package_jsons(ws)


def test_only_the_chosen_ui_moves(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "admin-ui/package.json": "{}\n",
            "site/package.json": "{}\n",
        },
    )
    facts = facts_for(
        tmp_path,
        [
            Frontend(path="admin-ui", kind="ui", framework="react"),
            Frontend(path="site", kind="ui", framework="sveltekit"),
        ],
    )
    ctx = run_step(ws, facts, frontends={"admin-ui": "keep", "site": "front"})
    assert (
        ws.exists("front/package.json")
        and ws.exists("admin-ui/package.json")
        and not ws.is_dir("site")
    )
    assert any(f.path == "admin-ui/package.json" and "kept" in f.message for f in ctx.followups)
    assert any("adapter-node" in f.message for f in ctx.followups)


def test_root_asset_pipeline_stays_with_the_api(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path, {"package.json": '{"scripts": {"build": "webpack"}}\n', "webpack.config.js": "\n"}
    )
    facts = facts_for(
        tmp_path,
        [
            Frontend(
                path="",
                kind="asset-pipeline",
                bundler="webpack",
                outputs_into="gallery/static/gallery/dist",
            )
        ],
    )
    ctx = run_step(ws, facts)
    assert ws.exists("package.json") and not ws.is_dir("front")
    messages = [f.message for f in ctx.followups]
    assert any("no longer exists" in m for m in messages)
    assert any("kept with the api" in m for m in messages)
    assert ws.pending_changes() == []


def test_existing_front_folder_is_a_blocker(tmp_path: Path) -> None:
    ws = make_tree(tmp_path, {"front/notes.txt": "x\n", "spa/package.json": "{}\n"})
    ctx = run_step(ws, facts_for(tmp_path, [Frontend(path="spa", kind="ui", framework="vue")]))
    assert ws.exists("spa/package.json")
    assert any(f.level == "blocker" for f in ctx.followups)
