"""Model W's root dotfiles: .editorconfig, .prettierrc, .formatignore.

The Model W docs ("Transforming an existing project", model-w.md 1.1 and 9)
ask for them at the repository root. They are rendered from Jinja2
templates; an existing file with other content is left alone, with a
follow-up, never overwritten.
"""

from __future__ import annotations

from model_w.migrate.steps import Step, StepContext, register
from model_w.migrate.templating import render

DOTFILES = (".editorconfig", ".prettierrc", ".formatignore")


@register
class DotfilesStep(Step):
    id = "dotfiles"
    title = "Add Model W's editor and formatter dotfiles"
    why = (
        "Model W projects share one editor and formatting convention (.editorconfig, .prettierrc,"
        " .formatignore) so every component is formatted the same way."
    )
    order = 90

    def run(self, ctx: StepContext) -> None:
        ws = ctx.workspace
        for name in DOTFILES:
            wanted = render(f"dotfiles/{name}.j2", release=ctx.answers.modelw_release)
            if not ws.exists(name):
                ws.write(name, wanted)
                continue
            current = ws.read(name)
            if "".join(current.split()) != "".join(wanted.split()):
                ctx.follow_up(
                    name,
                    0,
                    f"kept your {name}; Model W's differs — compare with `modelw` template"
                    f" dotfiles/{name} and merge by hand if you want its conventions",
                    level="info",
                )
