"""The gettext catalogs: complete, consistent with each other, compilable, and current.

Message ids are symbolic (``ask_uk_phone``), so every catalog, English included, must
translate every id of ``locales/messages.pot``, and that template must hold every id the
code marks (the extraction below uses the Makefile's keywords and ``babel.cfg``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from io import BytesIO
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[1]
LOCALES_DIR = ROOT / "locales"
TEMPLATE = LOCALES_DIR / "messages.pot"
LOCALES = ("en", "zh_Hans", "id")
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "zh_Hans": "nplurals=1; plural=0;",
    "id": "nplurals=1; plural=0;",  # Babel's own data says two forms: it is wrong for Indonesian
}
# Entries that are rightly the same words in English and in the other language.
SAME_AS_ENGLISH = {
    ("id", "market_id"),  # "🇮🇩 Indonesia"
    ("id", "label_nik"),  # "NIK"
    ("id", "label_nib"),  # "NIB"
    ("id", "button_product_item"),  # "{number}. {title}"
    ("id", "offer_field"),  # "• {label}: {value}" (Chinese has its own colon)
    ("id", "role_operator"),  # "operator" is the Indonesian word too
    ("id", "actor_admin"),  # "admin {user}": "admin" is the Indonesian word too
    ("id", "audit_target_admin"),  # "admin #{id}"
    ("id", "audit_field_format"),  # "format"
    ("id", "audit_field_state"),  # "status"
}
MAX_LENGTH = {"button_": 20, "command_": 40}  # inline button labels, command menu entries
COMMANDS = ("/status", "/back", "/restart", "/language", "/help")
PLACEHOLDER_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _key(message: Message) -> str:
    """The singular msgid of a message (plural messages have a tuple id)."""
    return message.id if isinstance(message.id, str) else message.id[0]


def _forms(message: Message) -> tuple[str, ...]:
    """Every msgstr of a message: one, or one per plural form."""
    string = message.string
    return (string,) if isinstance(string, str) else tuple(string)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@cache
def template() -> Catalog:
    return _read(TEMPLATE)


@cache
def catalog(locale: str) -> Catalog:
    return _read(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", locale)


def entries(locale: str) -> Iterator[Message]:
    """The catalog's messages, header left out."""
    return (message for message in catalog(locale) if message.id)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a ``str.format`` text; refuses anything fancier."""
    names = set()
    for _, name, spec, conversion in Formatter().parse(text):
        if name is None:
            continue
        assert PLACEHOLDER_NAME.fullmatch(name), f"{name!r} is not a plain placeholder"
        assert not spec and conversion is None, f"{{{name}}} has a format spec or conversion"
        names.add(name)
    return names


def extracted_ids() -> set[str | tuple[str, ...]]:
    """The message ids the code marks, extracted as ``make extract`` does."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if line.startswith("EXTRACT_KEYWORDS"))
    assert "--no-default-keywords" in line
    keywords = parse_keywords(re.findall(r"-k\s+(\S+)", line))
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = Catalog()
    for _, _, message, _, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        found.add(message, None, context=context)
    return {message.id for message in found if message.id}


@pytest.fixture(params=LOCALES)
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_template_is_up_to_date() -> None:
    """A message marked in the code but not in the template: run `make update-catalogs`."""
    in_template = {message.id for message in template() if message.id}
    code = extracted_ids()
    assert sorted(map(str, code - in_template)) == [], "missing from messages.pot"
    assert sorted(map(str, in_template - code)) == [], "in messages.pot but not in the code"


def test_catalog_has_every_template_message(locale: str) -> None:
    wanted = {message.id for message in template() if message.id}
    present = {message.id for message in entries(locale)}
    assert sorted(map(str, wanted - present)) == []
    assert sorted(map(str, present - wanted)) == [], "ids that are no longer in the template"


def test_catalog_has_no_obsolete_entries(locale: str) -> None:
    assert list(catalog(locale).obsolete) == []


def test_nothing_is_fuzzy(locale: str) -> None:
    assert not catalog(locale).fuzzy, "the header is fuzzy"
    assert [message.id for message in entries(locale) if message.fuzzy] == []


def test_every_msgstr_is_filled(locale: str) -> None:
    nplurals = catalog(locale).num_plurals
    empty = []
    for message in entries(locale):
        forms = _forms(message)
        if message.pluralizable and len(forms) != nplurals:
            empty.append(f"{_key(message)}: {len(forms)} forms")
        empty.extend(_key(message) for form in forms if not form.strip())
    assert empty == []


def test_plural_forms_header(locale: str) -> None:
    assert catalog(locale).plural_forms == PLURAL_FORMS[locale]
    content = (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert f'"Plural-Forms: {PLURAL_FORMS[locale]}\\n"' in content


def test_placeholders_agree_across_languages() -> None:
    """Every form of every translation of a message uses the same ``{name}`` set."""
    differing = {}
    for message in template():
        if not message.id:
            continue
        key = _key(message)
        seen = {
            (locale, index): placeholders(form)
            for locale in LOCALES
            for index, form in enumerate(_forms(catalog(locale)[key]))
        }
        if len(set(map(frozenset, seen.values()))) > 1:
            differing[key] = seen
    assert differing == {}


@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_translations_are_not_english(locale: str) -> None:
    english = catalog("en")
    same = [
        _key(message)
        for message in entries(locale)
        if (locale, _key(message)) not in SAME_AS_ENGLISH
        and any(form in _forms(english[_key(message)]) for form in _forms(message))
    ]
    assert same == []


def test_buttons_and_commands_are_short(locale: str) -> None:
    too_long = [
        (_key(message), form)
        for message in entries(locale)
        for prefix, limit in MAX_LENGTH.items()
        if _key(message).startswith(prefix)
        for form in _forms(message)
        if len(form) > limit
    ]
    assert too_long == []


@pytest.mark.parametrize("msgid", ["help_text", "unknown_command"])
def test_commands_are_named_untranslated(locale: str, msgid: str) -> None:
    text = catalog(locale)[msgid].string
    assert [command for command in COMMANDS if command not in text] == []


def test_catalog_compiles_and_translates(locale: str) -> None:
    compiled = BytesIO()
    write_mo(compiled, catalog(locale))
    compiled.seek(0)
    translations = Translations(compiled, domain="messages")
    step = translations.gettext("progress_step")
    assert step != "progress_step"
    assert placeholders(step) == {"position", "total"}
    assert step.format(position=2, total=7)
    one = translations.ngettext("summary_products", "summary_products_plural", 1)
    many = translations.ngettext("summary_products", "summary_products_plural", 5)
    assert "summary_products" not in one + many
    assert (one == many) is (catalog(locale).num_plurals == 1)
