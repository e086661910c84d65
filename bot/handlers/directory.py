"""/directory (/bottin): the account's contacts with every phone, SMS and e-mail.

Read-only, as in the portal: the answering service's scripts depend on how the directory
is written, so changes go through the answering service (the reply says so). A search
matches any part of a name, case and accents ignored (``lev`` finds « Lévesque »; every
word of the search must match). Phones are written in the international form
(``+1 514-555-0101``): read at a glance and dialled from anywhere; the reply carries
each as a :class:`~bot.contract.Phone` (as shown, and the number to dial) so that each
platform's renderer makes it tappable where it can. Each contact has a button « on call
when? » that runs ``/oncall next @key``.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

from bot.context import Context
from bot.contract import Action, Command, Phone, Reply
from bot.handlers.paging import page_actions, page_line, take_page
from bot.parsing import ParseError, fold
from bot.registry import CommandSpec
from core.errors import N_, NotFound
from core.oncall.schedules import ContactInfo, account_contacts

PAGE_SIZE = 8  # contacts per page: each takes four lines and a button
MAX_SEARCH = 60  # characters: a name's part, not a paragraph
DEFAULT_REGION = "CA"  # numbers written without a country code are Canadian


def readable_phone(raw: str) -> str:
    """``5145550101`` -> ``+1 514-555-0101``; what cannot be read as a number stays as is."""
    phone = dialable(raw)
    return phone.shown if phone else raw


@lru_cache(maxsize=4096)
def dialable(raw: str) -> Phone | None:
    """``5145550101`` as shown (``+1 514-555-0101``) and dialled (``+15145550101``); None
    for what is not a number (``poste 12``). Remembered: phonenumbers took 60 µs a number,
    two thirds of a directory page, for the same few numbers asked again and again."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return Phone(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    )


def matches(contact: ContactInfo, words: list[str]) -> bool:
    """Whether every searched word is part of the contact's name (folded)."""
    name = fold(contact.name)
    return all(word in name for word in words)


async def directory(command: Command, ctx: Context) -> Reply:
    """``/directory [SEARCH] [page N]``: contacts in name order, a page at a time."""
    assert ctx.account is not None
    page, rest = take_page(command.args, PAGE_SIZE)
    search = " ".join(rest).strip()
    if command.comment is not None:
        search = f"{search} -- {command.comment}".strip()
    if len(search) > MAX_SEARCH:
        raise ParseError(
            N_(
                "That search is too long ({length} characters, at most {max}). Give part of a "
                "name: /directory lev"
            ),
            length=len(search),
            max=MAX_SEARCH,
        )
    async with ctx.db.lookup() as session:  # one statement: no BEGIN/ROLLBACK
        contacts = await account_contacts(session, ctx.account.id)
    words = fold(search).split()
    found = sorted((c for c in contacts if matches(c, words)), key=lambda c: (fold(c.name), c.id))
    shown = found[page.offset : page.offset + page.size]
    if found and not shown:
        raise NotFound(N_("There is no page {page} here."), page=page.number)
    return Reply(
        "\n".join(_lines(ctx, search, found, shown, page)),
        title=ctx.t(N_("Directory of account {number}"), number=ctx.account.number),
        actions=[_when(ctx, c) for c in shown]
        + page_actions(ctx.t, "directory", rest, page, len(found)),
        phones=list(dict.fromkeys(p for c in shown for p in phones(c))),
    )


def phones(contact: ContactInfo) -> list[Phone]:
    """The contact's numbers that can be dialled (phones, then SMS)."""
    found = (dialable(raw) for raw in [*contact.phones, *([contact.sms] if contact.sms else [])])
    return [phone for phone in found if phone is not None]


def _lines(
    ctx: Context, search: str, found: list[ContactInfo], shown: list[ContactInfo], page
) -> list[str]:
    t = ctx.t
    if search and not found:
        head = t(N_("No contact’s name contains “{text}”. /directory lists them all."), text=search)
    elif search:
        head = t(N_("{count} contact(s) matching “{text}”:"), count=len(found), text=search)
    elif not found:
        head = t(N_("The directory is empty."))
    else:
        head = t(N_("{count} contact(s):"), count=len(found))
    lines = [head]
    for contact in shown:
        lines += ["", *contact_lines(ctx, contact)]
    if line := page_line(t, page, len(found)):
        lines += ["", line]
    lines += ["", t(N_("Read-only: changes to the directory go through the answering service."))]
    return lines


def contact_lines(ctx: Context, contact: ContactInfo) -> list[str]:
    """The name, then one line per way to reach them (only those the directory has)."""
    t = ctx.t
    lines = [contact.name]
    if contact.phones:
        phones = " · ".join(readable_phone(p) for p in contact.phones)
        lines.append("  " + t(N_("Phone: {phones}"), phones=phones))
    if contact.sms:
        lines.append("  " + t(N_("SMS: {phone}"), phone=readable_phone(contact.sms)))
    if contact.email:
        lines.append("  " + t(N_("E-mail: {email}"), email=contact.email))
    return lines


def _when(ctx: Context, contact: ContactInfo) -> Action:
    """« On call when? »: the contact's next turns on call (``/oncall next @key``)."""
    return Action(
        ctx.t(N_("On call when? {name}"), name=contact.name), f"/oncall next @{contact.key}"
    )


COMMANDS = [
    CommandSpec(
        "directory",
        directory,
        N_("The account's contacts: phones, SMS, e-mail; search by part of a name."),
        N_("/directory [SEARCH]"),
        aliases=("bottin",),
        examples=("/directory", "/directory lev", "/bottin tremblay"),
    ),
]
