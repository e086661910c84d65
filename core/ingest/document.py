"""The import document of ``data-format.md``: its shape, and every problem it has.

Validation runs before anything is written and collects all problems, each with
its JSON path (``accounts[0].schedules[1].shifts[3].end``) and a message key, so
an operator fixes the whole document in one pass.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from core.errors import N_, GardeError, Np_
from core.localtime import is_valid_zone, zone
from core.text import printable

Role = Literal["viewer", "scheduler", "admin"]
Lang = Literal["fr", "en"]
Text = Field(min_length=1, max_length=200)
Key = Field(min_length=1, max_length=64)
# data-format.md: account numbers, every ``id`` and ``key``. They never become paths, and
# this rule keeps them from looking like one (no ``/``, no leading ``.``, no control).
IDENTIFIER = r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"
Ident = Annotated[str, StringConstraints(strip_whitespace=True, pattern=IDENTIFIER)]
MAX_INT = 2**31 - 1  # what every integer column holds, on PostgreSQL too
# Times and dates Garde can compute with (a week later, a local midnight) and store.
MIN_YEAR, MAX_YEAR = 1900, 2199


def _no_text_number(value: Any) -> Any:
    """Integers are JSON numbers: ``"3"`` or ``true`` is not one, ``3.0`` is refused too."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "not an integer")
    return value


def _decimal_text(value: Any) -> Any:
    """Amounts are decimal strings (``"12.50"``) or whole numbers, never floats or booleans."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PydanticCustomError("decimal_type", "not a decimal string")
    return value


Int = Annotated[int, BeforeValidator(_no_text_number), Field(ge=0, le=MAX_INT)]
Amount = Annotated[Decimal, BeforeValidator(_decimal_text), Field(max_digits=12, decimal_places=2)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_controls(cls, value: Any) -> Any:
        """Free text loses its control characters (terminal escapes): see ``printable``."""
        return printable(value)


class ContactIn(_Model):
    key: Ident
    name: str = Text
    phones: list[str] = []
    sms: str | None = None
    email: str | None = None
    slack_user_id: str | None = Field(None, max_length=32)
    telegram_username: str | None = Field(None, max_length=64)


class ShiftIn(_Model):
    id: Ident
    start: str
    end: str
    rank: Annotated[Int, Field(le=99)] = 0
    shift: str = Field("", max_length=100)
    role: str = Field("", max_length=100)
    contact: Ident | None = None
    comment: str | None = None


class ScheduleIn(_Model):
    name: str = Text
    timezone: str | None = None
    shifts: list[ShiftIn] = []


class HistoryIn(_Model):
    at: str
    event: str = Field(min_length=1, max_length=64)
    detail: str | None = None


class MessageIn(_Model):
    id: Ident
    taken_at: str
    subject: str = Field("", max_length=200)
    urgent: StrictBool = False
    status: Literal["open", "closed"] = "open"
    agent: str | None = Field(None, max_length=100)
    fields: list[tuple[str, str]] = []
    history: list[HistoryIn] = []
    schedule: str | None = Field(None, min_length=1, max_length=200)


class CallIn(_Model):
    id: Ident
    start: str
    duration_s: Int
    direction: Literal["in", "out"] = "in"
    caller_id: str | None = Field(None, max_length=32)
    agent: str | None = Field(None, max_length=100)
    ivr_only: StrictBool = False
    assigned: StrictBool = False
    answered: StrictBool = False
    agent_s: Int = 0
    wait_s: Int = 0
    hold_s: Int = 0
    hold_total_s: Int = 0
    work_s: Int = 0
    transferred: StrictBool = False
    transfer_s: Int = 0
    busy: StrictBool = False
    recording: str | None = None
    billed: StrictBool = False
    billable_units: Int = 0
    charge: Amount | None = None


class BillingIn(_Model):
    date: date
    kind: Literal["invoice", "payment", "credit"]
    reference: str = Key
    amount: Amount

    @field_validator("date")
    @classmethod
    def _in_range(cls, value: date) -> date:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise PydanticCustomError("date_range", "out of range")
        return value


class InfoPageIn(_Model):
    title: str = Text
    body: str = ""


class AccountIn(_Model):
    number: Annotated[Ident, Field(max_length=32)]
    name: str | None = Field(None, min_length=1, max_length=200)
    timezone: str | None = None
    locale: Lang | None = None
    billing_number: str | None = None
    escalate_after_minutes: int | None = Field(None, ge=1, le=1440)
    currency: str | None = Field(None, min_length=3, max_length=3)
    receivable_contact: str | None = Field(None, min_length=1, max_length=300)
    contacts: list[ContactIn] = []
    schedules: list[ScheduleIn] = []
    messages: list[MessageIn] = []
    calls: list[CallIn] = []
    billing: list[BillingIn] = []
    info_pages: list[InfoPageIn] = []


class SlackIdIn(_Model):
    team_id: str = Key
    user_id: str = Key


class TelegramIdIn(_Model):
    user_id: Annotated[int, BeforeValidator(_no_text_number), Field(ge=1, le=2**63 - 1)]


class UserIn(_Model):
    username: str = Key
    name: str = Field("", max_length=200)
    locale: Lang | None = None
    accounts: dict[Ident, Role] = {}
    contacts: dict[Ident, Ident] = {}  # account number -> contact key: which contact this user is
    slack: list[SlackIdIn] = []
    telegram: list[TelegramIdIn] = []


class Document(_Model):
    accounts: list[AccountIn] = []
    users: list[UserIn] = []


class Problem(BaseModel):
    """One thing wrong with a document: where, and a message key with parameters."""

    path: str
    key: str
    params: dict[str, Any] = {}


class InvalidDocument(GardeError):
    """The document was refused whole; ``problems`` says everything that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            Np_(
                "The document has {count} problem; nothing was imported.",
                "The document has {count} problems; nothing was imported.",
            ),
            count=len(problems),
        )
        self.problems = problems


