"""callback tokens bound to who they were made for

A Telegram button token now records the conversation it was sent to, the user it was
made for and that user's account then; a press by anyone else is refused. Tokens made
before carry none of this, so they are removed (they lapse after 7 days anyway).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM callback_tokens")
    with op.batch_alter_table("callback_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("user_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_tokens", schema=None) as batch_op:
        batch_op.drop_column("account_id")
        batch_op.drop_column("user_id")
        batch_op.drop_column("conversation_id")
