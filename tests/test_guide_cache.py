"""The parsed-guide cache: used only for the exact content it was made from, and never a cause of failure."""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import replace

import pytest
from guides import guide_text, write_guide

from dlstudy.errors import GuideError
from dlstudy.guide import cache as guide_cache
from dlstudy.guide import graph
from dlstudy.guide import reader as topics


@pytest.fixture
def parses(monkeypatch):
    """Counts how often the YAML is actually read and checked."""
    calls = []
    real = topics.load_guide

    def counting(path, *args):
        calls.append(path)
        return real(path, *args)

    monkeypatch.setattr(topics, "load_guide", counting)
    return calls


def test_the_same_content_is_parsed_once(tmp_path, parses):
    path = write_guide(tmp_path / "guide.yaml", {"a": [], "b": ["a"]})
    first = guide_cache.load(path, tmp_path / "cache")
    second = guide_cache.load(path, tmp_path / "cache")
    assert second == first and len(parses) == 1
    assert dict(second.requires) == {"a": (), "b": ("a",)}


def test_an_edited_guide_is_read_again(tmp_path, parses):
    path = write_guide(tmp_path / "guide.yaml", {"a": [], "b": ["a"]})
    guide_cache.load(path, tmp_path / "cache")
    write_guide(path, {"a": [], "b": ["a"], "c": ["b"]})
    assert list(guide_cache.load(path, tmp_path / "cache").topics) == ["a", "b", "c"]
    assert len(parses) == 2


def test_an_invalid_guide_is_never_cached(tmp_path, parses):
    path = tmp_path / "guide.yaml"
    path.write_text("title: [unclosed\n")
    for _ in range(2):
        with pytest.raises(GuideError):
            guide_cache.load(path, tmp_path / "cache")
    assert len(parses) == 2 and not list((tmp_path / "cache").glob("*.pickle"))


def test_a_damaged_or_unwritable_cache_is_ignored(tmp_path, parses):
    path = write_guide(tmp_path / "guide.yaml", {"a": []})
    guide_cache.load(path, tmp_path / "cache")
    [entry] = [e for e in (tmp_path / "cache").glob("guide-*.pickle") if e.name.count("-") == 1]  # the whole guide
    for junk in (b"junk", b"\x80\x04\x8c\x02\xc7\x28.", pickle.dumps({"not": "a guide"})):
        entry.write_bytes(junk)  # fails to unpickle in different ways, or is the wrong thing
        assert list(guide_cache.load(path, tmp_path / "cache").topics) == ["a"]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    assert list(guide_cache.load(path, blocked).topics) == ["a"]
    assert len(parses) == 5


def test_only_a_few_entries_are_kept(tmp_path):
    path = tmp_path / "guide.yaml"
    for size in range(1, 7):
        write_guide(path, {f"t{i}": [] for i in range(size)})
        guide_cache.load(path, tmp_path / "cache")
    entries = [e.name.split("-")[2:] for e in (tmp_path / "cache").glob("guide-*.pickle")]
    kinds = [[]] + [[f"{kind}.pickle"] for kind in ("outline", "sections")]
    assert sorted(entries) == [kind for kind in kinds for _ in range(3)]  # three guides
    sections = sorted(e.name.count("-") for e in (tmp_path / "cache").glob("section-*.pickle"))
    assert sections == [1, 1, 1, 2, 2, 2]  # the one section of each kept guide, and its cards apart


def test_the_outline_is_the_guide_without_its_cards(tmp_path, parses, composed):
    path = write_guide(tmp_path / "guide.yaml", {"a": [], "b": ["a"]}, tracks={"t": ["a", "b"]})
    outline = guide_cache.load(path, tmp_path / "cache", outline=True)
    assert not (tmp_path / "cache" / f"guide-{outline.fingerprint}.pickle").exists()  # the cards wait for a need
    full = guide_cache.load(path, tmp_path / "cache")
    assert len(parses) == 2 and len(composed) == 1  # the second time from the section kept the first time
    assert guide_cache.load(path, tmp_path / "cache") == full and len(parses) == 2
    assert [t.cards for t in outline.topics.values()] == [(), ()]
    assert all(len(t.cards) == 2 for t in full.topics.values())
    assert outline.requires == full.requires and outline.tracks == full.tracks
    assert [replace(t, cards=()) for t in full.topics.values()] == list(outline.topics.values())


