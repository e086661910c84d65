"""calls: caller_digits for the caller search, indexed with the account and start

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _digits(caller_id: str | None) -> str | None:
    # The same rule as core.records.calls.caller_digits, frozen here as of this revision.
    digits = re.sub(r"\D", "", caller_id or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits[:32] or None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("caller_digits", sa.String(length=32), nullable=True))
    calls = sa.table(
        "calls", sa.column("id", sa.Integer), sa.column("caller_id"), sa.column("caller_digits")
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(calls.c.id, calls.c.caller_id).where(calls.c.caller_id.is_not(None))
    )
    updates = [{"i": i, "d": _digits(c)} for i, c in rows]
    if updates:
        conn.execute(
            calls.update()
            .where(calls.c.id == sa.bindparam("i"))
            .values(caller_digits=sa.bindparam("d")),
            updates,
        )
    op.create_index(
        "ix_calls_account_caller",
        "calls",
        ["account_id", "caller_digits", "start_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_calls_account_caller", table_name="calls")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("caller_digits")
