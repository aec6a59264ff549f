"""The English catalogue: complete, true to its placeholders, compiled, and what English
readers actually get on the main pages."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from inspection.models import VisitStatus
from inspection.months import month_of
from inspection.services.planning import assignment_set
from inspection.visit_template import visit_template_columns

MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"
# printf-style directives as Python's % operator reads them, "%%" included.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
# Han ideographs and CJK/full-width punctuation.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass
class Entry:
    fields: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def msgid(self) -> str:
        return self.fields["msgid"]

    def translations(self) -> list[tuple[str, str]]:
        """(source, translation) pairs: each plural form against the msgid it renders."""
        if "msgid_plural" not in self.fields:
            return [(self.msgid, self.fields.get("msgstr", ""))]
        forms = sorted(k for k in self.fields if k.startswith("msgstr["))
        return [
            (self.msgid if k == "msgstr[0]" else self.fields["msgid_plural"], self.fields[k])
            for k in forms
        ]


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete "#~" ones left out), header included."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, key = Entry(), None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry = None
                break
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith('"'):
                entry.fields[key] += ast.literal_eval(line)
            elif line and not line.startswith("#"):
                key, _, value = line.partition(" ")
                entry.fields[key] = ast.literal_eval(value)
        if entry is not None and "msgid" in entry.fields:
            entries.append(entry)
    return entries


@pytest.fixture(autouse=True)
def _back_to_chinese():
    """The locale middleware leaves English active in the thread after an English
    request; later tests that render without a request expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_po(MESSAGES / "django.po")


def test_the_catalogue_has_hundreds_of_messages(catalogue):
    assert len(catalogue) > 500


def test_no_message_is_left_untranslated_or_fuzzy(catalogue):
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in catalogue[1:] if not all(t for _, t in e.translations())]
    assert fuzzy == []
    assert untranslated == []


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    broken = [
        (source, translation)
        for entry in catalogue[1:]
        for source, translation in entry.translations()
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation))
    ]
    assert broken == []


def test_the_header_declares_english_plurals(catalogue):
    header = catalogue[0].fields["msgstr"]
    assert "Language: en\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header


