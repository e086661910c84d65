"""calls: the local day and wall-clock time of each call, the report's index on them,
and the calls' statistics kept per local day (call_day_stats)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:00:00

The statistics report groups calls per local day and class: with the local day stored
and leading the covering index, the database reads the calls in group order instead of
sorting them (SQLite has no hash aggregate). The rows already imported get their local
start from their account's zone, computed in Python (no SQL zone function is common to
SQLite and PostgreSQL), a batch at a time; ``fill`` takes a connection so a test can
run it on its own. ``call_day_stats`` is then counted from the calls by one
``INSERT … SELECT`` (``count_days``), as ``core.records.daystats.recount`` does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 5000
SUMMED = ("work_s", "hold_total_s", "wait_s", "transfer_s")
OLD_INDEX = [
    "account_id",
    "start_at",
    "stat_code",
    "work_s",
    "hold_total_s",
    "wait_s",
    "transfer_s",
]
NEW_INDEX = [
    "account_id",
    "local_day",
    "stat_code",
    "local_s",
    "work_s",
    "hold_total_s",
    "wait_s",
    "transfer_s",
]

accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("timezone", sa.String))
calls = sa.table(
    "calls",
    sa.column("id", sa.Integer),
    sa.column("account_id", sa.Integer),
    sa.column("start_at", sa.DateTime(timezone=True)),
    sa.column("local_day", sa.Integer),
    sa.column("local_s", sa.Integer),
)


def _local(start: datetime, tz: ZoneInfo) -> tuple[int, int]:
    # The same rule as core.callcode.local_start, frozen here as of this revision.
    if start.tzinfo is None:  # SQLite's text holds UTC without an offset
        start = start.replace(tzinfo=UTC)
    local = start.astimezone(tz)
    return local.toordinal(), local.hour * 3600 + local.minute * 60 + local.second


def fill(conn: sa.Connection) -> None:
    """Write the local day and time of every call in its account's zone, in id order."""
    update = (
        calls.update()
        .where(calls.c.id == sa.bindparam("i"))
        .values(local_day=sa.bindparam("d"), local_s=sa.bindparam("s"))
    )
    zones: dict[str, ZoneInfo] = {}
    after = 0
    while True:
        rows = conn.execute(
            sa.select(calls.c.id, calls.c.start_at, accounts.c.timezone)
            .join(accounts, accounts.c.id == calls.c.account_id)
            .where(calls.c.id > after)
            .order_by(calls.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        values = []
        for i, start, name in rows:
            day, seconds = _local(start, zones.setdefault(name, ZoneInfo(name)))
            values.append({"i": i, "d": day, "s": seconds})
        conn.execute(update, values)
        after = rows[-1][0]


def count_days(conn: sa.Connection) -> None:
    """Count every account's calls per local day and class into ``call_day_stats``."""
    key = "account_id, local_day, stat_code"
    conn.execute(
        sa.text(
            f"INSERT INTO call_day_stats ({key}, calls, {', '.join(SUMMED)}) "
            f"SELECT {key}, count(*), {', '.join(f'sum({c})' for c in SUMMED)} "
            f"FROM calls GROUP BY {key}"
        )
    )


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("local_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("local_s", sa.Integer(), nullable=True))
    fill(op.get_bind())
    with op.batch_alter_table("calls") as batch:
        batch.alter_column("local_day", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("local_s", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_calls_stats", table_name="calls")
    op.create_index("ix_calls_stats_local", "calls", NEW_INDEX, unique=False)
    op.create_table(
        "call_day_stats",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Integer(), nullable=False),
        sa.Column("stat_code", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in SUMMED),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_call_day_stats_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "local_day", "stat_code", name=op.f("pk_call_day_stats")
        ),
    )
    count_days(op.get_bind())


def downgrade() -> None:
    op.drop_table("call_day_stats")
    op.drop_index("ix_calls_stats_local", table_name="calls")
    op.create_index("ix_calls_stats", "calls", OLD_INDEX, unique=False)
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("local_s")
        batch.drop_column("local_day")