def test_the_search_index_is_built_once_per_guide_content(tmp_path, monkeypatch):
    from dlstudy.context import AppContext
    from dlstudy.guide import search

    path = write_guide(tmp_path / "guide.yaml", {"attention": [], "transformer": ["attention"]})
    monkeypatch.setenv("DLSTUDY_GUIDE", str(path))
    monkeypatch.setenv("DLSTUDY_HOME", str(tmp_path / "home"))
    builds = []
    real = search.index_tables
    monkeypatch.setattr(search, "index_tables", lambda guide: builds.append(1) or real(guide))
    first = [h.topic.id for h in AppContext(warn=print).search_index().search("First about transformer")]
    again = [h.topic.id for h in AppContext(warn=print).search_index().search("First about transformer")]
    assert len(builds) == 1
    assert again == first == ["transformer", "attention"]
    write_guide(path, {"attention": [], "transformer": ["attention"], "bert": ["transformer"]})
    edited = AppContext(warn=print).search_index().search("bert")
    assert len(builds) == 2 and edited[0].topic.id == "bert"


def test_an_entry_others_could_have_written_is_not_loaded(tmp_path, parses):
    path = write_guide(tmp_path / "guide.yaml", {"a": []})
    guide_cache.load(path, tmp_path / "cache")
    for entry in (tmp_path / "cache").glob("guide-*.pickle"):
        os.chmod(entry, 0o666)
    guide_cache.load(path, tmp_path / "cache")
    assert len(parses) == 2


def test_an_unchanged_file_is_not_hashed_again(tmp_path, parses, monkeypatch):
    path = write_guide(tmp_path / "guide.yaml", {"a": [], "b": ["a"]})
    os.utime(path, ns=(10**18, 10**18))  # settled long ago: its stat can stand for its content
    hashed = []
    real_key = guide_cache._content_key
    monkeypatch.setattr(guide_cache, "_content_key", lambda *args: hashed.append(1) or real_key(*args))
    for _ in range(3):
        assert list(guide_cache.load(path, tmp_path / "cache", outline=True).topics) == ["a", "b"]
    assert len(hashed) == 1 and len(parses) == 1
    write_guide(path, {"a": [], "b": ["a"], "c": ["b"]})
    os.utime(path, ns=(10**18, 10**18))  # even with the same mtime, the size tells the edit
    assert list(guide_cache.load(path, tmp_path / "cache").topics) == ["a", "b", "c"]
    assert len(hashed) == 2 and len(parses) == 2
    [record] = (tmp_path / "cache").glob("stat-*")
    record.chmod(0o666)  # a record others could have written could name any content: it is not taken
    guide_cache.load(path, tmp_path / "cache")
    assert len(hashed) == 3 and len(parses) == 2


def test_a_just_written_file_is_always_hashed(tmp_path, monkeypatch):
    path = write_guide(tmp_path / "guide.yaml", {"a": []})
    hashed = []
    real_key = guide_cache._content_key
    monkeypatch.setattr(guide_cache, "_content_key", lambda *args: hashed.append(1) or real_key(*args))
    guide_cache.load(path, tmp_path / "cache")
    guide_cache.load(path, tmp_path / "cache")
    assert len(hashed) == 2  # an edit within the same mtime tick could otherwise go unseen


def test_a_search_reads_only_the_postings_of_its_words_initials_and_no_guide(tmp_path, monkeypatch):
    from dlstudy.context import AppContext

    path = write_guide(tmp_path / "guide.yaml", {"attention": [], "transformer": ["attention"], "mlp": []})
    os.utime(path, (time.time() - 60, time.time() - 60))  # settled: its stat is trusted (see guide.cache)
    monkeypatch.setenv("DLSTUDY_GUIDE", str(path))
    monkeypatch.setenv("DLSTUDY_HOME", str(tmp_path / "home"))
    first = [h.topic.id for h in AppContext(warn=print).search_index().search("transformer attn")]
    read = []
    real = guide_cache.plain_part
    monkeypatch.setattr(guide_cache, "plain_part", lambda *args: read.append(args[2]) or real(*args))
    monkeypatch.setattr(guide_cache, "load", lambda *args, **kwargs: pytest.fail("a search loaded the guide"))
    context = AppContext(warn=print)
    again = [h.topic.id for h in context.search_index().search("transformer attn")]
    assert again == first and first[:2] == ["transformer", "attention"]
    assert sorted(read) == ["search", f"search-{ord('a'):x}", f"search-{ord('t'):x}", "search-topics-0"]
    assert context.search_index().search("ψ") == []  # no word starts so: nothing read, nothing rebuilt
    monkeypatch.undo()
    monkeypatch.setenv("DLSTUDY_GUIDE", str(path))
    monkeypatch.setenv("DLSTUDY_HOME", str(tmp_path / "home"))
    for entry in (tmp_path / "home" / "cache").glob("guide-*-search*.marshal"):
        entry.write_bytes(b"damaged")  # a lost piece is built again, never a wrong answer
    assert [h.topic.id for h in AppContext(warn=print).search_index().search("transformer attn")] == first


