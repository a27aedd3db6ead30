"""The Rich view of search hits."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from dlstudy.cli.render.common import STATE_MARKS, indented, mark, whole


def search_hits(topics, sections: dict[str, str], urls: dict[str, list[str]], states) -> RenderableType:
    parts: list[RenderableType] = []
    for number, topic in enumerate(topics, 1):
        heading = Text(f"{number}. ")
        if states is not None:
            heading.append_text(mark(states[topic.id]))
        heading.append(topic.title, style="bold")
        heading.append(f"  [{topic.id}]  ", style="dim")
        heading.append(sections[topic.section_id], style="blue")
        if states is not None:
            heading.append(f"  {states[topic.id]}", style=STATE_MARKS[states[topic.id]][1])
        parts.append(heading)
        for i, query in enumerate(topic.queries):
            parts.append(indented(Text.assemble("search: ", (query, "cyan")), 3))
            if topic.id in urls:
                # never wrap a link: a broken URL cannot be clicked or copied
                parts.append(whole(Text(urls[topic.id][i], style="underline"), 5))
        parts.append(indented(Text.assemble("to understand: ", topic.goal), 3))
        if topic.paper is not None:
            parts.append(indented(Text.assemble("paper: ", topic.paper.reference), 3))
            parts.append(whole(Text(topic.paper.url, style="underline"), 5))
    return Group(*parts)
