"""The override form (views.open, view_submission) and the App Home (views.publish).

Demo facts: today Wed 2025-03-12 10:00 Toronto; « 01 Horaire » rank 0 #3 Luc from
Mon 03-10 07:30 to Mon 03-17 07:30, then #5; new refs of account 4000 start at #51.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.models import Override
from testing.fake_slack import ALICE, TEAM, slack_env

TZ = ZoneInfo("America/Toronto")


@pytest.fixture
async def env(db, db_url, tmp_path):
    async with slack_env(db_url, tmp_path) as e:
        yield e


def stamp(month: int, day: int, hour: int) -> int:
    return int(datetime(2025, month, day, hour, 0, tzinfo=TZ).timestamp())


def values(contact: str | None, start: int, end: int, schedule="01 Horaire", comment=None):
    """The ``view.state.values`` Slack sends when the form is submitted."""
    option = {"text": {"type": "plain_text", "text": "x"}, "value": contact} if contact else None
    return {
        "contact": {"value": {"type": "static_select", "selected_option": option}},
        "start": {"value": {"type": "datetimepicker", "selected_date_time": start}},
        "end": {"value": {"type": "datetimepicker", "selected_date_time": end}},
        "schedule": {
            "value": {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": schedule},
            }
        },
        "comment": {"value": {"type": "plain_text_input", "value": comment}},
    }


async def open_form(env) -> dict:
    response = await env.command("/override")
    assert response.status == 200
    [opened] = await env.fake.wait_for("views.open")
    assert opened["trigger_id"] == "1337.42.abcd"
    return opened["view"]


async def submit(env, view: dict, state: dict):
    return await env.interact(
        {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "demo"},
            "user": {"id": ALICE, "username": "alice", "team_id": TEAM},
            "api_app_id": "A0GARDE",
            "trigger_id": "1337.44.abcd",
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "state": {"values": state},
            },
        }
    )


async def press(env, command: str, response_url: str) -> None:
    """A press of a Garde button whose value is ``command``, as Slack posts it."""
    button = {"type": "button", "action_id": "garde.cmd.0", "value": command}
    await env.interact(
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": ALICE, "team_id": TEAM},
            "trigger_id": "1337.46.abcd",
            "channel": {"id": "C0OPS"},
            "response_url": response_url,
            "actions": [button],
        }
    )


async def overrides(env) -> list[Override]:
    async with env.garde.db.read() as session:
        return list(await session.scalars(select(Override).order_by(Override.ref)))


async def test_override_alone_opens_a_form_with_contacts_times_and_schedules(env):
    view = await open_form(env)
    assert view["type"] == "modal" and view["title"]["text"] == "Override"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == ["contact", "start", "end", "schedule", "comment"]
    people = {o["text"]["text"]: o["value"] for o in blocks["contact"]["element"]["options"]}
    assert people["Luc Lambert"] == "@luc"
    assert blocks["start"]["element"]["type"] == "datetimepicker"
    assert blocks["start"]["element"]["initial_date_time"] == stamp(3, 12, 11)
    schedules = [o["value"] for o in blocks["schedule"]["element"]["options"]]
    assert schedules == ["01 Horaire", "02 Soirs"]
    assert blocks["comment"]["optional"] is True
    assert env.fake.calls_to("response_url") == []


async def test_a_valid_form_saves_the_override_and_announces_it(env):
    view = await open_form(env)
    state = values("@marc", stamp(3, 13, 8), stamp(3, 14, 8), comment="Luc est\nmalade")
    response = await submit(env, view, state)
    assert response.status == 200
    assert await response.text() == ""  # the form closes
    [saved] = await env.fake.wait_for("response_url")
    assert saved["response_type"] == "in_channel"
    text = saved["blocks"][0]["text"]["text"]
    assert text.startswith("Override #51 saved: Marc")
    [override] = await overrides(env)
    assert override.start_at == datetime(2025, 3, 13, 8, tzinfo=TZ)
    assert override.end_at == datetime(2025, 3, 14, 8, tzinfo=TZ)
    assert override.comment == "Luc est malade"


async def test_a_form_across_two_shifts_posts_the_plan_with_confirm(env):
    view = await open_form(env)
    response = await submit(env, view, values("@marc", stamp(3, 16, 12), stamp(3, 18, 12)))
    assert await response.text() == ""
    [plan] = await env.fake.wait_for("response_url")
    assert plan["response_type"] == "ephemeral"
    confirm = {
        e["text"]["text"]: e["value"]
        for b in plan["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }["Confirm"]
    assert (
        confirm == '/override @marc 2025-03-16 12:00 2025-03-18 12:00 "01 Horaire" rank 0 confirm'
    )
    assert await overrides(env) == []


async def test_a_refused_form_shows_the_reason_on_its_fields(env):
    view = await open_form(env)
    response = await submit(env, view, values("@marc", stamp(3, 14, 8), stamp(3, 13, 8)))
    assert response.status == 200
    answer = await response.json()
    assert answer["response_action"] == "errors"
    assert "is not after the start" in answer["errors"]["start"]
    missing = await submit(env, view, values(None, stamp(3, 13, 8), stamp(3, 14, 8)))
    assert (await missing.json())["errors"] == {"contact": "This field is required."}
    await env.settle()
    assert await overrides(env) == []
    assert env.fake.calls_to("response_url") == []


async def test_an_unlinked_user_gets_the_linking_instructions_instead_of_a_form(env):
    await env.command("/override", user="U0STRANGER")
    [reply] = await env.fake.wait_for("response_url")
    assert "/link CODE" in reply["blocks"][0]["text"]["text"]
    assert env.fake.calls_to("views.open") == []


async def test_the_app_home_shows_who_is_on_call_and_the_coverage(env):
    response = await env.event(
        {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home"}
    )
    assert response.status == 200
    [published] = await env.fake.wait_for("views.publish")
    assert published["user_id"] == ALICE
    blocks = published["view"]["blocks"]
    assert blocks[0]["elements"][0]["action_id"] == "garde.override.open"
    headers = [b["text"]["text"] for b in blocks if b["type"] == "header"]
    assert headers == ["01 Horaire", "02 Soirs", "01 Horaire", "02 Soirs"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert sections[0].startswith("On call now:\nRank 0 (Rotation): <@U0LUC>")
    grids = [s for s in sections if s.startswith("```")]
    assert len(grids) == 2 and "🟩" in grids[0]

    await env.interact(  # the Override button of the Home opens the form
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": ALICE, "team_id": TEAM},
            "trigger_id": "1337.45.abcd",
            "container": {"type": "view", "view_id": "V1"},
            "view": {"id": "V1", "type": "home"},
            "actions": [{"type": "button", "action_id": "garde.override.open", "value": "open"}],
        }
    )
    [opened] = await env.fake.wait_for("views.open")
    assert opened["trigger_id"] == "1337.45.abcd"


async def test_the_app_home_of_an_unlinked_user_says_how_to_link(env):
    await env.event({"type": "app_home_opened", "user": "U0STRANGER", "tab": "home"})
    [published] = await env.fake.wait_for("views.publish")
    [block] = published["view"]["blocks"]
    assert "/link CODE" in block["text"]["text"]


async def test_the_form_speaks_the_users_slack_language_fr(env):
    env.fake.locales[ALICE] = "fr-CA"
    view = await open_form(env)
    assert view["title"]["text"] == "Remplacement"
    labels = [b["label"]["text"] for b in view["blocks"]]
    assert labels == ["Contact", "Début", "Fin", "Horaire", "Commentaire"]
    response = await submit(env, view, values("@marc", stamp(3, 14, 8), stamp(3, 13, 8)))
    errors = (await response.json())["errors"]
    assert errors["start"].startswith("La fin (jeu. 13 mars 08 h 00) n'est pas après le début")


async def test_a_button_whose_command_lacks_arguments_opens_the_form_given_so_far(env):
    await press(env, "/override marc", "https://hooks.slack.test/actions/1")
    [opened] = await env.fake.wait_for("views.open")
    assert opened["trigger_id"] == "1337.46.abcd"
    blocks = {b["block_id"]: b for b in opened["view"]["blocks"]}
    chosen = blocks["contact"]["element"]["initial_option"]
    assert chosen["value"] == "@marc" and chosen["text"]["text"] == "Marc Bouchard"
    assert env.fake.calls_to("response_url") == []


async def test_a_cover_it_button_opens_a_form_asking_the_contact_and_saves(env):
    cover = '/override 2025-03-17 07:30 2025-03-24 07:30 "01 Horaire"'
    await press(env, cover, env.fake.response_url("cover"))
    [opened] = await env.fake.wait_for("views.open")
    view = opened["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == ["contact", "given"]
    people = {o["text"]["text"]: o["value"] for o in blocks["contact"]["element"]["options"]}
    assert people["Marie Tremblay"] == "@marie"
    given = blocks["given"]["element"]["initial_value"]
    assert given == '2025-03-17 07:30 2025-03-24 07:30 "01 Horaire"'
    assert await overrides(env) == []  # asking writes nothing
    option = {"text": {"type": "plain_text", "text": "x"}, "value": "@marie"}
    state = {
        "contact": {"value": {"type": "static_select", "selected_option": option}},
        "given": {"value": {"type": "plain_text_input", "value": given}},
    }
    assert (await submit(env, view, state)).status == 200
    [saved] = await env.fake.wait_for("response_url")
    assert saved["blocks"][0]["text"]["text"].startswith("Override #51 saved: Marie Tremblay")
    [override] = await overrides(env)
    assert override.start_at == datetime(2025, 3, 17, 7, 30, tzinfo=TZ)
