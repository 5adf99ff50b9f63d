"""`pip install .` gives a working `modelw` with codemods, recipes and data inside."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import tomllib  # noqa: F401  (the suite runs on Python >= 3.11)

ROOT = Path(__file__).resolve().parents[1]


def listed_packages() -> set[str]:
    import tomlkit

    data = tomlkit.parse((ROOT / "pyproject.toml").read_text())
    return set(data["tool"]["setuptools"]["packages"])


def test_every_python_folder_is_listed_as_a_package():
    listed = listed_packages()
    found = set()
    for init in (ROOT / "src").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(ROOT / "src").parts))
    assert found - {"model_w.migrate.demo_project"} <= listed | {
        p for p in found if p.startswith("model_w.migrate.demo_project")
    }, found - listed
    assert {"model_w.migrate.codemods", "model_w.migrate.builtin_recipes"} <= listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("modelw_migrate-*.whl")
    return path


def test_wheel_carries_codemods_recipes_templates_knowledge_and_demo(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "model_w/migrate/codemods/base.py" in names
    assert "model_w/migrate/builtin_recipes/__init__.py" in names
    assert "model_w/migrate/templates/dotfiles/.editorconfig.j2" in names
    assert "model_w/migrate/knowledge/index.json" in names
    assert any(
        n.startswith("model_w/migrate/demo_project/") and n.endswith("manage.py") for n in names
    )
    assert not any(n.startswith("model_w/__init__") for n in names)  # namespace package


def test_installed_wheel_runs(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    where = subprocess.run(
        [str(python), "-c", "import model_w.migrate.codemods.base as m; print(m.__file__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(env_dir) in where
    version = subprocess.run(
        [str(env_dir / "bin" / "modelw"), "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and "modelw-migrate" in version.stdout
    help_text = subprocess.run(
        [str(python), "-m", "model_w.migrate", "migrate", "--help"], capture_output=True, text=True
    )
    assert "--dry-run" in help_text.stdout
