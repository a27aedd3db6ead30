"""The view of search hits, in plain styled lines (see `plain`: `search` does without Rich)."""

from __future__ import annotations

from dlstudy.cli.render.plain import STATE_MARKS, Lines


def search_hits(topics, urls: dict[str, list[str]], states) -> Lines:
    lines = Lines()
    for number, topic in enumerate(topics, 1):
        heading = [(f"{number}. ", "")]
        if states is not None:
            symbol, style = STATE_MARKS[states[topic.id]]
            heading.append((f"{symbol} ", style))
        heading += [(topic.title, "bold"), (f"  [{topic.id}]  ", "dim"), (topic.section_title, "blue")]
        if states is not None:
            heading.append((f"  {states[topic.id]}", STATE_MARKS[states[topic.id]][1]))
        lines.add(heading, hanging=3)
        for i, query in enumerate(topic.queries):
            lines.add([("search: ", ""), (query, "cyan")], indent=3)
            if topic.id in urls:
                lines.whole(urls[topic.id][i], indent=5, style="underline")  # a broken URL cannot be clicked
        lines.add([("to understand: ", ""), (topic.goal, "")], indent=3)
        if topic.paper_url is not None:
            lines.add([("paper: ", ""), (topic.paper_reference, "")], indent=3)
            lines.whole(topic.paper_url, indent=5, style="underline")
    return lines
