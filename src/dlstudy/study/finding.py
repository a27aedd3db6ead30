"""Finding what to search for: topics that match the learner's words, or what `next` suggests, with links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dlstudy.errors import DlstudyError
from dlstudy.guide.search import ENGINES, Summary, links, summary_of

if TYPE_CHECKING:
    from dlstudy.guide.model import Guide
    from dlstudy.guide.search import SearchIndex
    from dlstudy.study.goals import StandingGoal
    from dlstudy.study.status import Statuses


class NoMatch(DlstudyError):
    pass


PAPER = "paper"  # not a search engine: the link to the topic's paper


def check_engine(engine: str | None) -> None:
    if engine is not None and engine != PAPER and engine not in ENGINES:
        raise DlstudyError(f"unknown engine '{engine}'; engines: {', '.join(ENGINES)}, or {PAPER}")


def matching_topics(index: SearchIndex, query: str, count: int) -> list[Summary]:
    """The best `count` topics for the words; NoMatch naming the nearest titles when none matches."""
    topics = [hit.topic for hit in index.search(query, limit=count)]
    if not topics:
        nearest = ", ".join(f"{t.title} [{t.id}]" for t in index.nearest_titles(query))
        raise NoMatch(f"no topic matches '{query}'" + (f"; nearest: {nearest}" if nearest else ""))
    return topics


def suggested_topics(guide: Guide, statuses: Statuses, goal: StandingGoal, count: int) -> list[Summary]:
    """What `next` would show: topics in progress, then the best unlocked ones."""
    from dlstudy.study.planning import plan_next  # not needed to search by words

    plan = plan_next(guide, statuses, goal=goal.topic, track=goal.track, limit=count)
    sections = {section.id: section.title for section in guide.sections}
    return [summary_of(topic, sections[topic.section_id])
            for topic in [*plan.in_progress, *(s.topic for s in plan.suggestions)][:count]]


def search_links(topics: list[Summary], engine: str | None) -> dict[str, list[str]]:
    """A ready link per search query of each topic, for a search engine (none without one, or for `paper`)."""
    return {t.id: links(t.queries, engine) for t in topics} if engine and engine != PAPER else {}


def link_to_open(topics: list[Summary], engine: str | None) -> str:
    """What `search --open` opens: the best hit's paper (`paper`), else its first search (web by default)."""
    if engine == PAPER:
        found = next((t.paper_url for t in topics if t.paper_url is not None), None)
        if found is None:
            raise DlstudyError("nothing was opened: none of these topics has a paper")
        return found
    return links(topics[0].queries[:1], engine or "web")[0]
