"""What `modelw-preset-django` of one release brings (model-w.md part 2, section 7).

The knowledge file of the release (`knowledge/<release>.json`, produced from
the real preset) is read first: `"requires"` maps every distribution the
preset always installs to its specifier, `"extras"` maps each extra to the
distributions it adds (a dict name -> specifier, or a list of names), and
`"preset_pin"` may give the exact pin. When a release has no such keys yet,
a small fallback table copied from model-w.md section 7 stands in; `source`
says which one was used so the step can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PRESET = "modelw-preset-django"

_COMMON_2024 = {
    "django": "~=4.2.0",
    "argon2-cffi": "",
    "asgiref": "",
    "sqlparse": "",
    "dj-database-url": "~=2.2.0",
    "django-postgres-extra": "~=2.0.0",
    "psycopg2": "~=2.9.0",
    "djangorestframework": "~=3.15.0",
    "djangorestframework-gis": "~=1.0.0",
    "django-wailer": ">=1.0.0b2,<1.1",
    "django-sms": "",
    "django-phonenumber-field": "",
    "phonenumbers": "",
    "premailer": "",
    "httpx": "",
    "node-edge": "",
    "typing-extensions": "",
    "whitenoise": "~=6.7.0",
    "redis": "~=5.1.0",
    "sentry-sdk": "~=2.15.0",
    "coloredlogs": "~=15.0.0",
    "rich": "~=13.9.0",
    "psutil": ">=5.9.8,<6",
    "setuptools": "",
    "modelw-env-manager": "~=1.0.0",
    "pyyaml": "",
    "python-dotenv": "<2",
}
_EXTRAS_2024 = {
    "celery": {"celery": "~=5.4.0", "django-celery-results": "~=2.5.0"},
    "channels": {"channels": "~=4.1.0", "channels-redis": "~=4.2.0", "daphne": ""},
    "gunicorn": {"gunicorn": "~=23.0.0"},
    "health": {"django-health-check": "~=3.18.0"},
    "storages": {"django-storages": "~=1.14.0", "boto3": "~=1.35.0"},
    "wagtail": {"wagtail": "~=6.2.0", "wand": "~=0.6.0", "django-storages": "", "boto3": ""},
}
_COMMON_2026 = {
    **{k: v for k, v in _COMMON_2024.items() if k not in ("psycopg2", "django", "dj-database-url")},
    "django": "~=6.0.0",
    "dj-database-url": "~=3.1.0",
    "djangorestframework": "~=3.17.0",
    "djangorestframework-gis": "~=1.2.0",
    "whitenoise": "~=6.12.0",
    "redis": "~=6.4.0",
    "sentry-sdk": "~=2.64.0",
    "rich": "~=14.3.0",
    "psutil": ">=7.2,<8",
    "granian": "~=2.7.0",
    "django-ipware": "~=7.0.1",
}
_EXTRAS_2026 = {
    "celery": {"celery": "", "django-celery-results": ""},
    "channels": {"channels": "", "channels-redis": ""},
    "health": {"django-health-check": ""},
    "storages": {"django-storages": "", "boto3": ""},
    "wagtail": {"wagtail": "~=7.4.0", "wand": "", "django-storages": "", "boto3": ""},
    "ninja": {"django-ninja": "~=1.6.0", "email-validator": ""},
    "procrastinate": {"procrastinate": "~=3.9.0"},
    "psycopg": {"psycopg": ""},
    "psycopg2": {"psycopg2": ""},
}
FALLBACK = {
    "2024.10": (_COMMON_2024, _EXTRAS_2024),
    "2025.7": (_COMMON_2026 | {"django": "~=5.2.0", "dj-database-url": ""}, _EXTRAS_2026),
    "2026.7": (_COMMON_2026, _EXTRAS_2026),
}

# Which legacy distribution (or service) calls for which extra.
EXTRA_TRIGGERS = {
    "celery": {"celery", "django-celery-results"},
    "channels": {"channels", "channels-redis", "daphne"},
    "health": {"django-health-check"},
    "storages": {"django-storages", "boto3"},
    "wagtail": {"wagtail"},
    "ninja": {"django-ninja"},
    "procrastinate": {"procrastinate"},
}
# Env-reading libraries the settings step replaces: Python module -> distribution.
ENV_LIBRARIES = {
    "environ": "django-environ",
    "decouple": "python-decouple",
    "environs": "environs",
    "dotenv": "python-dotenv",
    "dj_database_url": "dj-database-url",
    "django_cache_url": "django-cache-url",
    # include() fragments are inlined into one module by the settings step
    "split_settings": "django-split-settings",
}
# Of ENV_LIBRARIES, those that structure settings rather than read the environment.
SETTINGS_LIBRARIES = frozenset({"split_settings"})


@dataclass
class PresetKnowledge:
    release: str
    pin: str
    requires: dict[str, str]  # canonical name -> specifier ("" when unknown)
    extras: dict[str, dict[str, str]]
    source: str  # "knowledge" or "fallback"
    notes: list[str] = field(default_factory=list)

    def brought(self, extras: list[str]) -> dict[str, str]:
        """Every distribution the preset installs with these extras."""
        result = dict(self.requires)
        for extra in extras:
            for name, spec in self.extras.get(extra, {}).items():
                result.setdefault(name, spec)
        return result


def _as_specs(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        specs = {}
        for key, item in value.items():
            if isinstance(item, dict):  # {"specifier": ">=4.2,<4.3", "extras": [...], ...}
                if "daphne" in item.get("extras", []):
                    specs["daphne"] = ""  # channels[daphne]
                item = item.get("specifier", "")
            specs[canonicalize_name(key)] = str(item or "")
        return specs
    if isinstance(value, list):
        specs = {}
        for item in value:
            from packaging.requirements import InvalidRequirement, Requirement

            try:
                req = Requirement(str(item))
                specs[canonicalize_name(req.name)] = str(req.specifier)
            except InvalidRequirement:
                specs[canonicalize_name(str(item))] = ""
        return specs
    return {}


def preset_pin(release: dict[str, Any]) -> str:
    if release.get("preset_pin"):
        return str(release["preset_pin"])
    preset = release.get("preset")
    if isinstance(preset, dict):  # the detail file: {"version": ..., "pin": ...}
        if preset.get("pin"):
            return str(preset["pin"])
        preset = preset.get("version")
    version = Version(str(preset or f"{release['release']}.0"))
    return f">={version},<{version.major}.{version.minor + 1}.0"


def load(release: dict[str, Any]) -> PresetKnowledge:
    name = str(release.get("release", ""))
    pin = preset_pin(release)
    if release.get("requires"):
        requires = _as_specs(release["requires"])
        extras = {str(k): _as_specs(v) for k, v in (release.get("extras") or {}).items()}
        return PresetKnowledge(name, pin, requires, extras, "knowledge")
    common, extras = FALLBACK.get(name, FALLBACK["2024.10"])
    return PresetKnowledge(
        name,
        pin,
        dict(common),
        {k: dict(v) for k, v in extras.items()},
        "fallback",
        [
            f'the knowledge file of Model W {name} has no "requires"/"extras" yet: '
            "the preset's dependencies come from a built-in list (model-w.md section 7)"
        ],
    )


def conflicts(legacy: SpecifierSet, preset: str) -> bool:
    """True when no version satisfies both the legacy constraint and the preset's."""
    try:
        theirs = SpecifierSet(preset)
    except InvalidSpecifier:
        return False
    if not str(legacy) or not str(theirs):
        return False
    probes: set[Version] = set()
    for spec in list(legacy) + list(theirs):
        try:
            base = Version(spec.version.replace(".*", ""))
        except InvalidVersion:
            continue
        release = list(base.release) + [0, 0]
        major, minor, micro = release[:3]
        for candidate in (
            f"{major}.{minor}.{micro}",
            f"{major}.{minor}.{micro + 1}",
            f"{major}.{minor}.99",
            f"{major}.{minor + 1}.0",
            f"{major}.{minor + 1}.99",
            f"{major + 1}.0.0",
            f"{max(major - 1, 0)}.99.99",
            str(base),
        ):
            probes.add(Version(candidate))
    combined = SpecifierSet(f"{legacy},{theirs}")
    return not any(combined.contains(v, prereleases=True) for v in probes)