def test_a_topic_s_cards_are_read_without_the_whole_guide(tmp_path, monkeypatch):
    from dlstudy.context import AppContext

    path = write_guide(tmp_path / "guide.yaml", {"attention": [], "transformer": ["attention"]})
    monkeypatch.setenv("DLSTUDY_GUIDE", str(path))
    monkeypatch.setenv("DLSTUDY_HOME", str(tmp_path / "home"))
    first = AppContext(warn=print)
    expected = first.guide().topics["transformer"]
    assert AppContext(warn=print).with_cards(expected) == expected  # builds the parts
    loads = []
    real = guide_cache.load
    monkeypatch.setattr(guide_cache, "load", lambda *args, **kw: loads.append(kw) or real(*args, **kw))
    ctx = AppContext(warn=print)
    topic = ctx.outline().topics["transformer"]
    assert topic.cards == () and ctx.with_cards(topic) == expected
    assert loads == [{"outline": True}]


def test_after_an_edit_a_topic_s_cards_come_from_its_section(tmp_path, monkeypatch):
    from dlstudy.context import AppContext

    path = write_guide(tmp_path / "guide.yaml", {"attention": [], "transformer": ["attention"], "bert": []},
                       sections=2)
    monkeypatch.setenv("DLSTUDY_GUIDE", str(path))
    monkeypatch.setenv("DLSTUDY_HOME", str(tmp_path / "home"))
    AppContext(warn=print).outline()
    path.write_text(path.read_text().replace("First about bert?", "First about BERT?") + "# edited\n")
    loads = []
    real = guide_cache.load
    monkeypatch.setattr(guide_cache, "load", lambda *args, **kw: loads.append(kw) or real(*args, **kw))
    ctx = AppContext(warn=print)
    for topic_id in ("attention", "transformer", "bert"):
        assert ctx.with_cards(ctx.outline().topics[topic_id]) == topics.load_guide(path).topics[topic_id]
    assert loads == [{"outline": True}]  # never the whole guide
    assert ctx.with_cards(ctx.outline().topics["bert"]).cards[0].question == "First about BERT?"


@pytest.mark.parametrize("sizes", [[], [5], [3, 1_500_000], [1_500_000, 3, 3], [70_000] * 37])
def test_sections_hashed_on_two_threads_have_the_digests_hashed_one_by_one(sizes):
    from dlstudy.guide import section_cache

    data = os.urandom(sum(sizes))
    ends = [sum(sizes[:i + 1]) for i in range(len(sizes))]
    texts = [memoryview(data)[end - size:end] for size, end in zip(sizes, ends, strict=True)]
    assert section_cache._digests(texts, b"salt") == [section_cache._digest(text, b"salt") for text in texts]


def _levels(first: str, second: str) -> str:
    return ("levels:\n"
            f"- {{id: basics, title: Basics, domain: core, rank: 0, topics: [{first}]}}\n"
            f"- {{id: more, title: More, domain: core, rank: 1, topics: [{second}]}}\n")


def test_an_edit_that_keeps_the_graph_skips_its_checks_and_one_that_changes_it_is_checked(tmp_path, monkeypatch):
    requires, track, levels = {"a": [], "b": ["a"], "c": ["b"]}, {"t": ["a", "b", "c"]}, _levels("a", "c")
    path, cache = tmp_path / "guide.yaml", tmp_path / "cache"
    path.write_text(guide_text(requires, track, sections=2) + levels)
    guide_cache.load(path, cache, outline=True)
    path.write_text(path.read_text().replace("goal c", "goal of c, edited"))
    checks = []
    real = graph.ancestor_sets
    monkeypatch.setattr(graph, "ancestor_sets", lambda *args: checks.append(args) or real(*args))
    edited = guide_cache.load(path, cache, outline=True)
    assert edited.topics["c"].goal == "goal of c, edited" and checks == []  # the same graph, tracks and levels
    fresh = topics.load_guide(path, cards=False)
    assert replace(fresh, fingerprint=edited.fingerprint) == edited and edited.graph == fresh.graph
    # just written: its stat cannot stand for its content, but it is the last guide read from this path
    assert guide_cache._known_key(path, cache) is None and guide_cache._last_key(path, cache) == edited.fingerprint
    with monkeypatch.context() as other_code:  # what other code read is not taken: its entries are not ours
        other_code.setattr(guide_cache, "_makers", lambda: "another version")
        assert guide_cache._last_key(path, cache) is None
    checks.clear()
    for changed, tracks, ranked, message in (
            ({**requires, "a": ["c"]}, track, levels, "prerequisite cycle"),
            ({**requires, "c": ["b", "a"]}, track, levels, "'a' is already implied through 'b'"),
            (requires, {"t": ["a", "c", "b"]}, levels, "lists 'c' before its prerequisite 'b'"),
            (requires, track, _levels("c", "a"), "'c' requires 'a', which is first taught at core 1")):
        path.write_text(guide_text(changed, tracks, sections=2) + ranked)
        with pytest.raises(GuideError, match=message):
            guide_cache.load(path, cache, outline=True)
    assert len(checks) == 3  # the cycle is found before the implied prerequisites are looked for
