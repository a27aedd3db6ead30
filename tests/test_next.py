"""Ranking and learning paths, on small synthetic guides and as properties on random DAGs."""

from __future__ import annotations

from guides import write_guide
from hypothesis import given, settings
from hypothesis import strategies as st

from dlstudy.guide import lookup
from dlstudy.guide.reader import load_guide
from dlstudy.study import planning as study

# a: foundation; b, c need a; d needs b and c; e needs d; f is a second foundation
DIAMOND = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": ["d"], "f": []}


def load(tmp_path, requires, tracks=None):
    return load_guide(write_guide(tmp_path / "guide.yaml", requires, tracks))


def ids(plan):
    return [s.topic.id for s in plan.suggestions]


def test_new_learner_gets_foundations_ranked_by_what_they_unlock(tmp_path):
    guide = load(tmp_path, DIAMOND)
    plan = study.plan_next(guide, {})
    assert ids(plan) == ["a", "f"]
    assert plan.new_learner
    first = plan.suggestions[0]
    assert "unlocks 2 topics: Topic B, Topic C" in first.reasons
    assert "next in the guide's order" in first.reasons
    assert "a foundation: needs nothing else" in first.reasons


def test_done_unlocks_dependents_and_learning_topics_are_listed_apart(tmp_path):
    guide = load(tmp_path, DIAMOND)
    plan = study.plan_next(guide, {"a": "learned", "b": "learning"})
    assert [t.id for t in plan.in_progress] == ["b"]
    assert ids(plan) == ["c", "f"]
    assert not plan.new_learner


def test_skipped_counts_as_satisfied(tmp_path):
    guide = load(tmp_path, DIAMOND)
    plan = study.plan_next(guide, {"a": "skipped", "b": "learned", "c": "skipped"})
    assert ids(plan)[0] == "d"


def test_goal_path_comes_first(tmp_path):
    requires = {"a": [], "x": ["a"], "y": ["a"], "z": ["y"]}
    guide = load(tmp_path, requires)
    plan = study.plan_next(guide, {"a": "learned"}, goal=guide.topics["z"])
    assert ids(plan) == ["y", "x"]
    assert "on the path to your goal: Topic Z" in plan.suggestions[0].reasons


def test_track_orders_by_step(tmp_path):
    requires = {"a": [], "p": [], "q": [], "r": ["q"]}
    guide = load(tmp_path, requires, tracks={"t": ["q", "r"]})
    plan = study.plan_next(guide, {}, track=guide.tracks[0])
    assert ids(plan)[0] == "q"
    assert plan.suggestions[0].reasons[0] == "continues your track Track t: step 1 of 2 (Topic Q)"


def test_limit_and_all(tmp_path):
    requires = {f"t{i}": [] for i in range(8)}
    guide = load(tmp_path, requires)
    assert len(study.plan_next(guide, {}).suggestions) == 5
    assert len(study.plan_next(guide, {}, limit=2).suggestions) == 2
    assert len(study.plan_next(guide, {}, limit=None).suggestions) == 8


def test_learning_path_is_ordered_and_skips_what_is_known(tmp_path):
    guide = load(tmp_path, DIAMOND)
    steps = study.learning_path(guide, {}, guide.topics["e"])
    assert [s.topic.id for s in steps] == ["a", "b", "c", "d", "e"]
    assert [s.state for s in steps] == ["unlocked", "locked", "locked", "locked", "locked"]
    # a skipped topic covers its own prerequisites
    steps = study.learning_path(guide, {"b": "skipped", "c": "learned"}, guide.topics["e"])
    assert [s.topic.id for s in steps] == ["d", "e"]
    assert study.learning_path(guide, {"e": "learned"}, guide.topics["e"]) == []


def test_resolve_topic_by_id_title_part_and_errors(tmp_path):
    guide = load(tmp_path, DIAMOND)
    assert lookup.resolve_topic(guide, "d").id == "d"
    assert lookup.resolve_topic(guide, "topic b").id == "b"
    try:
        lookup.resolve_topic(guide, "topic")
    except lookup.AmbiguousTopic as error:
        assert "matches 6 topics" in str(error)
    else:
        raise AssertionError("expected an ambiguity")
    try:
        lookup.resolve_topic(guide, "topc q")
    except lookup.UnknownTopic as error:
        assert "no topic matches 'topc q'" in str(error)
    else:
        raise AssertionError("expected an unknown topic")


# --- properties on random DAGs -------------------------------------------------------------------

STATES = st.sampled_from(["new", "new", "learning", "learned", "skipped"])


@st.composite
def dags(draw):
    size = draw(st.integers(min_value=1, max_value=12))
    names = [f"t{i}" for i in range(size)]
    requires = {}
    for i, name in enumerate(names):
        earlier = names[:i]
        picked = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        requires[name] = picked
    # keep only direct edges, as the loader demands
    reach: dict[str, set[str]] = {}
    for name in names:
        reach[name] = set()
        for p in requires[name]:
            reach[name] |= {p} | reach[p]
    for name in names:
        requires[name] = [p for p in requires[name]
                          if not any(p in reach[o] for o in requires[name] if o != p)]
    statuses = {name: draw(STATES) for name in names}
    return requires, statuses


def satisfied(statuses, name):
    return statuses.get(name) in ("learned", "skipped")


@settings(max_examples=60, deadline=None)
@given(dags())
def test_next_never_suggests_a_locked_topic(tmp_path_factory, dag):
    requires, statuses = dag
    guide = load(tmp_path_factory.mktemp("g"), requires)
    plan = study.plan_next(guide, statuses, limit=None)
    for suggestion in plan.suggestions:
        assert statuses[suggestion.topic.id] == "new"
        assert all(satisfied(statuses, p) for p in requires[suggestion.topic.id])
    expected = {n for n in requires if statuses[n] == "new" and all(satisfied(statuses, p) for p in requires[n])}
    assert {s.topic.id for s in plan.suggestions} == expected


@settings(max_examples=60, deadline=None)
@given(dags(), st.data())
def test_goal_path_is_a_topological_order_of_exactly_the_unmet_ancestors(tmp_path_factory, dag, data):
    requires, statuses = dag
    guide = load(tmp_path_factory.mktemp("g"), requires)
    goal = data.draw(st.sampled_from(list(requires)))
    path = [s.topic.id for s in study.learning_path(guide, statuses, guide.topics[goal])]
    # unmet ancestors: reachable from the goal through topics not yet learned or skipped
    unmet, pending = set(), [p for p in requires[goal] if not satisfied(statuses, p)]
    while pending:
        node = pending.pop()
        if node not in unmet:
            unmet.add(node)
            pending += [p for p in requires[node] if not satisfied(statuses, p)]
    expected = set() if satisfied(statuses, goal) else unmet | {goal}
    assert set(path) == expected and len(path) == len(expected)
    position = {name: i for i, name in enumerate(path)}
    for name in path:
        for p in requires[name]:
            if p in position:
                assert position[p] < position[name]
