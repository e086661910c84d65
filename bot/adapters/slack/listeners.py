"""What Slack sends, as commands for the dispatcher: bolt listeners.

- a slash command ``/oncall qui`` becomes the text ``/oncall qui``, run by the
  dispatcher; a last word ``share`` (``partager``) outside a comment is taken off and
  makes the replies visible to the channel; a reply carrying a Form (a command that
  lacks arguments, e.g. ``/override`` alone) opens it as a modal (:mod:`.modal`);
- a button press runs the command its ``value`` holds, replying through the action's
  response_url without replacing the message;
- a modal's submission is run before the ack: a refusal comes back on its
  fields (``response_action: errors``), anything else closes it and is posted;
- ``app_home_opened`` publishes the App Home: ``/oncall home`` run for that user and
  rendered, so the adapter computes nothing (the handler decides the window).

Everything but the form acks first and works in a task; a failure there is logged with
a reference (never a token) and answered with the apology the dispatcher also uses.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from typing import Any

from aiohttp import ClientSession
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.modal import (
    CALLBACK_ID,
    OPEN_ACTION,
    FormError,
    Origin,
    can_show,
    form_command,
    form_modal,
)
from bot.adapters.slack.people import Directory, actor_of, channel_of, conversation_of
from bot.adapters.slack.people import conversation as conversation_at
from bot.adapters.slack.render import ACTION_PREFIX, clip, home_view, text_message, unescape
from bot.adapters.slack.send import Target, deliver, send
from bot.contract import Actor, Conversation, Reply, Visibility
from bot.dispatch import Dispatcher
from bot.i18n import Catalogs, Translator, negotiate
from bot.parsing import SHARE
from core.errors import N_

log = logging.getLogger("garde.slack")

COMMENT_MARKS = frozenset({"--", "\u2014", "\u2013"})
SORRY = N_("Sorry, something went wrong (reference {ref}).")
FORM_BUDGET = 2.0  # seconds the form's command may take before the ack (Slack allows 3)
FORM_LOCALE_WAIT = 0.5  # seconds users.info may take before the form opens (trigger: 3 s)
MAX_FIELD_ERROR = 1000


def split_share(text: str) -> tuple[str, bool]:
    """Take a final ``share`` off the command text; a word of a comment stays."""
    words = text.split()
    if not words or words[-1].casefold() not in SHARE:
        return text.strip(), False
    if any(word in COMMENT_MARKS for word in words[:-1]):
        return text.strip(), False  # "-- please share" is the comment's own word
    return text.rstrip()[: -len(words[-1])].rstrip(), True


def is_refusal(replies: list[Reply]) -> bool:
    """Replies that only say something to the asker: no change announced, nothing to press."""
    return all(r.visibility is Visibility.EPHEMERAL and not r.actions for r in replies)


Spawn = Callable[..., None]  # runs a coroutine after the ack: spawn(work, urgent=False)


class Listeners:
    """Bolt listeners bound to the services the adapter hands in (never the adapter)."""

    def __init__(
        self,
        *,
        directory: Directory,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        clock: Callable[[], datetime],
        http: Callable[[], ClientSession | None],
        spawn: Spawn,
        scoped: bool = False,
    ) -> None:
        self._scoped = scoped  # several workspaces: conversation ids carry the team
        self._directory, self._dispatcher, self._catalogs, self._clock = (
            directory,
            dispatcher,
            catalogs,
            clock,
        )
        self._http, self._spawn_work = http, spawn
        self._default = dispatcher.settings.default_locale

    def register(self, app: AsyncApp) -> None:
        app.command(re.compile(r"^/\S+$"))(self.on_command)
        app.action(re.compile(rf"^{re.escape(ACTION_PREFIX)}\d+$"))(self.on_button)
        app.action(OPEN_ACTION)(self.on_open_form)
        app.view(CALLBACK_ID)(self.on_form)
        app.event("app_home_opened")(self.on_home)

    # ----------------------------------------------------------------- listeners

    async def on_command(self, ack, body: dict, client: AsyncWebClient) -> None:
        await ack()
        name = str(body.get("command", "")).lstrip("/")
        text, share = split_share(unescape(body.get("text") or ""))
        actor, where = actor_of(body), self._where(body)
        target = Target(actor.user_id, channel_of(body), body.get("response_url") or "")
        trigger = body.get("trigger_id")
        work = self._run(client, actor, where, f"/{name} {text}".rstrip(), target, share, trigger)
        # A bare command may answer with a form, whose trigger lives 3 s: start at once.
        self._spawn(work, client, target, actor, urgent=not text)

    async def on_button(self, ack, body: dict, action: dict, client: AsyncWebClient) -> None:
        await ack()
        actor, where = actor_of(body), self._where(body)
        target = Target(
            actor.user_id,
            channel_of(body),
            body.get("response_url") or "",
            replace_original=False,
        )
        command = str(action.get("value") or "")
        work = self._run(client, actor, where, command, target, trigger_id=body.get("trigger_id"))
        self._spawn(work, client, target, actor)

    async def on_open_form(self, ack, body: dict, client: AsyncWebClient) -> None:
        await ack()
        actor, where = actor_of(body), self._where(body)
        target = Target(actor.user_id, channel_of(body))
        trigger = body.get("trigger_id")
        work = self._run(client, actor, where, "/override", target, trigger_id=trigger)
        self._spawn(work, client, target, actor, urgent=True)

    async def on_form(self, ack, body: dict, view: dict, client: AsyncWebClient) -> None:
        """Run the form's command before the ack, so that a refusal shows on the form."""
        actor = self._known(actor_of(body))
        origin = Origin.load(view.get("private_metadata"))
        where = conversation_at(
            origin.channel_id, actor.team_id, actor.user_id, scoped=self._scoped, direct=False
        )
        target = Target(actor.user_id, origin.channel_id, origin.response_url)
        work = asyncio.ensure_future(self._form_replies(actor, where, origin, view))
        done, _ = await asyncio.wait([work], timeout=FORM_BUDGET)
        if not done:  # slow today: close the form and post the outcome when it comes
            await ack()
            self._spawn(self._late(work, client, target, actor), client, target, actor)
            return
        try:
            replies = work.result()
        except FormError as error:
            await ack(response_action="errors", errors={error.field: error.message})
            return
        except Exception:
            ref = self._log_failure()
            errors = {_refusal_field(origin): self._sorry(actor, ref)}
            await ack(response_action="errors", errors=errors)
            return
        if is_refusal(replies):
            message = clip("\n".join(r.text for r in replies if r.text), MAX_FIELD_ERROR)
            await ack(response_action="errors", errors={_refusal_field(origin): message})
            return
        await ack()
        self._spawn(self._deliver(client, target, replies, actor), client, target, actor)

    async def on_home(self, ack, event: dict, body: dict, client: AsyncWebClient) -> None:
        await ack()
        if event.get("tab", "home") != "home":
            return
        actor = actor_of(body)
        self._spawn(self._home(client, actor), client, None, actor)

    # ----------------------------------------------------------------- the work

    async def _run(
        self,
        client: AsyncWebClient,
        actor: Actor,
        conversation: Conversation,
        text: str,
        target: Target,
        share: bool = False,
        trigger_id: str | None = None,
    ) -> None:
        """Run a command; a reply carrying a Form opens it as a modal when it can."""
        wait = FORM_LOCALE_WAIT if trigger_id else 2.0  # a trigger_id lives 3 s
        actor = await self._located(client, actor, wait)
        replies = await self._dispatcher.run(text, actor, conversation, self._clock())
        form = next((r.form for r in replies if r.form is not None), None)
        if form is not None and trigger_id and can_show(form):
            view = form_modal(form, target.channel_id, target.response_url)
            await client.views_open(trigger_id=trigger_id, view=view)
            return
        await self._deliver(client, target, replies, actor, share)

    async def _deliver(
        self,
        client: AsyncWebClient,
        target: Target,
        replies: list[Reply],
        actor: Actor,
        share: bool = False,
    ) -> None:
        mentions = await self._directory.mentions(actor)
        session = self._http()
        await deliver(client, session, target, replies, share=share, mentions=mentions)

    async def _form_replies(
        self, actor: Actor, conversation: Conversation, origin: Origin, view: dict
    ) -> list[Reply]:
        required = self._translator(actor)(N_("This field is required."))
        values = view.get("state", {}).get("values", {})
        text = form_command(origin, values, required)
        return await self._dispatcher.run(text, actor, conversation, self._clock())

    async def _late(self, work: asyncio.Future, client, target: Target, actor: Actor) -> None:
        try:
            replies = await work
        except FormError as error:
            replies = [Reply(error.message)]
        await self._deliver(client, target, replies, actor)

    async def _home(self, client: AsyncWebClient, actor: Actor) -> None:
        """``/oncall home`` for this user (who now, the coverage of the next days), as given."""
        actor = await self._located(client, actor)
        person = await self._directory.person(actor)
        now = self._clock()
        where = conversation_at("", actor.team_id, actor.user_id, scoped=self._scoped)
        replies = await self._dispatcher.run("/oncall home", actor, where, now)
        extra: list[dict] = []
        if person is not None and person.timezone is not None:  # a user with an account
            label = self._catalogs.translator(person.lang)(N_("Override"))
            extra = [_open_button(label)]
        mentions = await self._directory.mentions(actor)
        view = home_view(replies, mentions, extra)
        await client.views_publish(user_id=actor.user_id, view=view)

    # ----------------------------------------------------------------- helpers

    def _where(self, body: dict) -> Conversation:
        return conversation_of(body, scoped=self._scoped)

    def _known(self, actor: Actor) -> Actor:
        return replace(actor, locale_hint=self._directory.known_locale(actor))

    async def _located(self, client: AsyncWebClient, actor: Actor, wait: float = 2.0) -> Actor:
        locale = await self._directory.locale(client, actor, wait)
        return replace(actor, locale_hint=locale)

    def _spawn(
        self,
        work: Coroutine[Any, Any, None],
        client: AsyncWebClient,
        target: Target | None,
        actor: Actor,
        *,
        urgent: bool = False,
    ) -> None:
        self._spawn_work(self._guarded(work, client, target, actor), urgent=urgent)

    async def _guarded(self, work, client, target: Target | None, actor: Actor) -> None:
        """Run the work after the ack; a failure is logged and the user gets an apology."""
        try:
            await work
        except Exception:
            ref = self._log_failure()
            try:
                message = text_message(self._sorry(actor, ref))
                if target is None:
                    view = {"type": "home", "blocks": message.blocks}
                    await client.views_publish(user_id=actor.user_id, view=view)
                else:
                    await send(client, self._http(), target, "ephemeral", message)
            except Exception as error:
                log.warning("slack: no apology sent (reference %s): %s", ref, type(error).__name__)

    def _log_failure(self) -> str:
        ref = secrets.token_hex(4)
        log.exception("slack: a request failed after its ack (reference %s)", ref)
        return ref

    def _sorry(self, actor: Actor, ref: str) -> str:
        return self._translator(actor)(SORRY, ref=ref)

    def _translator(self, actor: Actor) -> Translator:
        """The adapter's own words (an apology, a required field) in the user's Slack
        language, known without waiting."""
        hint = actor.locale_hint or self._directory.known_locale(actor)
        return self._catalogs.translator(negotiate(hint, default=self._default))


def _refusal_field(origin: Origin) -> str:
    """The field that shows a refusal of the whole command: the first date and time
    (what a refused change is most often about), else the first field."""
    names = [name for name, kind, _ in origin.fields if kind == "datetime"]
    names += [name for name, _, _ in origin.fields]
    return names[0] if names else "start"


def _open_button(label: str) -> dict:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": OPEN_ACTION,
                "text": {"type": "plain_text", "text": clip(label, 75)},
                "style": "primary",
                "value": "open",
            }
        ],
    }


__all__ = ["Listeners", "is_refusal", "split_share"]
