"""The prerequisite graph by position, and a cached guide whose topics are unpickled piece by piece as used."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest
from guides import write_guide
from hypothesis import given, settings
from hypothesis import strategies as st
from test_next import dags

from dlstudy.guide import cache as guide_cache
from dlstudy.guide import graph
from dlstudy.guide.model import _PIECE, PickledTopics
from dlstudy.guide.reader import load_guide
from dlstudy.study import planning
from dlstudy.study.progress import neighbourhood, progress_report, topic_details
from dlstudy.study.status import building_on, missing_prerequisites, state_of, states, unmet_ancestors

DIAMOND = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": ["d"], "f": []}
# five pieces' worth of topics: two chains, the even topics and the odd ones
CHAIN = {f"t{i}": [f"t{i - 2}"] if i >= 2 else [] for i in range(5 * _PIECE)}


def test_the_graph_numbers_topics_by_guide_position():
    found = graph.TopicGraph.of(DIAMOND)
    assert found.ids == ("a", "b", "c", "d", "e", "f")
    assert [list(edges) for edges in found.requires] == [[], [0], [0], [1, 2], [3], []]
    assert [list(edges) for edges in found.dependents] == [[1, 2], [3], [3], [4], [], []]
    assert pickle.loads(pickle.dumps(found)) == found and found.requires != found.dependents
    assert [found.ids[i] for i in found.order] == graph.topological_order(DIAMOND)
    assert found.mapping() == {topic: tuple(requires) for topic, requires in DIAMOND.items()}
    assert found.requires_of("d") == ("b", "c") and found.position["e"] == 4


@settings(max_examples=80, deadline=None)
@given(dags(), st.randoms(use_true_random=False))
def test_the_order_takes_the_first_ready_topic_whether_or_not_the_guide_lists_prerequisites_first(dag, random):
    requires, _ = dag
    shuffled = list(requires)
    random.shuffle(shuffled)
    for listing in (requires, {name: requires[name] for name in shuffled}):
        topics = list(listing)
        expected = []  # by definition, slowly: each time, the first topic listed whose prerequisites are placed
        while len(expected) < len(topics):
            expected.append(next(topic for topic in topics if topic not in expected
                                 and all(prerequisite in expected for prerequisite in listing[topic])))
        assert graph.topological_order(listing) == expected
        assert graph.topological_order(listing, among=topics[::2]) == [t for t in expected if t in topics[::2]]


def test_a_read_guide_comes_with_its_graph_and_a_copy_with_other_topics_makes_its_own(tmp_path):
    read = load_guide(write_guide(tmp_path / "guide.yaml", DIAMOND))
    assert "graph" in vars(read)  # made by the reader while it checked the prerequisites
    assert read.graph == graph.TopicGraph.of({topic.id: topic.requires for topic in read.topics.values()})
    fewer = replace(read, topics={"a": read.topics["a"], "f": read.topics["f"]})
    assert fewer.graph.ids == ("a", "f") and read.graph.ids == tuple(DIAMOND)


def test_a_pickled_guide_is_the_same_guide(tmp_path):
    read = load_guide(write_guide(tmp_path / "guide.yaml", CHAIN, sections=4))
    cached = pickle.loads(pickle.dumps(read))
    assert isinstance(cached.topics, PickledTopics) and not isinstance(read.topics, PickledTopics)
    assert cached == read
    assert cached.graph == read.graph
    assert dict(cached.requires) == dict(read.requires)
    assert list(cached.topics) == list(read.topics) and len(cached.topics) == len(read.topics)
    assert "t7" in cached.topics and "nope" not in cached.topics and cached.topics.get("nope") is None
    with pytest.raises(KeyError):
        cached.topics["nope"]
    assert pickle.loads(pickle.dumps(cached)) == read  # pickled again, from its pieces
    assert cached.sections == read.sections and list(cached.sections) == list(read.sections)
    assert len(cached.sections) == 4 and cached.sections[3].topic_ids == read.sections[3].topic_ids
    assert cached.sections[1:3] == read.sections[1:3] and cached.sections[-1] == read.sections[-1]


def test_a_pickled_guide_keeps_ids_of_any_text(tmp_path):
    read = load_guide(write_guide(tmp_path / "guide.yaml", DIAMOND))
    odd = replace(read, topics={f"{t.id}\n{t.id}": replace(t, id=f"{t.id}\n{t.id}", requires=tuple(
        f"{p}\n{p}" for p in t.requires)) for t in read.topics.values()})
    assert pickle.loads(pickle.dumps(odd)).graph.ids == odd.graph.ids == tuple(f"{t}\n{t}" for t in DIAMOND)
    single = replace(read, topics={"a": read.topics["a"]})
    assert list(pickle.loads(pickle.dumps(single)).topics) == ["a"]


def test_only_the_pieces_of_the_topics_used_are_unpickled(tmp_path):
    read = load_guide(write_guide(tmp_path / "guide.yaml", CHAIN))
    cached = pickle.loads(pickle.dumps(read))
    topics = cached.topics
    assert isinstance(topics, PickledTopics)
    assert topics[f"t{2 * _PIECE + 1}"] == read.topics[f"t{2 * _PIECE + 1}"] and cached.topic_at(0) == read.topics["t0"]
    assert [piece is None for piece in topics._pieces] == [True, False, True, False, False]
    assert list(topics.values()) == list(read.topics.values())  # in guide order, whatever was read first
    assert list(topics.items()) == list(read.topics.items())


def test_the_cache_gives_the_pickled_guide(tmp_path):
    path = write_guide(tmp_path / "guide.yaml", CHAIN)
    for outline in (False, True):
        guide_cache.load(path, tmp_path / "cache", outline=outline)
        again = guide_cache.load(path, tmp_path / "cache", outline=outline)
        assert isinstance(again.topics, PickledTopics)
        assert again.topics[f"t{5 * _PIECE - 1}"].requires == (f"t{5 * _PIECE - 3}",)
        assert [len(t.cards) for t in again.topics.values()][:2] == ([0, 0] if outline else [2, 2])


@settings(max_examples=40, deadline=None)
@given(dags())
def test_a_cached_guide_plans_and_reports_as_the_read_one(tmp_path_factory, dag):
    requires, statuses = dag
    read = load_guide(write_guide(tmp_path_factory.mktemp("g") / "guide.yaml", requires, sections=2))
    cached = pickle.loads(pickle.dumps(read))
    for goal in (None, read.topics[list(requires)[-1]]):
        assert planning.plan_next(cached, statuses, goal=goal, limit=None) == \
            planning.plan_next(read, statuses, goal=goal, limit=None)
    assert progress_report(cached, statuses) == progress_report(read, statuses)
    assert states(cached, statuses) == {t: state_of(read, statuses, t) for t in read.topics}
    for topic in read.topics.values():
        assert state_of(cached, statuses, topic.id) == state_of(read, statuses, topic.id)
        assert missing_prerequisites(cached, statuses, topic.id) == missing_prerequisites(read, statuses, topic.id)
        assert unmet_ancestors(cached, statuses, topic.id) == unmet_ancestors(read, statuses, topic.id)
        assert building_on(cached, statuses, topic) == building_on(read, statuses, topic)
        assert topic_details(cached, statuses, topic) == topic_details(read, statuses, topic)
        near = neighbourhood(cached, topic)  # `show` reads only these topics' statuses
        assert topic_details(cached, {t: s for t, s in statuses.items() if t in near}, topic) == \
            topic_details(read, statuses, topic)
        path = planning.learning_path(cached, statuses, topic)
        assert path == planning.learning_path(read, statuses, topic)


def test_topics_in_progress_are_counted_all_and_listed_up_to_a_bound(tmp_path):
    guide = load_guide(write_guide(tmp_path / "guide.yaml", {f"t{i}": [] for i in range(14)}, sections=2))
    statuses = {f"t{i}": "learning" for i in range(12)} | {"t13": "learned"}
    plan = planning.plan_next(guide, statuses, in_progress_shown=3)
    assert [t.id for t in plan.in_progress] == ["t0", "t1", "t2"] and plan.in_progress_count == 12
    assert len(planning.plan_next(guide, statuses).in_progress) == 12
    report = progress_report(guide, statuses, in_progress_shown=0)
    assert report.in_progress == () and report.in_progress_count == 12
    assert report.overall.counts == {"new": 1, "learning": 12, "learned": 1, "skipped": 0}
    assert [s.counts["learning"] for s in report.sections] == [7, 5]


def test_sections_are_counted_whether_their_topics_are_together_or_not(tmp_path):
    read = load_guide(write_guide(tmp_path / "guide.yaml", {f"t{i}": [] for i in range(6)}, sections=3))
    cached = pickle.loads(pickle.dumps(read))
    assert read.section_spans == cached.section_spans == (
        ("section-1", "Section 1", 0, 2), ("section-2", "Section 2", 2, 4), ("section-3", "Section 3", 4, 6))
    shuffled = replace(read, topics={t: read.topics[t] for t in ("t5", "t0", "t3", "t1", "t2", "t4")})
    assert shuffled.section_spans is None and pickle.loads(pickle.dumps(shuffled)).section_spans is None
    statuses = {"t0": "learned", "t3": "learning", "t5": "skipped"}
    for guide in (read, cached, shuffled, pickle.loads(pickle.dumps(shuffled))):
        report = progress_report(guide, statuses)
        assert [(s.section_id, s.done, s.counts["learning"]) for s in report.sections] == \
            [("section-1", 1, 0), ("section-2", 0, 1), ("section-3", 1, 0)]


@pytest.mark.parametrize("where", [0.1, 0.6, 0.9])
def test_a_damaged_cache_entry_is_a_miss_never_an_error(tmp_path, where):
    from dlstudy.guide import cache

    path = write_guide(tmp_path / "guide.yaml", CHAIN)
    read = cache.load(path, tmp_path / "cache", outline=True)
    for entry in (tmp_path / "cache").glob("guide-*.pickle"):
        data = bytearray(entry.read_bytes())
        data[int(len(data) * where)] ^= 0xFF  # inside a piece unpickled only when used
        entry.write_bytes(bytes(data))
    again = cache.load(path, tmp_path / "cache", outline=True)
    assert [again.topics[t] for t in again.topics] == [read.topics[t] for t in read.topics]


