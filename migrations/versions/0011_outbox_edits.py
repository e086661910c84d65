"""outbox: a push may edit an earlier one's message; the platform's id of what was sent

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-04 10:00:00

``edits`` holds the dedupe key of the push whose message is edited (an urgent page,
edited to say who took it); ``sent_ref`` the platform's id of the message a push posted.
Both empty for the rows already there: their messages are not edited, a note is sent.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("edits", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("sent_ref", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("sent_ref")
        batch.drop_column("edits")
