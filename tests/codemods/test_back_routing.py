"""Before/after tests of the back/ routing codemod, every pattern plus idempotency."""

from __future__ import annotations

import textwrap

import pytest
from model_w.migrate.codemods.back_routing import BackRoutingCommand, first_segment

from model_w.migrate.codemod_runner import run_codemod


def run(source: str):
    return run_codemod(BackRoutingCommand, textwrap.dedent(source), path="mysite/urls.py")


def check(before: str, after: str) -> None:
    result = run(before)
    assert result.code == textwrap.dedent(after)
    again = run(result.code)
    assert again.code == result.code, "not idempotent"


HEADER = """\
from django.conf import settings
from django.conf.urls import url
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
"""


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('path("admin/", admin.site.urls)', 'path("back/admin/", admin.site.urls)'),
        ("path('api/', include(router.urls))", "path('back/api/', include(router.urls))"),
        (
            'path("api-auth/", include("rest_framework.urls"))',
            'path("back/api-auth/", include("rest_framework.urls"))',
        ),
        (
            'path("accounts/", include("django.contrib.auth.urls"))',
            'path("back/accounts/", include("django.contrib.auth.urls"))',
        ),
        (
            're_path(r"^api/", include("shop.api.urls"))',
            're_path(r"^back/api/", include("shop.api.urls"))',
        ),
        ("url(r'^admin/', admin.site.urls)", "url(r'^back/admin/', admin.site.urls)"),
        ('url(regex=r"^blog/$", view=blog)', 'url(regex=r"^back/blog/$", view=blog)'),
        (
            'path(route="shop/<int:pk>/", view=detail)',
            'path(route="back/shop/<int:pk>/", view=detail)',
        ),
        ('path("", include("pages.urls"))', 'path("back/", include("pages.urls"))'),
        ('re_path(r"^", include("legacy.urls"))', 're_path(r"^back/", include("legacy.urls"))'),
        (
            'path("__debug__/", include(debug_toolbar.urls))',
            'path("back/__debug__/", include(debug_toolbar.urls))',
        ),
    ],
)
def test_routes_are_mounted(before: str, after: str) -> None:
    check(
        HEADER + f"\nurlpatterns = [\n    {before},\n]\n",
        HEADER + f"\nurlpatterns = [\n    {after},\n]\n",
    )


def test_whole_urlconf_with_debug_block_and_catch_all() -> None:
    before = HEADER + textwrap.dedent(
        """
        urlpatterns = [
            path("admin/", admin.site.urls),  # the admin
            path("api/", include("shop.api.urls")),
            path("", TemplateView.as_view(template_name="index.html")),
        ]

        if settings.DEBUG:
            import debug_toolbar

            urlpatterns += [path("__debug__/", include(debug_toolbar.urls))]
            urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
            urlpatterns += static("/uploads/", document_root=settings.MEDIA_ROOT)

        urlpatterns.append(re_path(r"^health/$", health))
        urlpatterns += [re_path(r"^.*$", TemplateView.as_view(template_name="spa.html"))]
        """
    )
    after = HEADER + textwrap.dedent(
        """
        urlpatterns = [
            path("back/admin/", admin.site.urls),  # the admin
            path("back/api/", include("shop.api.urls")),
            path("", TemplateView.as_view(template_name="index.html")),
        ]

        if settings.DEBUG:
            import debug_toolbar

            urlpatterns += [path("back/__debug__/", include(debug_toolbar.urls))]
            urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
            urlpatterns += static("/back/uploads/", document_root=settings.MEDIA_ROOT)

        urlpatterns.append(re_path(r"^back/health/$", health))
        urlpatterns += [re_path(r"^.*$", TemplateView.as_view(template_name="spa.html"))]
        """
    )
    check(before, after)
    result = run(before)
    assert set(result.scratch["back_routing_segments"]) == {
        "admin",
        "api",
        "__debug__",
        "uploads",
        "health",
    }
    messages = [f.message for f in result.followups]
    assert sum("front-end route" in m for m in messages) == 2
    assert all(f.level == "info" for f in result.followups)
    # the second run still reports which segments are Django's
    again = run(result.code)
    assert set(again.scratch["back_routing_segments"]) >= {"admin", "api", "uploads", "health"}


