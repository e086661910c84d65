"""calls: the statistics class of each call, and an index covering what the report reads

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 17:00:00

The rows already imported get their code from the same rules as
``core.callcode.stat_code``, written here in SQL (the same on SQLite and
PostgreSQL; a test checks the two agree).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STAT_CODE_SQL = """
CASE WHEN direction = 'in' AND duration_s > 6 THEN 1
    + CASE WHEN ivr_only OR (answered AND agent_s < 10) THEN 2
           WHEN NOT assigned THEN 4
           WHEN NOT answered THEN 8
           ELSE 16 + 32 + CASE WHEN wait_s <= 30 THEN 128 ELSE 0 END END
    + CASE WHEN hold_s > 10 THEN 64 ELSE 0 END
    + CASE WHEN transferred THEN 256 ELSE 0 END
ELSE 0 END
+ CASE WHEN direction = 'out' THEN 32 ELSE 0 END
+ CASE WHEN direction = 'in' AND busy THEN 512 ELSE 0 END
"""


def upgrade() -> None:
    op.add_column("calls", sa.Column("stat_code", sa.Integer(), nullable=False, server_default="0"))
    op.execute(f"UPDATE calls SET stat_code = {STAT_CODE_SQL}")
    op.create_index(
        "ix_calls_stats",
        "calls",
        ["account_id", "start_at", "stat_code", "work_s", "hold_total_s", "wait_s", "transfer_s"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_calls_stats", table_name="calls")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("stat_code")
