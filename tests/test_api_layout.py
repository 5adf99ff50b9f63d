"""api-layout on real git repos made from the shared fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from model_w.migrate.answers import Answers
from model_w.migrate.facts import App, DjangoFacts, Facts, Frontend
from model_w.migrate.steps.api_layout import ApiLayout
from model_w.migrate.steps.base import StepContext
from model_w.migrate.workspace import Workspace
from tests.conftest import git, init_repo
from tests.test_package_layout import assert_python_parses, run_step, tracked_text, write_tree


def django(project_dir: str, package: str, apps: list[tuple[str, str, str]]) -> DjangoFacts:
    return DjangoFacts(
        manage_py=f"{project_dir}/manage.py" if project_dir else "manage.py",
        project_dir=project_dir,
        import_root=project_dir,
        settings_module=f"{package}.settings",
        root_urlconf=f"{package}.urls",
        wsgi_application=f"{package}.wsgi.application",
        project_package=package,
        project_apps=[App(*a) for a in apps],
    )


def test_classic_moves_into_api_with_history(make_repo) -> None:
    repo = make_repo("classic")
    facts = Facts(root=str(repo), django=django("", "myproject", [("blog", "blog", "blog")]))
    run_step(ApiLayout(), repo, facts, Answers(project_name="myproject"))
    for rel in (
        "api/manage.py",
        "api/myproject/settings.py",
        "api/blog/models.py",
        "api/templates/base.html",
        "api/requirements.txt",
        "api/runtime.txt",
        "README.md",
        ".gitignore",
    ):
        assert (repo / rel).is_file(), rel
    assert not (repo / "manage.py").exists() and not (repo / "blog").exists()
    log = git(repo, "log", "--follow", "--format=%s", "--", "api/blog/models.py")
    assert "Initial Django code" in log
    gitignore = (repo / ".gitignore").read_text()
    assert "/api/media/" in gitignore and "/api/staticfiles/" in gitignore and "*.pyc" in gitignore
    assert_python_parses(repo)


def test_idempotent_on_moved_repo(make_repo) -> None:
    repo = make_repo("classic")
    facts = Facts(root=str(repo), django=django("", "myproject", [("blog", "blog", "blog")]))
    run_step(ApiLayout(), repo, facts, Answers(project_name="myproject"))
    facts = Facts(root=str(repo), django=django("api", "myproject", [("blog", "blog", "api/blog")]))
    ws = Workspace(repo)
    ApiLayout().run(StepContext(facts=facts, answers=Answers(), workspace=ws))
    assert ws.checkpoint() == []


def test_backend_dir_becomes_api_and_references_follow(make_repo) -> None:
    repo = make_repo("backend_dir")
    facts = Facts(
        root=str(repo),
        django=django("backend", "toolbox", [("inventory", "inventory", "backend/inventory")]),
    )
    run_step(ApiLayout(), repo, facts, Answers(project_name="toolbox"))
    assert (repo / "api/manage.py").is_file() and not (repo / "backend").exists()
    dockerfile = (repo / "Dockerfile").read_text()
    assert (
        "COPY api/requirements.txt /app/requirements.txt" in dockerfile
        and "COPY api/ /app/" in dockerfile
    )
    assert "cd api && python manage.py migrate" in (repo / "Procfile").read_text()
    compose = (repo / "docker-compose.yml").read_text()
    assert "./api:/app" in compose
    ci = (repo / ".github/workflows/ci.yml").read_text()
    assert "working-directory: api" in ci
    log = git(repo, "log", "--follow", "--format=%s", "--", "api/inventory/models.py")
    assert "Initial Django code" in log
    for rel, text in tracked_text(repo).items():
        assert "backend/" not in text and "cd backend" not in text, rel


def test_root_project_commands_run_in_api(tmp_path: Path) -> None:
    repo = init_repo(
        write_tree(
            tmp_path / "r",
            {
                "manage.py": "print()\n",
                "mysite/__init__.py": "",
                "mysite/settings.py": (
                    "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\n"
                    'STATICFILES_DIRS = [BASE_DIR / "frontend/dist"]\n'
                ),
                "requirements.txt": "django\n",
                "frontend/package.json": json.dumps(
                    {"name": "f", "scripts": {"build": "vite build --outDir ../mysite/static/app"}},
                    indent=2,
                )
                + "\n",
                "frontend/vite.config.js": 'export default { build: { outDir: "../mysite/static/app/" } }\n',
                "docs/index.md": "# docs\n",
                "Makefile": "test:\n\tpython manage.py test\ndocs:\n\tmkdocs build\n",
                "Dockerfile": "FROM python\nCOPY requirements.txt /code/\nRUN pip install -r /code/requirements.txt\nCOPY . /code/\nWORKDIR /code\n",
                "docker-compose.yml": "services:\n  web:\n    build: .\n    command: python manage.py runserver\n    volumes:\n      - .:/code  # live code\n",
                ".github/workflows/ci.yml": (
                    "on:\n  push:\n    paths: ['mysite/**', 'requirements.txt']\njobs:\n  t:\n    runs-on: x\n    steps:\n"
                    "      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt\n"
                    "      - run: python manage.py test\n"
                ),
                ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - id: x\n    files: ^mysite/\n",
                ".gitignore": "/mysite/local_settings.py\n*.pyc\n",
            },
        )
    )
    facts = Facts(
        root=str(repo),
        django=django("", "mysite", []),
        frontends=[Frontend("frontend", "ui", "vue", "vite", "mysite/static/app")],
    )
    ctx = run_step(ApiLayout(), repo, facts, Answers(project_name="mysite"))
    assert (repo / "api/manage.py").is_file() and (repo / "frontend/package.json").is_file()
    assert (repo / "docs/index.md").is_file() and (repo / "Makefile").is_file()
    makefile = (repo / "Makefile").read_text()
    assert "\tcd api && python manage.py test" in makefile and "\tmkdocs build" in makefile
    dockerfile = (repo / "Dockerfile").read_text()
    assert "COPY api/requirements.txt /code/" in dockerfile and "COPY api/ /code/" in dockerfile
    compose = (repo / "docker-compose.yml").read_text()
    assert "- ./api:/code  # live code" in compose
    ci = (repo / ".github/workflows/ci.yml").read_text()
    assert "'api/mysite/**'" in ci and "'api/requirements.txt'" in ci
    assert ci.count("working-directory: api") == 2
    assert "files: ^api/mysite/" in (repo / ".pre-commit-config.yaml").read_text()
    assert "/api/mysite/local_settings.py" in (repo / ".gitignore").read_text()
    package = json.loads((repo / "frontend/package.json").read_text())
    assert package["scripts"]["build"] == "vite build --outDir ../api/mysite/static/app"
    assert '"../api/mysite/static/app/"' in (repo / "frontend/vite.config.js").read_text()
    settings = (repo / "api/mysite/settings.py").read_text()
    assert 'BASE_DIR.parent / "frontend/dist"' in settings
    assert any(f.path == "api/mysite/settings.py" and f.line == 3 for f in ctx.followups)
    import yaml

    yaml.safe_load((repo / ".github/workflows/ci.yml").read_text())


def test_root_asset_pipeline_goes_with_the_api(make_repo) -> None:
    repo = make_repo("root_assets")
    facts = Facts(
        root=str(repo),
        django=django("", "studio", [("gallery", "gallery", "gallery")]),
        frontends=[Frontend("", "asset-pipeline", None, "webpack", "gallery/static/gallery/dist")],
    )
    run_step(ApiLayout(), repo, facts, Answers(project_name="studio"))
    for rel in (
        "api/package.json",
        "api/webpack.config.js",
        "api/assets/js/main.js",
        "api/manage.py",
    ):
        assert (repo / rel).is_file(), rel
    package = json.loads((repo / "api/package.json").read_text())
    assert package["scripts"]["start"] == "npm run build && python manage.py runserver"
    gitignore = (repo / ".gitignore").read_text()
    assert "api/gallery/static/gallery/dist/" in gitignore and "api/assets/build/" in gitignore


def test_root_asset_pipeline_can_stay_for_the_front(make_repo) -> None:
    repo = make_repo("root_assets")
    facts = Facts(
        root=str(repo),
        django=django("", "studio", [("gallery", "gallery", "gallery")]),
        frontends=[Frontend("", "asset-pipeline", None, "webpack", "gallery/static/gallery/dist")],
    )
    run_step(ApiLayout(), repo, facts, Answers(project_name="studio", asset_pipeline="front"))
    assert (repo / "package.json").is_file() and (repo / "webpack.config.js").is_file()
    package = json.loads((repo / "package.json").read_text())
    assert package["scripts"]["start"] == "npm run build && cd api && python manage.py runserver"
    assert (
        'path.resolve(__dirname, "api/gallery/static/gallery/dist")'
        in (repo / "webpack.config.js").read_text()
    )


def test_api_app_clash_renamed_keeping_its_label(make_repo) -> None:
    repo = make_repo("api_clash")
    facts = Facts(
        root=str(repo),
        django=django(
            "", "clubsite", [("api", "club_api", "api"), ("members", "members", "members")]
        ),
        name_clashes=["api"],
    )
    ctx = run_step(
        ApiLayout(),
        repo,
        facts,
        Answers(project_name="clubsite", name_clashes={"api": "rename:api_app"}),
    )
    assert (repo / "api/manage.py").is_file()
    assert (repo / "api/api_app/models.py").is_file()
    apps = (repo / "api/api_app/apps.py").read_text()
    assert 'name = "api_app"' in apps and 'label = "club_api"' in apps
    assert '"api_app"' in (repo / "api/clubsite/settings.py").read_text()
    assert 'include("api_app.urls")' in (repo / "api/clubsite/urls.py").read_text()
    log = git(repo, "log", "--follow", "--format=%s", "--", "api/api_app/models.py")
    assert "Initial Django code" in log
    assert not [f for f in ctx.followups if f.level == "blocker"]
    assert_python_parses(repo)


def test_api_clash_without_answer_is_a_blocker(make_repo) -> None:
    repo = make_repo("api_clash")
    facts = Facts(
        root=str(repo),
        django=django("", "clubsite", [("api", "club_api", "api")]),
        name_clashes=["api"],
    )
    ws = Workspace(repo)
    ctx = StepContext(facts=facts, answers=Answers(project_name="clubsite"), workspace=ws)
    ApiLayout().run(ctx)
    assert ws.checkpoint() == []
    assert [f for f in ctx.followups if f.level == "blocker"]


def test_nuxt_front_stays_and_tooling_package_json_stays(make_repo) -> None:
    repo = make_repo("nuxt_front")
    facts = Facts(
        root=str(repo),
        django=django("", "newsroom", [("articles", "articles", "articles")]),
        frontends=[Frontend("frontend", "ui", "nuxt3", "vite"), Frontend("", "tooling")],
    )
    run_step(ApiLayout(), repo, facts, Answers(project_name="newsroom"))
    assert (repo / "frontend/nuxt.config.ts").is_file() and (repo / "package.json").is_file()
    assert (repo / "api/manage.py").is_file() and (repo / "api/requirements.txt").is_file()
    for rel, text in tracked_text(repo).items():
        if rel.endswith("package.json"):
            json.loads(text)
