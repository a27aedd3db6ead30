"""The application context: a command reads the guide only if it needs it."""

from __future__ import annotations

import json

from learner import TAKES_BACKUPS, refused


def own_card_id(learner) -> int:
    cards = json.loads(learner.ok("card", "list", "--json").stdout)
    return next(card["id"] for card in cards if card["source"] == "own")


def test_commands_that_need_no_guide_work_with_a_broken_one(learner, tmp_path):
    learner.with_history()
    card = own_card_id(learner)
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    learner.env["DLSTUDY_GUIDE"] = str(broken)
    assert learner.ok("config", "set", "fuzz", "on").stdout.strip() == "fuzz = on"
    assert "fuzz = on" in learner.ok("config", "list").stdout
    assert learner.ok("config", "get", "new_per_day").stdout.strip() == "20"
    learner.ok("card", "suspend", str(card))
    learner.ok("card", "unsuspend", str(card))
    learner.ok("card", "edit", str(card), "-q", "A better question?")
    if TAKES_BACKUPS:  # on a server, `backup` names pg_dump instead
        learner.ok("backup")
    learner.ok("export", str(tmp_path / "out.json"))
    learner.ok("card", "delete", str(card), "--yes")
    # a command that shows the guide still says what is wrong with it, in one line per problem
    assert str(broken) in refused(learner.run("next"))
