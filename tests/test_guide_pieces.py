"""A guide read section by section: after an edit, only the sections whose text is new are composed and read;
the others come from the cache. The guide, and every problem with its line, are always exactly those of
reading the whole file; a layout that cannot be read piece by piece is read whole."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import TINY_GUIDE
from guides import guide_text
from test_bad_guides import BAD_GUIDES, CORPUS

from dlstudy.errors import GuideError
from dlstudy.guide import cache as guide_cache
from dlstudy.guide import pieces
from dlstudy.guide import reader as topics
from dlstudy.guide.section_cache import SectionCache
from dlstudy.guide.yaml_nodes import MAX_DEPTH
from dlstudy.paths import shipped_guide

SHIPPED = shipped_guide().read_text(encoding="utf-8")


def whole(path: Path):
    """The guide as reading the whole file gives it, or its problems."""
    try:
        return topics.load_guide(path)
    except GuideError as error:
        return [str(problem) for problem in error.problems]


def cached(path: Path, folder: Path, outline: bool = False):
    """The guide as the cache gives it (without the fingerprint, which only the cache sets), or its problems."""
    try:
        return replace(guide_cache.load(path, folder, outline), fingerprint="")
    except GuideError as error:
        return [str(problem) for problem in error.problems]


def kept(path: Path, folder: Path, in_pieces: list[bool] | None = None):
    """The guide read through the sections kept in `folder`, keeping every section read, whatever was found
    (the cache keeps them only for a guide without problems); `in_pieces` gets whether it was read in pieces."""
    content = path.read_bytes()
    store = SectionCache(folder, b"salt", content)
    try:
        return topics.load_guide(path, content, store)
    except GuideError as error:
        return [str(problem) for problem in error.problems]
    finally:
        store.keep(hashlib.blake2b(content, digest_size=16).hexdigest())
        if in_pieces is not None:
            in_pieces.append(store.made)


def edit(text: str, section: str, old: str, new: str) -> str:
    """The guide with `old` replaced by `new` once, inside the section with this id."""
    start = text.index(f"\n  - id: {section}\n")
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old):]


def test_the_shipped_guide_splits_into_its_sections():
    data = SHIPPED.encode()
    split = pieces.split(data)
    assert split is not None and len(split.sections()) == SHIPPED.split("\ntracks:")[0].count("\n  - id: ")
    assert b"".join([data[:split.bounds[0]], *split.sections(), data[split.bounds[-1]:]]) == data
    assert [bytes(text).split(b"\n")[0] for text in split.sections()][:2] == [b"  - id: foundations",
                                                                               b"  - id: recurrent"]


def test_an_appended_comment_reads_no_section_again(tmp_path, composed):
    path = tmp_path / "guide.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    assert cached(path, tmp_path / "cache", outline=True) == replace(whole(path), topics={
        topic_id: replace(topic, cards=()) for topic_id, topic in whole(path).topics.items()})
    first = len(composed)
    path.write_text(SHIPPED + "# a note\n", encoding="utf-8")
    assert cached(path, tmp_path / "cache") == whole(path)
    assert len(composed) == first  # every section from the cache


@pytest.mark.parametrize("new", ["tokens", "words and word pieces, then ids"])  # as long as the old text, and not
def test_an_edit_in_the_middle_reads_that_section_only(tmp_path, composed, new):
    path = tmp_path / "guide.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    before = cached(path, tmp_path / "cache")
    section = before.sections[len(before.sections) // 2]
    card = before.topics[section.topic_ids[0]].cards[0]
    old = card.answer.split()[0]
    new = new[:len(old)] if new == "tokens" else new
    assert new != old
    path.write_text(edit(SHIPPED, section.id, f"answer: {old}", f"answer: {new}"), encoding="utf-8")
    composed.clear()
    after = cached(path, tmp_path / "cache")
    assert after == whole(path) != before
    assert after.topics[card.topic_id].cards[0].answer.startswith(new)  # never the text read before the edit
    assert len(composed) == 1


def test_lines_inserted_above_move_the_sections_below(tmp_path, composed):
    path = tmp_path / "guide.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    before = cached(path, tmp_path / "cache")
    second = before.sections[1].id
    path.write_text(edit(SHIPPED, second, "    groups:\n", "    # three\n    # more\n    # lines\n    groups:\n"),
                    encoding="utf-8")
    composed.clear()
    after = cached(path, tmp_path / "cache")
    assert after == whole(path)
    assert len(composed) == 1
    last = before.sections[-1].topic_ids[-1]
    assert after.topics[last].line == before.topics[last].line + 3


def test_a_problem_in_an_edited_section_is_reported_at_its_line(tmp_path):
    path = tmp_path / "guide.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    guide = cached(path, tmp_path / "cache")
    section = guide.sections[len(guide.sections) // 2]
    path.write_text(edit(SHIPPED, section.id, "            goal:", "            hint: a typo\n            goal:"),
                    encoding="utf-8")
    problems = cached(path, tmp_path / "cache")
    assert problems == whole(path) and len(problems) == 1
    line = path.read_text(encoding="utf-8").splitlines().index("            hint: a typo") + 1
    assert problems[0].startswith(f"{path}:{line}: topic '{section.topic_ids[0]}': unknown key 'hint'")


def test_a_problem_in_a_moved_section_is_reported_at_its_new_line(tmp_path, composed):
    """The first section loses a topic that later sections require: their problems come from their reads kept
    in the cache, moved down by the lines inserted above them."""
    path = tmp_path / "guide.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    guide = cached(path, tmp_path / "cache")
    first = guide.sections[0]
    required = {prerequisite for topic in guide.topics.values() if topic.section_id != first.id
                for prerequisite in topic.requires if guide.topics[prerequisite].section_id == first.id}
    gone = sorted(required)[0]
    text = SHIPPED.replace(f"          - id: {gone}\n", f"          # one\n          # two\n          - id: {gone}-renamed\n")
    path.write_text(text, encoding="utf-8")
    composed.clear()
    problems = cached(path, tmp_path / "cache")
    assert problems == whole(path)
    assert len(composed) == 1 and len(problems) > 1
    lines = text.splitlines()
    for problem in problems:
        line = int(problem.split(":")[1])
        assert gone in lines[line - 1] or gone in problem, problem


@pytest.mark.parametrize("name", [name for name in CORPUS if pieces.split((BAD_GUIDES / name).read_bytes())])
def test_kept_sections_give_each_bad_guide_s_problems_at_their_lines(tmp_path, name):
    path = tmp_path / name
    content = (BAD_GUIDES / name).read_bytes()
    path.write_bytes(content)
    expected = whole(path)
    assert kept(path, tmp_path / "cache") == expected  # composed
    assert kept(path, tmp_path / "cache") == expected  # from the reads kept
    split = pieces.split(content)
    assert split is not None
    first = split.bounds[0]
    in_pieces: list[bool] = []
    for moved in (content[:first] + b"# every section one line down\n" + content[first:],  # each from the cache
                  content[:first] + content[first:].replace(b"\n", b"\n# moved\n", 1)):  # inside the first
        path.write_bytes(moved)
        assert kept(path, tmp_path / "cache", in_pieces) == whole(path)
    assert in_pieces[0] == in_pieces[1]


TWO_SECTIONS = TINY_GUIDE.replace("          - id: resnet\n", """\
  - id: deeper
    title: Deeper
    groups:
      - id: deep
        title: Deep
        topics:
          - id: resnet
