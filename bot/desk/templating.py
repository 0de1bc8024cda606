"""The desk's Jinja2 environment, built once: templates from ``templates/``, compiled on
first use and kept (no reload checks), every value escaped, an unknown name an error.

Templates call the admin's translator as ``t("desk_title")``, the very call the code
makes, so ``pybabel extract`` reads the message ids out of them (``babel.cfg``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)


def template(name: str) -> Template:
    """A template, compiled now: the modules that render call this at import."""
    return ENV.get_template(name)


def render(page: Template, **context: Any) -> str:
    return page.render(**context)
