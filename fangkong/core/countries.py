"""Countries by name: the register stores ISO 3166-1 alpha-3 codes (JPN), people read and type names
(日本, or Japan when English is chosen). The names come from the Unicode CLDR data that Babel ships,
so no table of countries is kept here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from babel import Locale
from babel.core import get_global
from django.utils import translation

# Withdrawn codes (ISO 3166-3) CLDR still aliases to a current country: never the code of a name.
WITHDRAWN = frozenset({"BUR", "DDR", "FXX", "TMP", "YMD", "ZAR"})


@lru_cache(maxsize=1)
def _alpha2_by_alpha3() -> dict[str, str]:
    aliases: Mapping[str, list[str]] = get_global("territory_aliases")
    return {
        alias: targets[0]
        for alias, targets in aliases.items()
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and alias not in WITHDRAWN
    }


@lru_cache(maxsize=4)
def _names(language: str) -> dict[str, str]:
    """Alpha-3 code -> the country's name in ``language`` (a Django language code)."""
    territories = Locale.parse(translation.to_locale(language)).territories
    return {
        alpha3: territories[alpha2]
        for alpha3, alpha2 in _alpha2_by_alpha3().items()
        if alpha2 in territories
    }


def country_name(code: str) -> str:
    """JPN -> 日本 in the current language; a code no country has is shown as it is."""
    return _names(translation.get_language() or "zh-hans").get(code.upper(), code)


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    codes: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        for alpha3, name in _names(language).items():
            codes[name.casefold()] = alpha3
    return codes


def country_code(text: str) -> str | None:
    """The alpha-3 code of a country typed by its code (jpn), its Chinese or English name (日本,
    Japan), or a part of a name that only one country has (香港); None if none or several match."""
    typed = text.strip().casefold()
    if not typed:
        return None
    if typed.upper() in _alpha2_by_alpha3():
        return typed.upper()
    codes = _codes_by_name()
    if typed in codes:
        return codes[typed]
    matches = {code for name, code in codes.items() if typed in name}
    return matches.pop() if len(matches) == 1 else None
