"""The account's information pages (« Infos »), as the portal lists them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import InfoPage


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    body: str


async def info_pages(session: AsyncSession, account_id: int) -> list[Page]:
    """The account's pages in the portal's order."""
    rows = await session.scalars(
        select(InfoPage).where(InfoPage.account_id == account_id).order_by(InfoPage.position)
    )
    return [Page(p.title, p.body) for p in rows]
