"""account currency and accounts-receivable contact

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("currency", sa.String(length=3), server_default="CAD", nullable=False)
        )
        batch.add_column(sa.Column("receivable_contact", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("receivable_contact")
        batch.drop_column("currency")
