"""Mount every backend route of the root URLconf under `back/`.

Model W puts one load balancer in front of both components: everything under
`/back` goes to Django, the rest to the front-end, and Django receives the
full path (model-w.md part 2, section 6). So every top-level route of
ROOT_URLCONF gets a literal `back/` prefix:

    path("admin/", admin.site.urls)           -> path("back/admin/", admin.site.urls)
    re_path(r"^api/", include(router.urls))   -> re_path(r"^back/api/", include(router.urls))
    url(r"^accounts/", include(...))          -> url(r"^back/accounts/", include(...))
    path("", include("shop.urls"))            -> path("back/", include("shop.urls"))
    static("/media/", document_root=...)      -> static("/back/media/", document_root=...)

Only the entries of `urlpatterns` itself are touched (`urlpatterns = [...]`,
`+=`, `.append/.extend/.insert`, `+` of lists, also inside `if settings.DEBUG:`);
routes nested in `include([...])` are relative and stay as they are.

Left alone, by design:
- a front-end catch-all: the root route `""` / `^$` whose view is not an
  `include()` (a TemplateView or SPA shell view), a regex that matches
  everything (`^.*$`, `^(?P<path>.*)$`) and `path("<path:...>", ...)`;
  under Model W these belong to the front component, so they are reported;
- `static(settings.MEDIA_URL, ...)` and `staticfiles_urlpatterns()`: their
  prefix is a setting (STATIC_URL is `/back/static/` through the preset;
  the back-routing step moves MEDIA_URL under `/back/media/`);
- routes that already start with `back/` (the codemod is idempotent).

What cannot be mounted safely (a route that is not a string literal, a list
of routes added as a whole such as `urlpatterns += router.urls`,
`i18n_patterns(...)` whose language prefix comes first) is reported as a
follow-up. The prefixes seen (first path segment of every backend route,
mounted now or earlier) are left in `context.scratch["back_routing_segments"]`
for the step, which makes settings and templates follow.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.helpers import get_full_name_for_node
from libcst.metadata import QualifiedNameProvider
from model_w.migrate.codemods.back_paths import (
    FILESYSTEM_SUFFIXES,
    PREFIX,
    already_mounted,
    first_segment,
    is_catch_all,
    mount,
    mount_path,
)
from model_w.migrate.codemods.base import ModelWCodemod
from model_w.migrate.codemods.import_names import ImportNames

ROUTE_FUNCS = {
    "django.urls.path": "path",
    "django.urls.conf.path": "path",
    "django.urls.re_path": "regex",
    "django.urls.conf.re_path": "regex",
    "django.conf.urls.url": "regex",
}
INCLUDE_FUNCS = {"django.urls.include", "django.urls.conf.include", "django.conf.urls.include"}
STATIC_FUNCS = {"django.conf.urls.static.static"}
HARMLESS_FUNCS = {"django.contrib.staticfiles.urls.staticfiles_urlpatterns"}
I18N_FUNCS = {"django.conf.urls.i18n.i18n_patterns"}


def _with_value(node: cst.SimpleString, new_value: str, old_value: str) -> cst.SimpleString | None:
    """Rewrite a string literal by inserting the text new_value adds to old_value.

    The inserted text ("back/") needs no escaping, so the literal keeps its
    prefix (r, u, ...), its quotes and every escape it had. None when the
    characters before the insertion point are written escaped.
    """
    index = 0
    while index < len(old_value) and new_value[index] == old_value[index]:
        index += 1
    inserted = new_value[index : index + len(new_value) - len(old_value)]
    quote = node.quote
    prefix = node.value[: len(node.prefix)]  # as written (node.prefix is lower-cased)
    body = node.value[len(prefix) + len(quote) : -len(quote)]
    if not body.startswith(old_value[:index]):
        return None
    return node.with_changes(value=f"{prefix}{quote}{body[:index]}{inserted}{body[index:]}{quote}")


class BackRoutingCommand(ModelWCodemod):
    DESCRIPTION = (
        "Mount every backend route of the root URLconf under back/ (Model W /back routing)."
    )

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    # Read the names of a simple URLconf from its imports (codemods/import_names.py)
    # instead of a scope analysis; False always asks libcst's provider.
    IMPORT_NAMES = True

    def __init__(self, context: CodemodContext, variable: str = "urlpatterns") -> None:
        super().__init__(context)
        self._imports: ImportNames | None = None
        self.variable = variable
        self.segments: list[str] = context.scratch.setdefault("back_routing_segments", [])
        self.mounted: list[str] = context.scratch.setdefault("back_routing_mounted", [])

    # -- where routes are listed ------------------------------------------------
    def _is_target(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == self.variable

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if any(self._is_target(t.target) for t in original_node.targets):
            return updated_node.with_changes(
                value=self._routes(original_node.value, updated_node.value)
            )
        return updated_node

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        if self._is_target(original_node.target) and original_node.value is not None:
            return updated_node.with_changes(
                value=self._routes(original_node.value, updated_node.value)
            )
        return updated_node

    def leave_AugAssign(
        self, original_node: cst.AugAssign, updated_node: cst.AugAssign
    ) -> cst.AugAssign:
        if self._is_target(original_node.target) and isinstance(
            original_node.operator, cst.AddAssign
        ):
            return updated_node.with_changes(
                value=self._routes(original_node.value, updated_node.value)
            )
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = original_node.func
        if (
            isinstance(func, cst.Attribute)
            and self._is_target(func.value)
            and func.attr.value in ("append", "extend", "insert")
        ):
            args = list(updated_node.args)
            index = 1 if func.attr.value == "insert" else 0
            if len(args) > index:
                original_arg = original_node.args[index].value
                if func.attr.value == "extend":
                    new_value = self._routes(original_arg, args[index].value)
                else:
                    new_value = self._route(original_arg, args[index].value)
                args[index] = args[index].with_changes(value=new_value)
                return updated_node.with_changes(args=args)
        return updated_node

    # -- a list of routes ---------------------------------------------------------
    def _routes(
        self, original: cst.BaseExpression, updated: cst.BaseExpression
    ) -> cst.BaseExpression:
        """Mount every route of an expression that evaluates to a list of routes."""
        if isinstance(original, (cst.List, cst.Tuple)) and isinstance(
            updated, (cst.List, cst.Tuple)
        ):
            elements = []
            for orig_el, new_el in zip(original.elements, updated.elements, strict=True):
                if isinstance(orig_el, cst.StarredElement):
                    self.report_followup(
                        orig_el,
                        f"routes unpacked here ({self._code(orig_el.value)}) are not mounted under "
                        f'{PREFIX}/: wrap them in path("{PREFIX}/", include(...))',
                    )
                    elements.append(new_el)
                    continue
                elements.append(new_el.with_changes(value=self._route(orig_el.value, new_el.value)))
            return updated.with_changes(elements=elements)
        if isinstance(original, cst.BinaryOperation) and isinstance(updated, cst.BinaryOperation):
            if isinstance(original.operator, cst.Add):
                return updated.with_changes(
                    left=self._routes(original.left, updated.left),
                    right=self._routes(original.right, updated.right),
                )
        if isinstance(original, cst.Call) and isinstance(updated, cst.Call):
            name = self._qualified(original.func)
            if name in STATIC_FUNCS:
                return self._static(original, updated)
            if name in HARMLESS_FUNCS:
                return updated
            if name in I18N_FUNCS:
                self.report_followup(
                    original,
                    "i18n_patterns() puts the language prefix first (/en/admin/), so these routes "
                    f'cannot live under /{PREFIX}: move them into a path("{PREFIX}/", ...) or '
                    "set prefix_default_language=False and mount them by hand",
                )
                return updated
        self.report_followup(
            original,
            f"routes added as `{self._code(original)}` are not mounted under {PREFIX}/: "
            f'wrap them in path("{PREFIX}/", include(...))',
        )
        return updated

    # -- one route ----------------------------------------------------------------
    def _route(
        self, original: cst.BaseExpression, updated: cst.BaseExpression
    ) -> cst.BaseExpression:
        if not (isinstance(original, cst.Call) and isinstance(updated, cst.Call)):
            self.report_followup(
                original,
                f"route `{self._code(original)}` is not a path()/re_path() call: not mounted under {PREFIX}/",
            )
            return updated
        name = self._qualified(original.func)
        kind = ROUTE_FUNCS.get(name or "")
        if kind is None:
            if name in STATIC_FUNCS or name in HARMLESS_FUNCS or name in I18N_FUNCS:
                return self._routes(original, updated)
            self.report_followup(
                original,
                f"route `{self._code(original.func)}(...)` is not a Django route call: not mounted under {PREFIX}/",
            )
            return updated
        regex = kind == "regex"
        position = self._route_arg(original, ("route", "regex"))
        if position is None:
            self.report_followup(original, f"route without a pattern: not mounted under {PREFIX}/")
            return updated
        literal = original.args[position].value
        if not isinstance(literal, cst.SimpleString) or "b" in literal.prefix.lower():
            self.report_followup(
                original,
                f"route pattern `{self._code(literal)}` is not a plain string literal: mount it under {PREFIX}/ by hand",
            )
            return updated
        route = literal.evaluated_value
        assert isinstance(route, str)
        if already_mounted(route, regex):
            self.segments.append(PREFIX)
            rest = route.lstrip("^")[len(PREFIX) + 1 :]
            segment = first_segment(rest, regex)
            if segment:
                self.segments.append(segment)
            return updated
        if is_catch_all(route, regex) and not self._view_is_include(original):
            self.report_followup(
                original,
                f"front-end route `{route or '(root)'}` left at the root: under Model W the front component serves "
                f"every path outside /{PREFIX}; move this page to the front-end or mount it under {PREFIX}/",
                level="info",
            )
            return updated
        new_literal = _with_value(updated.args[position].value, mount(route, regex), route)
        if new_literal is None:
            self.report_followup(
                original,
                f"route `{route}` is written with escapes: mount it under {PREFIX}/ by hand",
            )
            return updated
        segment = first_segment(route, regex)
        if segment:
            self.segments.append(segment)
        self.mounted.append(route)
        args = list(updated.args)
        args[position] = args[position].with_changes(value=new_literal)
        return updated.with_changes(args=args)

    def _static(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """static("/media/", ...) with a literal prefix follows the routes; a setting is left alone."""
        position = self._route_arg(original, ("prefix",))
        if position is None:
            return updated
        literal = original.args[position].value
        if not isinstance(literal, cst.SimpleString):
            return updated  # static(settings.MEDIA_URL, ...): the step moves MEDIA_URL
        value = literal.evaluated_value
        if (
            not isinstance(value, str)
            or not value.startswith("/")
            or value.startswith(f"/{PREFIX}/")
        ):
            if isinstance(value, str) and value.startswith(f"/{PREFIX}/"):
                segment = first_segment(value[len(PREFIX) + 2 :], False)
                if segment:
                    self.segments.append(segment)
            return updated
        new_literal = _with_value(updated.args[position].value, f"/{PREFIX}{value}", value)
        if new_literal is None:
            return updated
        segment = first_segment(value[1:], False)
        if segment:
            self.segments.append(segment)
        self.mounted.append(value)
        args = list(updated.args)
        args[position] = args[position].with_changes(value=new_literal)
        return updated.with_changes(args=args)

    # -- helpers ------------------------------------------------------------------
    def _route_arg(self, call: cst.Call, keywords: Sequence[str]) -> int | None:
        for index, arg in enumerate(call.args):
            if arg.keyword is not None and arg.keyword.value in keywords:
                return index
        if call.args and call.args[0].keyword is None and call.args[0].star == "":
            return 0
        return None

    def _view_is_include(self, call: cst.Call) -> bool:
        view = None
        for index, arg in enumerate(call.args):
            if (arg.keyword is None and index == 1) or (
                arg.keyword is not None and arg.keyword.value == "view"
            ):
                view = arg.value
        if view is None:
            return False
        if isinstance(view, cst.Call) and self._qualified(view.func) in INCLUDE_FUNCS:
            return True
        # admin.site.urls, router.urls: a (urlpatterns, app_name, namespace) triple
        return isinstance(view, cst.Attribute) and view.attr.value == "urls"

    def get_inherited_dependencies(self) -> frozenset:  # type: ignore[override]
        """No scope analysis when the module's imports alone name its functions."""
        return frozenset() if self._imports is not None else frozenset(self.METADATA_DEPENDENCIES)

    def transform_module(self, tree: cst.Module) -> cst.Module:
        self._imports = ImportNames.of(tree.code) if self.IMPORT_NAMES else None
        try:
            return super().transform_module(tree)
        finally:
            self._imports = None

    def _qualified(self, node: cst.CSTNode) -> str | None:
        if self._imports is not None:
            chain = node
            while isinstance(chain, cst.Attribute):
                chain = chain.value
            if not isinstance(chain, cst.Name):
                return None  # a call's or subscript's result: no qualified name
            return self._imports.qualified(get_full_name_for_node(node))
        try:
            names = self.get_metadata(QualifiedNameProvider, node)
        except KeyError:
            return None
        for name in names:
            if name.name in ROUTE_FUNCS or name.name in INCLUDE_FUNCS or name.name in STATIC_FUNCS:
                return name.name
            if name.name in HARMLESS_FUNCS or name.name in I18N_FUNCS:
                return name.name
        return next(iter(names)).name if names else None

    @staticmethod
    def _code(node: cst.CSTNode) -> str:
        text = cst.Module(body=[]).code_for_node(node).strip()
        return text if len(text) <= 60 else text[:57] + "..."


