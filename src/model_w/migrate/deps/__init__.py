"""Reading a legacy project's dependencies and writing them the Model W way.

- `model`: `Dep`, one declared dependency whatever the source format, and
  `DepSet`, the merged list per Poetry group;
- `readers`: requirements files (pip-requirements-parser for the pip syntax,
  `packaging` for every requirement), Pipfile (tomlkit), setup.py (`ast`,
  never executed), setup.cfg (configparser), pyproject.toml (PEP 621,
  dependency-groups, uv, Poetry);
- `preset`: what `modelw-preset-django` of a release brings, its extras, and
  whether a legacy pin conflicts with it;
- `writer`: `api/pyproject.toml` in Poetry form, edited with tomlkit so an
  existing file keeps its tool configuration.
"""