def test_the_committed_mo_file_is_compiled_from_the_po_file(catalogue):
    with open(MESSAGES / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in catalogue[1:]:
        context = entry.fields.get("msgctxt")
        if "msgid_plural" in entry.fields:
            forms = [
                compiled.ngettext(entry.msgid, entry.fields["msgid_plural"], n) for n in (1, 2)
            ]
            expected = [entry.fields["msgstr[0]"], entry.fields["msgstr[1]"]]
        elif context is not None:
            forms, expected = [compiled.pgettext(context, entry.msgid)], [entry.fields["msgstr"]]
        else:
            forms, expected = [compiled.gettext(entry.msgid)], [entry.fields["msgstr"]]
        if forms != expected:
            stale.append(entry.msgid)
    assert stale == []


# --- Pages in English ------------------------------------------------------------


class ChromeText(HTMLParser):
    """The text of the interface's own chrome: title, navigation, headings, labels,
    buttons, table headers, badges and footer. Data (store names, the standard's item
    texts) lives in cells and lists, and the language menu names each language in itself,
    so options are left out."""

    CHROME_TAGS = {"title", "nav", "h1", "h2", "h3", "h4", "h5", "h6", "label", "button"}
    CHROME_TAGS |= {"th", "summary", "footer", "legend"}
    CHROME_CLASSES = {"btn", "badge", "navbar-brand", "nav-link"}
    SKIPPED = {"option", "script", "style"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append((tag, tag in self.CHROME_TAGS or bool(classes & self.CHROME_CLASSES)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(tag in self.SKIPPED for tag, _ in self.stack):
            return
        if data.strip() and any(chrome for _, chrome in self.stack):
            self.texts.append(data.strip())


def chrome_of(response) -> list[str]:
    parser = ChromeText()
    parser.feed(response.content.decode())
    return parser.texts


def english_get(client, url):
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    return response


def assert_english(texts: list[str], *expected: str):
    assert [text for text in texts if CJK.search(text)] == []
    joined = "\n".join(texts)
    for text in expected:
        assert text in joined


def test_the_login_page_reads_in_english(client):
    texts = chrome_of(english_get(client, reverse("login")))
    assert_english(texts, "Store Service Inspections", "Log in", "Username", "Password")


def test_without_the_cookie_the_login_page_stays_chinese(client):
    texts = chrome_of(client.get(reverse("login")))
    assert "登录" in texts
    assert "Log in" not in texts


def test_the_rankings_read_in_english_for_headquarters(client, hq, store, make_visit):
    make_visit(store, {"A1-03": {"occurrences": 1}})
    client.force_login(hq)
    texts = chrome_of(english_get(client, reverse("rankings")))
    assert_english(
        texts,
        "Monthly rankings",
        "Overview",
        "Review visits",
        "Imports",
        "Rank",
        "Store",
        "Branch",
        "Base score",
        "Bonus",
        "Total",
        "Stores not inspected this month",
        "Log out",
    )


def test_the_inspector_home_reads_in_english(client, inspector, hq, store, make_visit):
    # A person's name is data; give the inspector one that is not Chinese.
    inspector.first_name = "Wang"
    inspector.save()
    today = timezone.localdate()
    assignment_set(
        store=store, month=month_of(timezone.now()), inspector=inspector, planned_on=today, by=hq
    )
    make_visit(store, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    texts = chrome_of(english_get(client, reverse("inspector-home")))
    assert_english(
        texts,
        "My visits",
        "Today's visits",
        "Other visits planned for",
        "Drafts in progress",
        "Submitted, awaiting review",
        "Arrived — start visit",
    )


# --- The standard's own texts ----------------------------------------------------


def test_the_visit_summary_shows_the_standards_english_texts(
    client, standard, inspector, store, make_visit
):
    item = standard.items.select_related("section").get(code="A1-03")
    visit = make_visit(store, {"A1-03": {"occurrences": 1}}, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    page = english_get(client, reverse("visit-summary", args=[visit.pk])).content.decode()
    assert escape(item.text_en) in page
    assert escape(item.section.name_en) in page
    assert item.text not in page


def test_the_visit_summary_keeps_the_chinese_texts_without_the_cookie(
    client, standard, inspector, store, make_visit
):
    item = standard.items.get(code="A1-03")
    visit = make_visit(store, {"A1-03": {"occurrences": 1}}, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    page = client.get(reverse("visit-summary", args=[visit.pk])).content.decode()
    assert item.text in page
    assert item.text_en not in page


def test_the_store_page_shows_visit_details_in_english(
    client, standard, hq, inspector, store, make_visit
):
    # A person's name is data; give the inspector one that is not Chinese.
    inspector.first_name = "Wang"
    inspector.save()
    item = standard.items.get(code="B1a-03")
    make_visit(store, {"B1a-03": {"occurrences": 1}, "B2a-01": {"measurement": 16}})
    client.force_login(hq)
    page = english_get(client, reverse("store-detail", args=[store.pk])).content.decode()
    assert escape(item.text_en) in page
    assert item.text not in page
    assert "Inspector: Wang" in page
    assert "Measured: 16.0 min" in page
    assert not re.search(r"[：（）、]", page)


def test_the_visit_template_guide_reads_in_english(standard):
    with translation.override("en"):
        columns = dict(visit_template_columns(standard))
    # The "沟通100" brand keeps its name in English, so look at columns without it.
    assert CJK.search(columns["A4-03"]) is None
    assert CJK.search(columns["A4-07"]) is None
    assert (
        "Standard hall, Phone mall, Township hall (Peak time or rain/snow): 20 min; "
        in (columns["A4-03"])
    )
    assert "City: at least 5, County/suburban: at least 4; " in columns["A4-07"]


def test_the_visit_form_gives_each_sections_rule_in_english(
    client, standard, inspector, store, make_visit
):
    visit = make_visit(store, {}, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    page = english_get(client, reverse("visit-form", args=[visit.pk])).content.decode()
    for section in standard.sections.filter(is_scored=True):
        assert section.rule_en
        assert escape(section.rule_en) in page
        assert section.rule not in page


def test_the_visit_forms_conflict_banner_reads_in_english(client, inspector, store, make_visit):
    visit = make_visit(store, {}, status=VisitStatus.DRAFT)
    client.force_login(inspector)
    response = english_get(client, reverse("visit-form", args=[visit.pk]))
    texts = response.context["texts"]
    assert {"Checklist item", "This page", "Saved version"} <= set(chrome_of(response))
    assert texts["blank"] == "Nothing recorded"
    assert texts["times"] == "×%(n)s"
