"""`modelw recipes`: list, show, validate recipes, and print their JSON Schema."""

from __future__ import annotations

import argparse
import json

from model_w.migrate.errors import EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "recipes",
        help="list, show and validate recipes (answers and steps as YAML)",
        description="Recipes replay a migration without questions; see recipes/README.md.",
    )
    actions = parser.add_subparsers(dest="recipes_command", metavar="ACTION")
    p_list = actions.add_parser("list", help="the built-in recipes with their descriptions")
    p_list.add_argument("--json", action="store_true", help="machine-readable list")
    p_show = actions.add_parser(
        "show", help="a recipe resolved (extends merged) and the steps it runs"
    )
    p_show.add_argument("recipe", metavar="NAME|FILE", help="a built-in name or a recipe file")
    p_validate = actions.add_parser("validate", help="check a recipe file; one line per problem")
    p_validate.add_argument("recipe", metavar="NAME|FILE", nargs="+")
    actions.add_parser("schema", help="print the recipe JSON Schema (for editors)")
    parser.set_defaults(handler=run, recipes_parser=parser)


def run(args: argparse.Namespace) -> int:
    from model_w.migrate.output import console
    from model_w.migrate.recipes import (
        builtin_recipes,
        load_recipe,
        recipe_schema,
        step_titles,
    )

    out = console()
    action = getattr(args, "recipes_command", None)
    if action in (None, "list"):
        recipes = builtin_recipes()
        if getattr(args, "json", False):
            data = [
                {"name": r.name, "description": r.description, "mode": r.mode, "steps": r.steps}
                for r in recipes
            ]
            out.out(json.dumps(data, indent=2), highlight=False)
            return EXIT_OK
        from rich.table import Table

        table = Table(title="Built-in recipes", title_justify="left")
        table.add_column("name", style="bold", no_wrap=True)
        table.add_column("description", overflow="fold")
        for recipe in recipes:
            table.add_row(recipe.name, recipe.description)
        out.print(table)
        out.print(
            "Show one with `modelw recipes show NAME`; use it with"
            " `modelw migrate --recipe NAME` or a file of your own (recipes/README.md)."
        )
        return EXIT_OK
    if action == "schema":
        out.out(json.dumps(recipe_schema(), indent=2), highlight=False)
        return EXIT_OK
    if action == "validate":
        for name in args.recipe:
            recipe = load_recipe(name)
            out.print(f"{name}: valid recipe '{recipe.name}' ({len(recipe.steps)} step(s))")
        return EXIT_OK
    # show
    recipe = load_recipe(args.recipe)
    out.out(recipe.to_yaml(), end="", highlight=False)
    titles = step_titles()
    lines = [f"# Steps it runs (when they apply to the project), mode {recipe.mode}:"]
    for step_id in recipe.steps:
        title = titles.get(step_id, "(step not installed yet)")
        lines.append(f"#   {step_id:<16} {title}")
    if recipe.codemods:
        lines.append("# Custom codemods:")
        for item in recipe.codemods:
            paths = ", ".join(item.get("paths") or ["**/*.py"])
            lines.append(f"#   {item['command']} on {paths}")
    if len(recipe.chain) > 1:
        chain = " <- ".join(c.replace("builtin:", "") for c in reversed(recipe.chain))
        lines.append(f"# Resolved from: {chain}")
    out.out("\n".join(lines), highlight=False)
    return EXIT_OK
