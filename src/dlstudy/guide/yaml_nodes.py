"""A guide file's YAML as a node tree, each node with its line: composed without recursion, with bounds on
depth and on what aliases expand to, and every failure reported with its line."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import yaml

MAX_DEPTH = 64  # a guide nests about 8 levels; anything far deeper is junk
MAX_ALIASED_NODES = 10_000  # aliases nested inside aliases multiply ("billion laughs"); a guide needs few
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Report = Callable[[int | None, str], None]  # (line, message) of one problem


def read_nodes(data: bytes, report: Report) -> yaml.Node | None:
    """The node tree of a guide file's bytes; None, with the problem reported, if there is none to read."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        hint = "; it looks like UTF-16: save it as UTF-8" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        report(line, f"not UTF-8 text (byte {error.start} is {data[error.start]:#04x}){hint}")
        return None
    if not text.strip():
        report(None, "the guide is empty")
        return None
    try:
        node = _compose_checked(text)
    except _TooDeep as error:
        report(error.line, f"invalid YAML: nested more than {MAX_DEPTH} levels deep")
        return None
    except yaml.reader.ReaderError as error:
        line = data[: error.position].count(b"\n") + 1  # libyaml counts bytes of the UTF-8 text
        report(line, f"invalid YAML: {str(error).splitlines()[0]}")
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "malformed YAML"
        if mark and text[mark.index:mark.index + 1] == "\t":
            reason += " (a tab: indent with spaces)"
        elif mark and error.context and error.context_mark and error.context_mark.line < mark.line:
            reason += f" ({error.context} from line {error.context_mark.line + 1})"
        report(mark.line + 1 if mark else None, f"invalid YAML: {reason}")
        return None
    except yaml.YAMLError as error:
        report(None, f"invalid YAML: {error}")
        return None
    if node is None:
        report(None, "the guide is empty")
    return node


class _Line:
    """A node's position: only its line is ever read, so a node keeps this, shared by every node on the
    line, instead of the parser's two full marks (which cost more memory than the text itself)."""

    __slots__ = ("line",)

    def __init__(self, line: int):
        self.line = line


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


def _compose_checked(text: str) -> yaml.Node | None:
    """`_compose` with libyaml; a text it refuses is composed again in pure Python, whose scanner has no
    nesting limit of its own, so that dlstudy's depth check comes first whatever libyaml's version.
    Anything else keeps libyaml's own reason."""
    try:
        return _compose(text, _Loader)
    except yaml.YAMLError:
        if _Loader is yaml.SafeLoader:
            raise
        with contextlib.suppress(yaml.YAMLError):
            _compose(text, yaml.SafeLoader)
        raise


def rest_root(text: str, sections_line: int, list_line: int) -> yaml.Node | None:
    """The root of a guide file's text without its sections (`guide.pieces`), if it is a block mapping whose
    `sections` key is on `sections_line` (counted from 0) with nothing under it; None if it is not, or if it
    cannot be composed (the caller then reads the whole file, which reports any problem in its own words).
    The empty value of `sections` stands where the list it stands for starts, on `list_line`."""
    root = _composed(text, MAX_DEPTH, shared=True)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    for i, (key, value) in enumerate(root.value):
        if isinstance(key, yaml.ScalarNode) and key.value == "sections":
            if key.start_mark.line != sections_line or not isinstance(value, yaml.ScalarNode) \
                    or value.tag != "tag:yaml.org,2002:null" or value.value != "":
                return None
            at = _Line(list_line)
            root.value[i] = (key, yaml.ScalarNode(value.tag, "", at, at))  # type: ignore[arg-type]
            return root
    return None


def section_node(text: str) -> yaml.Node | None:
    """The node of the one item of a section's text (`guide.pieces`), lines counted from the text's start;
    None if it is not one block list item, or if it cannot be composed: any YAML error, nesting deeper than
    the item may inside the whole file (one level less: the file nests the list in its root mapping), or an
    anchor or alias, which could not be composed piece by piece."""
    node = _composed(text, MAX_DEPTH - 1, shared=False)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or len(node.value) != 1:
        return None
    return node.value[0]  # type: ignore[no-any-return]


