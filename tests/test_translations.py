"""The catalogues: complete, in step with the code, and used by the pages and the email."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import get_domain
from sqlalchemy import select

from workflow.config import Defaults
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.compose import render_message
from workflow.notify.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "workflow" / "translations"
LOCALES = sorted(
    d.name for d in TRANSLATIONS.iterdir() if (d / "LC_MESSAGES" / "messages.po").is_file()
)
# The keywords the extract command at the top of babel.cfg passes with -k.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["_l", "lazy_gettext", "lazy_ngettext:1,2"])}
# printf-style conversions, including %% (a literal percent sign that must stay doubled).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
CYRILLIC = re.compile("[\u0400-\u04ff]")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


@cache
def read_catalogue(locale: str) -> Catalog:
    """Return the parsed .po catalogue of `locale`."""
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def translate(locale: str, msgid: str) -> str:
    """Return the catalogue's translation of `msgid`, failing the test when it has none."""
    message = read_catalogue(locale).get(msgid)
    assert message is not None and message.string, f"{msgid!r} is not translated to {locale}"
    return message.string


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def compile_catalogue(po: Path, mo: Path) -> None:
    """Write the .mo for `po` the way `pybabel compile --use-fuzzy` (make install) does."""
    with po.open("rb") as f:
        catalog = read_po(f)
    # Another test run may read the .mo at the same moment: never show it half written.
    partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
    with partial.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=True)
    os.replace(partial, mo)


@pytest.fixture(scope="session")
def compiled(app: Flask) -> None:
    """Compile every catalogue whose .mo is missing or older than its .po (pytest without make)."""
    stale = []
    for locale in LOCALES:
        po = po_path(locale)
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            compile_catalogue(po, mo)
            stale.append(locale)
    if stale:
        # Flask-Babel keeps a locale's translations for the process's lifetime once loaded: an
        # earlier test may have loaded them before this compiled the catalogue.
        with app.app_context():
            get_domain().cache.clear()


def extracted_messages() -> dict[tuple[str, str | None], list[str]]:
    """Extract the translatable strings from the code and templates the way babel.cfg says."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


def listing(lines: Iterable[str]) -> str:
    return "\n".join(f"  {line}" for line in lines)


# --- the catalogue ------------------------------------------------------------------------------


def test_every_language_offered_has_a_catalogue():
    offered = set(Defaults.LANGUAGES) - {Defaults.BABEL_DEFAULT_LOCALE}
    assert offered, "LANGUAGES offers no language besides the default"
    assert offered <= set(LOCALES), f"no catalogue for {sorted(offered - set(LOCALES))}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_keeps_its_placeholders(locale):
    catalog = read_catalogue(locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy (check it, then remove the mark): {english[0]!r}")
        if not all(forms):
            problems.append(f"untranslated: {english[0]!r}")
            continue
        for index, form in enumerate(forms):
            source = english[min(index, len(english) - 1)]
            if placeholders(form) != placeholders(source):
                problems.append(
                    f"placeholders differ: {source!r} has {placeholders(source)}, "
                    f"{form!r} has {placeholders(form)}"
                )
    problems += [f"{m.id!r}: {e}" for m, errors in catalog.check() for e in errors]
    assert not problems, f"{po_path(locale).relative_to(ROOT)}:\n{listing(problems)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_in_the_code_is_in_the_catalogue(locale):
    catalog = read_catalogue(locale)
    found = extracted_messages()
    missing = [
        f"{msgid!r} ({', '.join(places)})"
        for (msgid, context), places in found.items()
        if catalog.get(msgid, context) is None
    ]
    assert not missing, (
        f"{len(missing)} translatable strings are not in {po_path(locale).relative_to(ROOT)}; "
        f"run the commands at the top of babel.cfg and translate them:\n{listing(missing)}"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_the_catalogue_holds_no_string_the_code_no_longer_uses(locale):
    found = extracted_messages()
    unused = [
        repr(m.id)
        for m in read_catalogue(locale)
        if m.id and ((m.id[0] if isinstance(m.id, tuple) else m.id), m.context) not in found
    ]
    assert not unused, (
        f"{po_path(locale).relative_to(ROOT)} translates strings no code uses; "
        f"`pybabel update ... --ignore-obsolete` (see babel.cfg) drops them:\n{listing(unused)}"
    )


# --- in use -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "locale"),
    [("mn-MN,mn;q=0.9,en;q=0.8", "mn"), ("mn", "mn"), ("en-GB,en;q=0.9", "en")],
)
def test_the_overview_page_speaks_the_browsers_language(
    compiled, client, cast, create_commitment_, accept_language, locale
):
    create_commitment_(cast.plan, cast.drafter)
    response = client.get("/", headers={"Accept-Language": accept_language})
    assert response.status_code == 200
    body = html.unescape(response.get_data(as_text=True))

    assert f'<html lang="{locale}">' in body
    # The switch offers each language under its own name, whatever the page's language.
    assert ">Монгол</" in body  # each language under its own name
    body = re.sub(r'<nav class="language-switch".*?</nav>', "", body, flags=re.S)
    if locale == "en":
        assert '<td class="state" data-label="State">Draft</td>' in body
        assert not CYRILLIC.search(body)
        return
    draft = translate(locale, "Draft")
    assert CYRILLIC.search(draft)
    state = translate(locale, "State")
    assert f'<td class="state" data-label="{state}">{draft}</td>' in body
    assert f"<h1>{translate(locale, 'Action plans')}</h1>" in body
    assert ">Draft</td>" not in body
    assert "Action plans" not in body


def test_each_recipient_gets_the_transition_mail_in_their_language(
    compiled, cast, create_commitment_
):
    cast.cso1.language = "mn"
    commitment = create_commitment_(cast.plan, cast.drafter)
    fire(commitment, "submit", cast.drafter, comment="Ready for review.")
    db.session.flush()
    # What the dispatcher does when it sends each row: render it in its recipient's language.
    mail = {
        m.recipient_id: render_message(m)
        for m in db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient_id.in_([cast.cso1.id, cast.cso2.id])
            )
        )
    }
    mongolian, english = mail[cast.cso1.id], mail[cast.cso2.id]
    assert (mongolian.language, english.language) == ("mn", "en")

    def tr(msgid: str) -> str:
        return translate("mn", msgid)

    short = tr("Commitment %(number)s") % {"number": commitment.number}
    subject = tr("%(short)s submitted for civil-society review") % {"short": short}
    assert mongolian.subject == f"[{cast.plan.slug}] {subject}"
    assert english.subject.endswith(
        f"] Commitment {commitment.number} submitted for civil-society review"
    )
    # The reviewers are asked to act: the event's words for them, not the generic account.
    lead = tr("A draft commitment is ready for your civil-society review.")
    moved = tr("The %(kind)s moved from %(from)s to %(to)s.") % {
        "kind": tr("commitment"),
        "from": tr("Draft"),
        "to": tr("Civil-society review"),
    }
    asked = tr("Please review the draft, comment on it, then endorse it or request changes.")
    for body in (mongolian.text, html.unescape(mongolian.html)):
        assert moved in body
        assert asked in body
        assert lead in body
        assert "Ready for review." in body  # the comment is the actor's, never translated
        assert "Civil-society review" not in body

    assert "The commitment moved from Draft to Civil-society review." in english.text
    assert "Please review the draft, comment on it, then endorse it or request changes." in (
        english.text
    )
    for text in (english.subject, english.text, english.html):
        assert not CYRILLIC.search(text), text
