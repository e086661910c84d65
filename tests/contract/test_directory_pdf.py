"""/directory (/bottin), « on call when? », and /oncall pdf read back with pypdf."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.builders import CONTACTS, account_doc, load, shift, snapshot

LEVESQUE = {
    "key": "chantal",
    "name": "Chantal Lévesque",
    "phones": ["514 555 0188", "poste 12"],
    "sms": "+33 6 12 34 56 78",
    "email": "chantal@example.com",
}


async def with_levesque(garde) -> None:
    doc = account_doc([], number="4000", contacts=[*CONTACTS, LEVESQUE])
    await load(garde.db, doc)


async def test_search_any_part_of_the_name_accents_and_case_ignored(ask, garde):
    await with_levesque(garde)
    for search in ("lev", "LÉVES", "chantal lev", "esque"):
        (reply,) = await ask(f"/directory {search}")
        assert "Chantal Lévesque" in reply.text, search
        assert "Luc Lambert" not in reply.text
    (reply,) = await ask("/directory lev")
    assert "  Phone: +1 514-555-0188 · poste 12" in reply.text  # unreadable kept as typed
    assert "  SMS: +33 6 12 34 56 78" in reply.text
    assert "  E-mail: chantal@example.com" in reply.text
    assert reply.text.endswith("changes to the directory go through the answering service.")
    assert [(a.label, a.command) for a in reply.actions] == [
        ("On call when? Chantal Lévesque", "/oncall next @chantal")
    ]


async def test_directory_in_french_and_pages(ask, garde):
    (reply,) = await ask("/bottin", lang="fr")
    assert reply.title == "Bottin du compte 4000"
    assert reply.text.startswith("7 contact(s) :")
    assert "Téléphone : +1 514-555-0102 · +1 514-555-0202" in reply.text
    assert "Page 1 sur 1" not in reply.text
    (reply,) = await ask("/bottin tremblay", lang="fr")
    assert reply.text.startswith("2 contact(s) contenant « tremblay » :")
    (none,) = await ask("/directory zzz")
    assert none.text.startswith("No contact’s name contains “zzz”.")


async def test_another_accounts_contacts_are_never_listed(ask):
    (reply,) = await ask("/directory", account="4000")
    (other,) = await ask("/directory", account="4100")
    mine = {line for line in reply.text.splitlines() if not line.startswith(" ")}
    theirs = {line for line in other.text.splitlines() if not line.startswith(" ")}
    assert "Luc Lambert" in mine and "Luc Lambert" not in theirs


async def test_a_search_of_300_characters_is_refused_and_writes_nothing(ask, garde):
    await ask("/directory")
    before = await snapshot(garde.db)
    (reply,) = await ask("/directory " + "a" * 300)
    assert reply.text.startswith("That search is too long (300 characters, at most 60).")
    (fr,) = await ask("/bottin " + "a" * 300, lang="fr")
    assert fr.text.startswith("Cette recherche est trop longue (300 caractères")
    assert await snapshot(garde.db) == before


async def test_on_call_when_button_lists_the_contacts_turns(ask, garde):
    (reply,) = await ask("/oncall next @luc")
    assert reply.title == "Luc Lambert"
    lines = reply.text.splitlines()
    assert lines[0] == "When Luc Lambert is on call:"
    assert lines[1].startswith("Now, until Mon, Mar 17")
    assert all("Luc" not in line for line in lines[1:])  # turns, not other people
    assert (
        lines[2]
        == "Mon, Apr 7 7:30\u202fa.m. to Mon, Apr 14 7:30\u202fa.m. · 01 Horaire, rank 0 (Rotation)"
    )
    await with_levesque(garde)
    (nobody,) = await ask("/oncall next @chantal")
    assert nobody.text == "Chantal Lévesque is not on call in the next 35 days."


def read_pdf(reply) -> PdfReader:
    (file,) = reply.files
    assert file.content_type == "application/pdf" and file.name.endswith(".pdf")
    return PdfReader(io.BytesIO(file.path.read_bytes()))


async def test_month_pdf_has_calendar_then_shifts_in_french(ask):
    (reply,) = await ask('/garde pdf mois 2025-03 "01 Horaire"', lang="fr")
    pdf = read_pdf(reply)
    assert len(pdf.pages) == 2
    first, second = (page.extract_text() for page in pdf.pages)
    assert "Demo Genesis (4000) · 01 Horaire" in first
    assert "Mois de mars 2025" in first and "Heures de America/Toronto." in first
    assert "couverture partielle" in first and "aucune couverture" in first
    assert "mar. 18 mars : 00 h 00 – 24 h 00 (aucune couverture)" in first
    assert "Quarts de mars 2025" in second and "Relève" in second and "Hélène Roy" in second
    assert "Page 2 sur 2" in second


async def test_week_pdf_fits_one_page_with_french_typography(ask, garde):
    comment = "Cœur d’équipe « urgence » à l’été"
    item = shift("s1", "2025-03-10T07:30", "2025-03-17T07:30") | {"comment": comment}
    await load(garde.db, account_doc([{"name": "Équipe", "shifts": [item]}], number="4300"))
    doc = {"users": [{"username": "demo", "accounts": {"4000": "admin", "4300": "viewer"}}]}
    await load(garde.db, doc)
    (reply,) = await ask("/oncall pdf week 2025-03-12 a4", account="4300")
    pdf = read_pdf(reply)
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())  # a cell's lines joined
    assert comment in text and "Week from Mon, Mar 10, 2025 to Sun, Mar 16, 2025" in text
    assert [round(float(v)) for v in pdf.pages[0].mediabox[2:]] == [595, 842]  # A4
    (letter,) = await ask("/oncall pdf week 2025-03-12", account="4300")
    assert [round(float(v)) for v in read_pdf(letter).pages[0].mediabox[2:]] == [612, 792]


async def test_pdf_bad_input(ask):
    (reply,) = await ask("/oncall pdf year")
    assert reply.text.startswith("“year” is neither week or month, a date")
    assert not reply.files
    (fr,) = await ask("/garde pdf année", lang="fr")
    assert fr.text.startswith("« année » n’est ni semaine ou mois")
