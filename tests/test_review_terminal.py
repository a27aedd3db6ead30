"""`review` in a real pseudo-terminal: learn-ahead, undo of bury, undo of the last card, Ctrl-C."""

from __future__ import annotations

import sys

import pexpect
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def test_review_in_a_terminal(learner):
    learner.ok("done", "a")
    learner.ok("config", "set", "fuzz", "off")
    env = learner.env | {"COLUMNS": "100", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    child = pexpect.spawn(sys.executable, ["-m", "dlstudy", "review"], env=env, encoding="utf-8", timeout=20,
                          dimensions=(40, 100))
    try:
        for _ in range(2):  # both cards: Good sends them to the 10-minute learning step
            child.expect("about a\\?")
            child.send(" ")
            child.expect("easy")
            child.send("3")
            child.expect("saved: good, due in 10m")
        # learn-ahead: the clock is fixed, so the cards due in 10 minutes are shown now
        child.expect("First about a\\?")
        child.send("b")
        child.expect("buried until tomorrow")
        child.expect("Second about a\\?")
        child.send("u")
        child.expect("no longer buried")
        child.expect("First about a\\?")
        child.send(" ")
        child.expect("easy")
        child.send("4")
        child.expect("saved: easy")
        child.expect("Second about a\\?")
        child.send(" ")
        child.expect("easy")
        child.send("4")
        child.expect("saved: easy")
        child.expect("No more cards")  # the last rating can still be undone
        child.send("u")
        child.expect("undone: the last card is back as it was")
        child.expect("Second about a\\?")
        child.sendintr()
        child.expect("Interrupted; every rating given is saved.")
        child.expect("Reviewed 3 cards")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