def test_nested_routes_stay_relative() -> None:
    source = HEADER + textwrap.dedent(
        """
        shop_patterns = [path("cart/", cart)]

        urlpatterns = [
            path("shop/", include([path("items/", items), path("", shop_home)])),
            path("other/", include(shop_patterns)),
        ]
        """
    )
    result = run(source)
    assert (
        'path("back/shop/", include([path("items/", items), path("", shop_home)]))' in result.code
    )
    assert 'shop_patterns = [path("cart/", cart)]' in result.code
    assert 'path("back/other/", include(shop_patterns))' in result.code


def test_concatenated_lists_and_extend_and_insert() -> None:
    check(
        HEADER + 'urlpatterns = [path("a/", a)] + [re_path(r"^b/", b)]\n'
        'urlpatterns.extend([path("c/", c)])\nurlpatterns.insert(0, path("d/", d))\n',
        HEADER + 'urlpatterns = [path("back/a/", a)] + [re_path(r"^back/b/", b)]\n'
        'urlpatterns.extend([path("back/c/", c)])\nurlpatterns.insert(0, path("back/d/", d))\n',
    )


def test_catch_all_forms_are_left_alone() -> None:
    source = HEADER + textwrap.dedent(
        """
        urlpatterns = [
            re_path(r"^(?P<path>.*)$", spa),
            path("<path:resource>", spa),
            url(r"^$", home),
            path("", views.index, name="index"),
        ]
        """
    )
    result = run(source)
    assert result.code == source
    assert len(result.followups) == 4


def test_already_mounted_is_untouched() -> None:
    source = HEADER + textwrap.dedent(
        """
        urlpatterns = [
            path("back/admin/", admin.site.urls),
            re_path(r"^back/api/", include("x.urls")),
            path("back/", include("pages.urls")),
        ]
        """
    )
    result = run(source)
    assert result.code == source
    assert not result.followups


def test_unsafe_forms_become_followups() -> None:
    source = HEADER + textwrap.dedent(
        """
        from django.conf.urls.i18n import i18n_patterns

        PREFIX = "admin/"
        urlpatterns = [
            path(PREFIX, admin.site.urls),
            path(f"{PREFIX}docs/", docs),
            *router.urls,
        ]
        urlpatterns += router.urls
        urlpatterns += i18n_patterns(path("pages/", pages))
        """
    )
    result = run(source)
    assert result.code == source
    messages = "\n".join(f.message for f in result.followups)
    assert "not a plain string literal" in messages
    assert "unpacked" in messages
    assert "router.urls" in messages
    assert "i18n_patterns" in messages
    assert all(f.line > 0 for f in result.followups)


def test_aliased_imports_resolved_by_qualified_name() -> None:
    source = textwrap.dedent(
        """
        from django import urls
        from django.urls import path as p

        def path(x, y):
            return x

        urlpatterns = [
            urls.path("admin/", admin.site.urls),
            p("api/", api),
        ]
        other = [path("admin/", view)]
        """
    )
    result = run(source)
    assert 'urls.path("back/admin/", admin.site.urls)' in result.code
    assert 'p("back/api/", api)' in result.code
    assert 'other = [path("admin/", view)]' in result.code


def test_local_function_named_path_is_not_a_route() -> None:
    source = 'def path(a, b):\n    return a\n\nurlpatterns = [path("admin/", x)]\n'
    result = run(source)
    assert result.code == source
    assert result.followups  # reported: not a Django route call


def test_string_styles_are_kept() -> None:
    check(
        HEADER + "urlpatterns = [url(R'''^api/v1/''', api), re_path(u\"^x/\", x)]\n",
        HEADER + "urlpatterns = [url(R'''^back/api/v1/''', api), re_path(u\"^back/x/\", x)]\n",
    )


@pytest.mark.parametrize(
    ("route", "regex", "segment"),
    [
        ("admin/", False, "admin"),
        ("admin", False, "admin"),
        ("<int:pk>/", False, None),
        ("^api/", True, "api"),
        ("^api$", True, "api"),
        ("^api(?P<v>v1)/", True, None),
        ("robots.txt", False, "robots.txt"),
        ("", False, None),
    ],
)
def test_first_segment(route: str, regex: bool, segment: str | None) -> None:
    assert first_segment(route, regex) == segment
