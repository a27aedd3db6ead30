"""The plain styled lines `search` prints without Rich: wrapping, colour only where wanted, text shown not obeyed."""

from __future__ import annotations

import io

import pytest

from dlstudy.cli.render.plain import Lines


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def lines(monkeypatch, columns: int = 30, stream=None, **env: str) -> Lines:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", str(columns))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Lines(stream or io.StringIO())


def test_words_wrap_with_a_hanging_indent_and_links_stay_whole(monkeypatch):
    out = lines(monkeypatch, columns=24)
    out.add([("1. ", ""), ("Scaled dot-product attention heads", "bold")], hanging=3)
    out.whole("https://example.org/a/very/long/link/that/must/not/break", indent=5)
    out.write()
    text = out.stream.getvalue().splitlines()
    assert text == ["1. Scaled dot-product", "   attention heads",
                    "     https://example.org/a/very/long/link/that/must/not/break"]
    assert all(len(line) <= 24 for line in text[:2])


def test_no_colour_off_a_terminal_or_when_asked(monkeypatch):
    for stream, env in ((io.StringIO(), {}), (Terminal(), {"NO_COLOR": "1"}), (Terminal(), {"TERM": "dumb"})):
        out = lines(monkeypatch, stream=stream, **env)
        out.add([("bold words", "bold")])
        out.write()
        assert stream.getvalue() == "bold words\n", env


@pytest.mark.parametrize("stream, env", [(Terminal(), {}), (io.StringIO(), {"FORCE_COLOR": "1"})])
def test_colour_on_a_terminal_or_when_forced(monkeypatch, stream, env):
    out = lines(monkeypatch, stream=stream, **env)
    out.add([("1. ", ""), ("Title", "bold"), ("  [id]", "dim"), (" Section", "blue")])
    out.write()
    assert stream.getvalue() == "1. \x1b[1mTitle\x1b[0m\x1b[2m  [id]\x1b[0m\x1b[34m Section\x1b[0m\n"


def test_control_characters_are_shown_never_sent(monkeypatch):
    out = lines(monkeypatch, stream=Terminal())
    out.add([("evil\x1b]52;c;aGk=\x07title", "bold")])
    out.whole("link\x1b[2J", indent=2)
    out.write()
    assert "\x1b]" not in out.stream.getvalue() and "\x1b[2J" not in out.stream.getvalue()
    assert "␛]52;c;aGk=␇title" in out.stream.getvalue() and "link␛[2J" in out.stream.getvalue()