class BackSettingsCommand(ModelWCodemod):
    """Make hard-coded paths in a settings module follow the routes under back/.

    Every string literal assigned to an UPPER_CASE name whose path starts with
    a Django segment (`/admin/`, `/accounts/login/`, `^/api/.*$`) gets the
    `/back` prefix, wherever it sits in the value (also an env default such as
    `env.get("LOGIN_URL", default="/accounts/login/")`). With `add_login_url`,
    a `LOGIN_URL = "<value>"` is added (inside the preset's `with` block when
    there is one, else at the end) for projects that relied on Django's
    default `/accounts/login/`.
    """

    DESCRIPTION = "Make LOGIN_URL, MEDIA_URL and other hard-coded paths in settings follow back/."

    def __init__(
        self,
        context: CodemodContext,
        segments: Sequence[str] = (),
        add_login_url: str | None = None,
    ) -> None:
        super().__init__(context)
        self.segments = [s for s in segments if s != PREFIX]
        self.add_login_url = add_login_url
        self.changed: list[str] = context.scratch.setdefault("back_settings_changed", [])
        self._setting: list[str] = []

    def _names(self, targets: Sequence[cst.BaseAssignTargetExpression]) -> list[str]:
        return [
            t.value
            for t in targets
            if isinstance(t, cst.Name)
            and t.value.isupper()
            and not t.value.endswith(FILESYSTEM_SUFFIXES)
        ]

    def visit_Assign(self, node: cst.Assign) -> None:
        self._setting.append(",".join(self._names([t.target for t in node.targets])))

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        self._setting.pop()
        return updated_node

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._setting.append(",".join(self._names([node.target])))

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        self._setting.pop()
        return updated_node

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        if not self._setting or not self._setting[-1] or "b" in original_node.prefix:
            return updated_node
        value = original_node.evaluated_value
        if not isinstance(value, str):
            return updated_node
        new_value = mount_path(value, self.segments)
        if new_value is None:
            return updated_node
        new_node = _with_value(updated_node, new_value, value)
        if new_node is None:
            self.report_followup(
                original_node, f"{value!r} is a Django path: prefix it with /{PREFIX} by hand"
            )
            return updated_node
        self.changed.append(f"{self._setting[-1]}: {value} -> {new_value}")
        return new_node

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.add_login_url:
            return updated_node
        statement = cst.parse_statement(f'LOGIN_URL = "{self.add_login_url}"\n')
        comment = cst.EmptyLine(
            comment=cst.Comment(
                f"# Django's default /accounts/login/ now routes to the front: login lives under /{PREFIX}"
            )
        )
        statement = statement.with_changes(leading_lines=[cst.EmptyLine(), comment])
        body = list(updated_node.body)
        for index in range(len(body) - 1, -1, -1):
            node = body[index]
            if isinstance(node, cst.With) and "EnvManager" in cst.Module(body=[]).code_for_node(
                node.items[0]
            ):
                inner = list(node.body.body) + [statement]
                body[index] = node.with_changes(body=node.body.with_changes(body=inner))
                break
        else:
            body.append(statement)
        self.changed.append(f"LOGIN_URL: (default) -> {self.add_login_url}")
        return updated_node.with_changes(body=body)
