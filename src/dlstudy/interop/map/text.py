"""Text in the page: escaped, cut to fit a node, and data embedded where a script cannot be ended early."""

from __future__ import annotations

import html
import json

from dlstudy.interop.map.layout import FONT_SIZE

_NARROW = set("iljtfI.,:;'|!() []-")
_WIDE = set("mwMW@%")


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """A rough width for a system sans-serif font, enough to decide where a label must be cut."""
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 0.3
        elif ch in _WIDE:
            width += 0.85
        elif ch.isupper() or ch.isdigit():
            width += 0.64
        else:
            width += 0.53
    return width * size


def _fit_label(text: str, room: float) -> str:
    if _text_width(text) <= room:
        return text
    cut = text
    while cut and _text_width(cut + "…") > room:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _json_for_script(value: object) -> str:
    """JSON that cannot end its <script> element early: '<', '>' and '&' become escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