def _composed(text: str, max_depth: int, shared: bool) -> yaml.Node | None:
    try:
        return _compose(text, _Loader, max_depth, shared)
    except (yaml.YAMLError, _TooDeep):
        return None


def _compose(text: str, loader: type[yaml.SafeLoader], max_depth: int = MAX_DEPTH,
             shared: bool = True) -> yaml.Node | None:
    """Build the node tree from libyaml's event stream without recursion.

    yaml.compose recurses once per nesting level, and libyaml's composer crashes the process on
    pathological nesting; this loop keeps an explicit stack and refuses absurd depth instead.
    An alias shares its node rather than copying it, but the reader walks every path through the
    shared nodes, so the nodes aliases stand for are counted and capped. Without `shared`, an anchor or
    an alias is refused.
    """
    resolver = yaml.resolver.Resolver()
    stack: list[yaml.CollectionNode] = []
    pending_keys: list[yaml.Node | None] = []
    anchors: dict[str, yaml.Node] = {}
    sizes: dict[int, int] = {}  # id(node) -> nodes it stands for once aliases are expanded
    aliased = 0
    root = None
    documents = 0
    lines: dict[int, _Line] = {}

    def position(mark: Any) -> _Line:
        found = lines.get(mark.line)
        if found is None:
            found = lines[mark.line] = _Line(mark.line)
        return found

    def attach(node: yaml.Node, anchor: str | None) -> None:
        nonlocal root
        if anchor:
            if not shared:
                raise yaml.composer.ComposerError(None, None, f"an anchor '&{anchor}'", None)
            anchors[anchor] = node
        if not stack:
            root = node
        elif isinstance(stack[-1], yaml.SequenceNode):
            stack[-1].value.append(node)
        elif pending_keys[-1] is None:
            pending_keys[-1] = node
        else:
            stack[-1].value.append((pending_keys[-1], node))
            pending_keys[-1] = None

    event: Any  # tested by its class, not narrowed: the stubs' marks differ between the C and Python parsers
    for event in yaml.parse(text, Loader=loader):
        kind = type(event)
        if issubclass(kind, yaml.ScalarEvent):
            tag = event.tag if event.tag not in (None, "!") else resolver.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, event.implicit)
            at = position(event.start_mark)
            scalar = yaml.ScalarNode(tag, event.value, at, at, style=event.style)  # type: ignore[arg-type]
            sizes[id(scalar)] = 1
            attach(scalar, event.anchor)
        elif issubclass(kind, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= max_depth:
                raise _TooDeep(event.start_mark.line + 1)
            mapping = issubclass(kind, yaml.MappingStartEvent)
            node_kind = yaml.MappingNode if mapping else yaml.SequenceNode
            default = "tag:yaml.org,2002:map" if mapping else "tag:yaml.org,2002:seq"
            tag = event.tag if event.tag not in (None, "!") else default
            at = position(event.start_mark)
            node = node_kind(tag, [], at, at, flow_style=event.flow_style)  # type: ignore[arg-type]
            attach(node, event.anchor)
            stack.append(node)
            pending_keys.append(None)
        elif issubclass(kind, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            ended = stack.pop()
            pending_keys.pop()
            children = ended.value if isinstance(ended, yaml.SequenceNode) else [
                part for pair in ended.value for part in pair]
            sizes[id(ended)] = 1 + sum(sizes[id(child)] for child in children)
        elif issubclass(kind, yaml.AliasEvent):
            if not shared:
                raise yaml.composer.ComposerError(None, None, f"an alias '*{event.anchor}'", event.start_mark)
            target = anchors.get(event.anchor)
            if target is None:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias '{event.anchor}'",
                                                  event.start_mark)
            if id(target) not in sizes:
                raise yaml.composer.ComposerError(None, None, f"alias '*{event.anchor}' is used inside the "
                                                  "anchor it refers to", event.start_mark)
            aliased += sizes[id(target)]
            if aliased > MAX_ALIASED_NODES:
                raise yaml.composer.ComposerError(None, None, f"aliases expand to more than "
                                                  f"{MAX_ALIASED_NODES} nodes", event.start_mark)
            attach(target, None)
        elif issubclass(kind, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise yaml.composer.ComposerError(None, None, "expected a single document, found another",
                                                  event.start_mark)
    return root
