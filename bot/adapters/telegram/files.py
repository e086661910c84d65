"""The files of a reply, sent to a Telegram chat: a recording plays in place
(``sendAudio`` with its title and duration), a picture shows (``sendPhoto``), anything
else is a document; a chat action says what is coming while it uploads. A file over the
Bot API's limit is not sent: the chat is told what the handler said to say instead (a
recording's signed link) or the file's size and the limit.
"""

from __future__ import annotations

import asyncio

from telegram import Bot, InputFile
from telegram.constants import ChatAction

from bot.contract import Attachment
from bot.i18n import Translator
from core.errors import N_

UPLOAD_ACTIONS = {"audio": ChatAction.UPLOAD_VOICE, "image": ChatAction.UPLOAD_PHOTO}


async def send_file(bot: Bot, chat_id: int, attachment: Attachment) -> None:
    """Upload one file the way its content type is best shown."""
    kind = attachment.content_type.split("/", 1)[0]
    await bot.send_chat_action(chat_id, UPLOAD_ACTIONS.get(kind, ChatAction.UPLOAD_DOCUMENT))
    data = await asyncio.to_thread(attachment.path.read_bytes)
    upload = InputFile(data, filename=attachment.name)
    caption = attachment.caption
    if kind == "audio":
        await bot.send_audio(
            chat_id,
            upload,
            title=attachment.title,
            caption=caption,
            duration=attachment.duration_s,
        )
    elif kind == "image":
        await bot.send_photo(chat_id, upload, caption=caption)
    else:
        await bot.send_document(chat_id, upload, caption=caption)


def too_large(attachment: Attachment, size: int, limit: int, t: Translator) -> str:
    """What to say instead of a file over the platform's limit: the handler's
    fallback (a recording's signed link) when it gave one."""
    if attachment.fallback:
        return attachment.fallback
    return t(
        N_("{name} is too large to send here ({size} MB; the limit is {limit} MB)."),
        name=attachment.name,
        size=round(size / 1024 / 1024),
        limit=round(limit / 1024 / 1024),
    )
