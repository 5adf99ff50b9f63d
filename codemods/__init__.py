"""libcst codemod commands used by modelw-migrate's steps.

Each module holds one command; each also runs alone through libcst's own
CLI (`python -m libcst.tool codemod <module>.<Command> PATH`) thanks to the
`.libcst.codemod.yaml` at the repository root.
"""
