"""Helpers of the api-layout and package-layout steps (model-w.md part 1, §1.2).

- `modules`: dotted names of files, and the old -> new module map of the
  Model W package layout (`<pkg>/django/`, `<pkg>/apps/<name>`);
- `python_refs`: rewrite Python references to moved modules in every file
  that mentions one (text prefilter, then the rename_modules codemod, in
  parallel across cores for many files);
- `paths`: moves of paths and the rebasing of relative paths;
- `text_refs`: references outside Python (Dockerfiles, compose, CI YAML,
  Makefile, Procfile, ini/toml, .gitignore, pre-commit, package.json);
- `appconfig`: keep an app's label when its module moves;
- `file_depth`: `Path(__file__).parent...` formulas in moved files.
"""