""")
_HEAD, _LIST = TWO_SECTIONS.split("sections:\n")
_LIST, _TAIL = _LIST.split("tracks:")

LAYOUTS = {  # layouts read whole (or in pieces that must agree with it), each with the same guide or problems
    "plain": TWO_SECTIONS,
    "sections-at-column-0": _HEAD + "sections:\n" + _LIST.replace("\n  ", "\n")[2:] + "tracks:" + _TAIL,
    "sections-last": TWO_SECTIONS.split("tracks:")[0],
    "crlf": TWO_SECTIONS.replace("\n", "\r\n"),
    "lone-cr": TWO_SECTIONS.replace("\n    title: Deeper", "\r    title: Deeper"),
    "next-line-character": TWO_SECTIONS.replace("title: Deeper", "title: Deeper\u0085    x: y"),
    "tab-in-text": TWO_SECTIONS.replace("goal: very deep networks", 'goal: "very\tdeep networks"'),
    "tab-indented": TWO_SECTIONS.replace("\n    title: Deeper", "\n\ttitle: Deeper"),
    "bom": "\ufeff" + TWO_SECTIONS,
    "document-start": "---\n" + TWO_SECTIONS,
    "document-end-after-sections": TWO_SECTIONS.replace("tracks:", "...\ntracks:"),
    "second-document": TWO_SECTIONS.replace("tracks:", "---\ntracks:"),
    "directive-inside": TWO_SECTIONS.replace("  - id: deeper", "%YAML 1.1\n  - id: deeper"),
    "comments-at-column-0": TWO_SECTIONS.replace("        topics:\n", "# a note\n        topics:\n#\n"),
    "blank-lines-with-spaces": TWO_SECTIONS.replace("    groups:\n", "  \n    groups:\n \n"),
    "flow-sections": _HEAD + "sections: [{id: basics, title: Basics, groups: "
                     "[{id: core, title: Core, topics: [{id: mlp, title: M, queries: [q], goal: g, cards: "
                     "[{id: a, question: A?, answer: A.}, {id: b, question: B?, answer: B.}]}]}]}]\n",
    "flow-list-over-items": TWO_SECTIONS.replace("queries: [feedforward networks]", "queries: [feedforward,\n"
                                                 "  - networks]"),
    "quoted-over-items": TWO_SECTIONS.replace("title: Deeper", 'title: "Deeper\n  - id: fake"'),
    "quoted-over-items-closed": TWO_SECTIONS.replace("title: Deeper", 'title: "Deeper\n  - fake"'),
    "anchor-and-alias-across": TWO_SECTIONS.replace("goal: basic neural computation",
                                                    "goal: &g basic neural computation").replace(
        "goal: very deep networks", "goal: *g"),
    "alias-inside-a-section": TWO_SECTIONS.replace("goal: very deep networks", "goal: &g very deep\n"
                                                   "            aliases: [*g]"),
    "anchor-redefined": "x: &g first\n" + TWO_SECTIONS.replace("goal: basic neural computation",
                                                              "goal: &g second").replace("tracks:", "y: *g\ntracks:"),
    "unknown-key-after-sections": TWO_SECTIONS.replace("tracks:", "  oops: 1\ntracks:"),
    "less-indented-item": TWO_SECTIONS.replace("\n  - id: deeper", "\n - id: deeper"),
    "list-after-sections": TWO_SECTIONS.replace("tracks:", "- stray\ntracks:"),
    "sections-twice": TWO_SECTIONS + "sections:\n  - id: again\n    title: Again\n    groups: []\n",
    "sections-in-a-flow-mapping": "{title: T,\nsections:\n  - id: basics\n    title: B\n    groups: []\n}\n",
    "sections-in-a-quoted-title": 'title: "T\nsections:\n  - id: x\n"\n' + TWO_SECTIONS.split("\n", 1)[1],
    "sections-with-a-comment": TWO_SECTIONS.replace("sections:\n", "sections:   # the sections\n# before\n\n"),
    "dash-without-space": TWO_SECTIONS.replace("\n  - id: deeper", "\n  -\n    id: deeper"),
    "empty-item": TWO_SECTIONS.replace("\n  - id: deeper", "\n  -\n  - id: deeper"),
    "no-final-newline": TWO_SECTIONS.split("tracks:")[0].rstrip("\n"),
    "duplicate-across-sections": TWO_SECTIONS.replace("          - id: resnet", "          - id: mlp"),
    "latin-1": TWO_SECTIONS.replace("title: Deeper", "title: D\udce9eper"),
}


IN_PIECES = {"plain", "sections-at-column-0", "sections-last", "tab-in-text", "bom", "document-start",
             "comments-at-column-0", "blank-lines-with-spaces", "sections-twice", "sections-with-a-comment",
             "dash-without-space", "empty-item", "no-final-newline", "duplicate-across-sections"}


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_layout_gives_what_reading_it_whole_gives(tmp_path, name):
    path = tmp_path / "guide.yaml"
    data = LAYOUTS[name].encode("utf-8", "surrogateescape")
    path.write_bytes(data)
    in_pieces: list[bool] = []
    assert cached(path, tmp_path / "cache") == whole(path)
    assert kept(path, tmp_path / "kept", in_pieces) == whole(path)
    path.write_bytes(data + b"# edited\n")
    assert cached(path, tmp_path / "cache") == whole(path)
    assert kept(path, tmp_path / "kept", in_pieces) == whole(path)
    assert in_pieces == [name in IN_PIECES] * 2


def test_the_layouts_read_in_pieces_are_guides_and_the_others_are_not_all_broken(tmp_path):
    outcomes = {}
    for name in ("plain", "sections-at-column-0", "sections-last", "document-start", "crlf", "flow-sections"):
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(LAYOUTS[name].encode())
        outcomes[name] = type(whole(path)).__name__
    assert set(outcomes.values()) == {"Guide"}


@pytest.mark.parametrize("depth", [MAX_DEPTH - 4, MAX_DEPTH - 3, MAX_DEPTH - 2])
def test_a_section_nests_as_deep_as_it_may_in_the_whole_file(tmp_path, depth):
    """The root mapping, the sections list and the section's mapping are 3 levels above the value."""
    path = tmp_path / "guide.yaml"
    path.write_text(TWO_SECTIONS.replace("title: Deeper", "title: " + "[" * depth + "]" * depth), encoding="utf-8")
    assert kept(path, tmp_path / "kept") == whole(path)
    assert kept(path, tmp_path / "kept") == whole(path)
    deep = depth + 3 > MAX_DEPTH
    assert ("nested more than" in str(whole(path))) == deep


def test_many_sections_read_in_pieces_give_the_whole_guide(tmp_path, composed):
    requires = {f"t{i}": [f"t{i - 1}"] if i % 7 else [] for i in range(60)}
    path = tmp_path / "guide.yaml"
    path.write_text(guide_text(requires, {"odd": [f"t{i}" for i in range(1, 7, 2)]}, sections=12), encoding="utf-8")
    assert cached(path, tmp_path / "cache") == whole(path)
    assert len(composed) == 12
    path.write_text(path.read_text(encoding="utf-8").replace("goal t30\n", "goal t30, edited\n"), encoding="utf-8")
    assert cached(path, tmp_path / "cache") == whole(path)
    assert len(composed) == 13
