"""What an adapter may read of an account's directory, for presentation only.

Slack shows a contact as a mention (``<@U0LUC>``) when the directory knows the contact's
Slack user: the renderer needs the name -> Slack id map of the user's active account.
That is a read of the directory, which adapters do not do themselves (the import-linter
contract "adapters read no core service"); this neutral service does it for them and
decides nothing.
"""

from __future__ import annotations

from core.db import Database
from core.oncall.schedules import account_contacts


async def slack_mentions(db: Database, account_id: int) -> dict[str, str]:
    """Contact name -> Slack user id, for the account's contacts linked to Slack."""
    async with db.read() as session:
        contacts = await account_contacts(session, account_id)
    return {c.name: c.slack_user_id for c in contacts if c.slack_user_id}