def json_path(loc: tuple[int | str, ...]) -> str:
    """``("accounts", 0, "number")`` -> ``accounts[0].number``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


_PYDANTIC_KEYS = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("Unknown field."),
    "string_type": N_("Expected text."),
    "string_too_short": N_("Must not be empty."),
    "string_too_long": N_("Too long: at most {max_length} characters."),
    "int_type": N_("Expected a whole number."),
    "int_parsing": N_("Expected a whole number."),
    "int_from_float": N_("Expected a whole number."),
    "greater_than_equal": N_("Must be {ge} or more."),
    "less_than_equal": N_("Must be {le} or less."),
    "bool_type": N_("Expected true or false."),
    "bool_parsing": N_("Expected true or false."),
    "literal_error": N_("Expected one of: {expected}."),
    "decimal_parsing": N_('Expected a decimal amount such as "12.50".'),
    "decimal_type": N_('Expected a decimal amount such as "12.50".'),
    "date_from_datetime_parsing": N_("Expected a date such as 2025-05-01."),
    "date_parsing": N_("Expected a date such as 2025-05-01."),
    "date_type": N_("Expected a date such as 2025-05-01."),
    "list_type": N_("Expected a list."),
    "tuple_type": N_("Expected a [name, value] pair."),
    "too_long": N_("Expected a [name, value] pair."),
    "too_short": N_("Expected a [name, value] pair."),
    "dict_type": N_("Expected an object."),
    "string_pattern_mismatch": N_(
        "An identifier is 1 to 64 letters, digits, “.”, “_” or “-”, not starting with “.”."
    ),
    "decimal_max_digits": N_(
        "Too large: at most 10 digits before the decimal point and 2 after it."
    ),
    "decimal_whole_digits": N_(
        "Too large: at most 10 digits before the decimal point and 2 after it."
    ),
    "decimal_max_places": N_(
        "Too large: at most 10 digits before the decimal point and 2 after it."
    ),
    "finite_number": N_('Expected a decimal amount such as "12.50".'),
    "date_range": N_("Out of range: years {min}–{max}."),
    "model_type": N_("Expected an object."),
    "model_attributes_type": N_("Expected an object."),
}


def shape_problems(error: ValidationError) -> list[Problem]:
    """Pydantic's errors as problems with JSON paths and translatable messages."""
    problems = []
    for err in error.errors(include_url=False):
        key = _PYDANTIC_KEYS.get(err["type"], N_("Invalid value."))
        ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
        if err["type"] == "date_range":
            ctx.update(min=str(MIN_YEAR), max=str(MAX_YEAR))
        problems.append(Problem(path=json_path(tuple(err["loc"])), key=key, params=ctx))
    return problems


def parse_document(raw: Any) -> Document:
    """The document's shape, or ``InvalidDocument`` listing every shape problem."""
    try:
        return Document.model_validate(raw)
    except ValidationError as exc:
        raise InvalidDocument(shape_problems(exc)) from None


def parse_time(text: str, tz_name: str) -> tuple[datetime | None, str | None]:
    """An ISO 8601 time as aware UTC; naive times are local to ``tz_name``.

    Returns ``(time, None)`` or ``(None, message key)`` for a malformed time, a local
    time in a DST gap, or (naive only) a local time that happens twice is taken first.
    """
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None, N_("“{value}” is not an ISO 8601 time such as 2025-05-01T07:30.")
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:  # 9999-12-31 in a zone overflows
        return None, N_("{value} is out of range: years {min}–{max}.")
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC), None
    tz = zone(tz_name)
    aware = parsed.replace(tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != parsed:
        return None, N_("{value} does not exist in {zone}: the clocks skip that hour.")
    return aware.astimezone(UTC), None


def zone_problem(name: str | None) -> str | None:
    """A message key when ``name`` is not a known IANA zone."""
    if name is None or is_valid_zone(name):
        return None
    return N_("“{value}” is not a time zone; use an IANA name such as America/Toronto.")
