"""Replies -> Block Kit (pure): escaping, mentions, tables, and Slack's limits."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.slack.listeners import is_refusal, split_share
from bot.adapters.slack.people import actor_of, conversation_of
from bot.adapters.slack.render import (
    MAX_BLOCKS,
    MAX_TEXT,
    escape,
    home_view,
    render,
    reply_blocks,
    unescape,
)
from bot.contract import Action, Attachment, Reply, Visibility

EVIL = "<script>alert(1)</script> & <!channel> <@U0BOSS> <https://evil.example|click>"


def texts(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [f["text"] for f in block.get("fields", [])]
    return found


def test_user_text_is_escaped_everywhere_it_is_mrkdwn():
    reply = Reply(EVIL, title=EVIL, fields=[(EVIL, EVIL)], rows=[["Who", "Note"], ["luc", EVIL]])
    blocks = reply_blocks(reply)
    header, *rest = blocks
    assert header == {"type": "header", "text": {"type": "plain_text", "text": EVIL}}
    for text in texts(rest):
        assert "<" not in text and ">" not in text.replace("&gt;", "")
        assert "&lt;script&gt;" in text and "&amp; &lt;!channel&gt;" in text
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert unescape(escape(EVIL)) == EVIL


def test_sections_are_verbatim_so_slack_links_and_mentions_nothing_itself():
    blocks = reply_blocks(Reply("see https://example.com @here #general"))
    assert blocks == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "see https://example.com @here #general",
                "verbatim": True,
            },
        }
    ]


def test_directory_names_become_mentions_but_only_whole_names_outside_code():
    mentions = {"Luc Lambert": "U0LUC", "Luc": "U0OTHER", "Evil": "<!channel>"}
    reply = Reply(
        "Luc Lambert covers; Lucas Lambert does not; Evil is no id; @Luc Lambert stays",
        fields=[("On call", "Luc Lambert")],
    )
    [text, fields] = reply_blocks(reply, mentions)
    assert text["text"]["text"] == (
        "<@U0LUC> covers; Lucas Lambert does not; Evil is no id; @Luc Lambert stays"
    )
    assert fields["fields"][0]["text"] == "*On call*\n<@U0LUC>"
    [code] = reply_blocks(Reply("Luc Lambert", monospace=True), mentions)
    assert code["text"]["text"] == "```\nLuc Lambert\n```"


def test_a_monospace_reply_is_a_code_block_split_under_the_limit():
    grid = "\n".join("🟩 🟩 🟨 🟥 ⬜ 🟩 🟩  10–16" for _ in range(400))
    blocks = reply_blocks(Reply(grid, monospace=True))
    assert len(blocks) > 1
    for block in blocks:
        text = block["text"]["text"]
        assert text.startswith("```\n") and text.endswith("\n```")
        assert len(text) <= MAX_TEXT


def test_long_text_is_split_into_sections_of_at_most_3000_characters():
    blocks = reply_blocks(Reply("\n".join(f"line {i} " + "x" * 90 for i in range(100))))
    assert len(blocks) >= 4
    assert all(len(b["text"]["text"]) <= MAX_TEXT for b in blocks)
    assert reply_blocks(Reply("y" * 7000))[2]["text"]["text"] == "y" * 1000  # a hard cut


def test_fields_ten_to_a_section():
    blocks = reply_blocks(Reply("", fields=[(f"L{i}", f"v{i}") for i in range(23)]))
    assert [len(b["fields"]) for b in blocks] == [10, 10, 3]


def test_a_narrow_table_is_aligned_in_code_and_a_wide_one_is_a_list():
    narrow = [["Schedule", "Time zone"], ["01 Horaire", "America/Toronto"]]
    [code] = reply_blocks(Reply("", rows=narrow))
    assert code["text"]["text"] == ("```\nSchedule    Time zone\n01 Horaire  America/Toronto\n```")
    wide = [
        ["Ref", "Start", "End", "Contact", "Comment"],
        ["#3", "Mon, Mar 10 7:30 a.m.", "Mon, Mar 17 7:30 a.m.", "Luc Lambert", ""],
    ]
    [listing] = reply_blocks(Reply("", rows=wide), {"Luc Lambert": "U0LUC"})
    assert listing["text"]["text"] == (
        "*Ref · Start · End · Contact · Comment*\n"
        "*#3* · Mon, Mar 10 7:30 a.m. · Mon, Mar 17 7:30 a.m. · <@U0LUC> · –"
    )


def test_buttons_carry_their_command_within_slacks_limits():
    actions = [
        Action(f"Button {i} " + "x" * 80, f"/oncall view week 03-{i:02d}") for i in range(30)
    ]
    actions.append(Action("Too long", "/comment #1 " + "y" * 2000))
    actions[0] = Action("Confirm", "/override @marc now 2025-03-18 12:00 confirm", "primary")
    blocks = reply_blocks(Reply("", actions=actions))
    assert [len(b["elements"]) for b in blocks] == [25, 5]
    for block in blocks:
        ids = [e["action_id"] for e in block["elements"]]
        assert len(ids) == len(set(ids))
        assert all(
            len(e["text"]["text"]) <= 75 and len(e["value"]) <= 2000 for e in block["elements"]
        )
    first = blocks[0]["elements"][0]
    assert first["style"] == "primary"
    assert first["value"] == "/override @marc now 2025-03-18 12:00 confirm"
    assert "Too long" not in [e["text"]["text"] for b in blocks for e in b["elements"]]


def test_many_replies_make_several_messages_of_at_most_50_blocks():
    replies = [
        Reply(f"reply {i}", title=f"T{i}", actions=[Action("Go", "/help")]) for i in range(40)
    ]
    messages = render(replies)
    assert len(messages) == 4  # 12 replies of 3 blocks and 11 dividers to a message
    assert all(len(m.blocks) <= MAX_BLOCKS for m in messages)
    shown = [t for m in messages for t in texts(m.blocks) if t.startswith("reply ")]
    assert shown == [f"reply {i}" for i in range(40)]
    assert messages[0].text.startswith("T0\nreply 0")
    huge = render([Reply("", fields=[(str(i), "v") for i in range(700)])])
    assert [len(m.blocks) for m in huge] == [50, 20]


def test_the_fallback_text_is_escaped_and_has_no_mentions():
    [message] = render([Reply("Luc Lambert & <!here>")], {"Luc Lambert": "U0LUC"})
    assert message.text == "Luc Lambert &amp; &lt;!here&gt;"


def test_the_home_view_keeps_to_100_blocks():
    view = home_view([Reply(f"r{i}", title=f"T{i}") for i in range(60)])
    assert view["type"] == "home"
    assert len(view["blocks"]) == 100
    assert view["blocks"][-1]["text"]["text"] == "…"


def test_share_is_taken_off_the_end_but_not_out_of_a_comment():
    assert split_share("who share") == ("who", True)
    assert split_share("qui Partager ") == ("qui", True)
    assert split_share("share") == ("", True)
    assert split_share("#12 -- please share") == ("#12 -- please share", False)
    assert split_share("who shared") == ("who shared", False)


def test_a_refusal_is_private_and_offers_nothing_to_press():
    assert is_refusal([Reply("The end is not after the start.")])
    assert not is_refusal([Reply("saved", visibility=Visibility.IN_CHANNEL)])
    assert not is_refusal([Reply("plan", actions=[Action("Confirm", "/override …")])])


def test_the_files_of_a_reply_are_named_in_a_context_line():
    files = [Attachment("<b>.csv", "text/csv", Path("x.csv"))]
    [context] = reply_blocks(Reply("", files=files))
    assert context == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "📎 &lt;b&gt;.csv", "verbatim": True}],
    }


def test_who_and_where_from_slack_payloads():
    command = {"team_id": "T1", "user_id": "U1", "user_name": "luc", "channel_id": "C9"}
    actor = actor_of(command, locale="fr-CA")
    assert (actor.platform, actor.team_id, actor.user_id, actor.name) == (
        "slack",
        "T1",
        "U1",
        "luc",
    )
    assert actor.locale_hint == "fr-CA"
    assert conversation_of(command).id == "C9"
    assert conversation_of(command).kind == "channel"
    assert conversation_of(command, scoped=True).id == "T1/C9"  # several workspaces
    dm = {**command, "channel_id": "D9", "channel_name": "directmessage"}
    assert conversation_of(dm).kind == "direct"
    assert conversation_of({**command, "channel_id": "G9"}).kind == "group"
    button = {"team": {"id": "T1"}, "user": {"id": "U1", "username": "luc"}}  # App Home
    assert conversation_of(button).id == "U1" and conversation_of(button).kind == "direct"
    assert actor_of({"team_id": "T1", "event": {"user": "U2"}}).user_id == "U2"
