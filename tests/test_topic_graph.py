"""The prerequisite graph by position, and a cached guide whose topics are unpickled piece by piece as used."""

from __future__ import annotations

import pickle

import pytest
from guides import write_guide

from dlstudy.guide import cache as guide_cache
from dlstudy.guide import graph
from dlstudy.guide.model import PickledTopics
from dlstudy.guide.reader import load_guide

DIAMOND = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": ["d"], "f": []}
# 250 topics (three pickled pieces): two chains, the even topics and the odd ones
CHAIN = {f"t{i}": [f"t{i - 2}"] if i >= 2 else [] for i in range(250)}


def test_the_graph_numbers_topics_by_guide_position():
    found = graph.TopicGraph.of(DIAMOND)
    assert found.ids == ("a", "b", "c", "d", "e", "f")
    assert found.requires == ((), (0,), (0,), (1, 2), (3,), ())
    assert found.dependents == ((1, 2), (3,), (3,), (4,), (), ())
    assert [found.ids[i] for i in found.order] == graph.topological_order(DIAMOND)
    assert found.mapping() == {topic: tuple(requires) for topic, requires in DIAMOND.items()}
    assert found.requires_of("d") == ("b", "c") and found.position["e"] == 4


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


def test_only_the_pieces_of_the_topics_used_are_unpickled(tmp_path):
    read = load_guide(write_guide(tmp_path / "guide.yaml", CHAIN))
    cached = pickle.loads(pickle.dumps(read))
    topics = cached.topics
    assert isinstance(topics, PickledTopics)
    assert topics["t120"] == read.topics["t120"] and cached.topic_at(0) == read.topics["t0"]
    assert sum(piece is None for piece in topics._pieces) == 2  # of three
    assert list(topics.values()) == list(read.topics.values())  # in guide order, whatever was read first
    assert list(topics.items()) == list(read.topics.items())


def test_the_cache_gives_the_pickled_guide(tmp_path):
    path = write_guide(tmp_path / "guide.yaml", CHAIN)
    for outline in (False, True):
        guide_cache.load(path, tmp_path / "cache", outline=outline)
        again = guide_cache.load(path, tmp_path / "cache", outline=outline)
        assert isinstance(again.topics, PickledTopics)
        assert again.topics["t249"].requires == ("t247",)
        assert [len(t.cards) for t in again.topics.values()][:2] == ([0, 0] if outline else [2, 2])
