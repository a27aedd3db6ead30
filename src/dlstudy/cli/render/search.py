"""The Rich view of search hits."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from dlstudy.cli.render.common import STATE_MARKS, mark


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
            parts.append(Text.assemble("   search: ", (query, "cyan")))
            if topic.id in urls:
                # never wrap a link: a broken URL cannot be clicked or copied
                parts.append(Text(f"     {urls[topic.id][i]}", style="underline", no_wrap=True, overflow="ignore"))
        parts.append(Text.assemble("   to understand: ", topic.goal))
        if topic.paper is not None:
            parts.append(Text.assemble("   paper: ", topic.paper.reference))
            parts.append(Text(f"     {topic.paper.url}", style="underline", no_wrap=True, overflow="ignore"))
    return Group(*parts)
