"""Files around the code: Dockerfiles, compose, CI, Procfiles and friends."""

from __future__ import annotations

import posixpath
import re

from model_w.migrate.facts import InfraFacts

_COMPOSE = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
_CI_EXACT = {
    ".gitlab-ci.yml",
    ".travis.yml",
    "bitbucket-pipelines.yml",
    "azure-pipelines.yml",
    "Jenkinsfile",
    ".drone.yml",
    "cloudbuild.yaml",
}
_OTHER = {
    "Makefile",
    "makefile",
    "GNUmakefile",
    "heroku.yml",
    "app.json",
    "Vagrantfile",
    ".pre-commit-config.yaml",
    "fly.toml",
    "render.yaml",
    "nixpacks.toml",
    "app.yaml",
    "tox.ini",
    "noxfile.py",
    "justfile",
    "model-w.toml",
}


def is_dockerfile(name: str) -> bool:
    return (
        name == "Dockerfile"
        or name.startswith("Dockerfile.")
        or name.endswith((".Dockerfile", ".dockerfile"))
    )


def inspect_infra(files: list[str]) -> InfraFacts:
    infra = InfraFacts()
    for path in files:
        name = posixpath.basename(path)
        if is_dockerfile(name):
            infra.dockerfiles.append(path)
        elif _COMPOSE.match(name):
            infra.compose_files.append(path)
        elif (
            (path.startswith(".github/workflows/") and name.endswith((".yml", ".yaml")))
            or path in _CI_EXACT
            or path == ".circleci/config.yml"
            or path.startswith(".gitlab/ci/")
        ):
            infra.ci_files.append(path)
        elif name == "Procfile" or name.startswith("Procfile."):
            infra.procfiles.append(path)
        elif name in _OTHER or path.startswith(".do/"):
            infra.other.append(path)
    return infra
