"""Typed fields read from a guide's YAML nodes: each accessor reports its own problem, with the node's line,
and returns None (or nothing) on failure, so that a walk over the guide collects every problem at once.

Both the walk over one section (`guide.sections`) and the walk over the rest of the guide (`guide.reader`)
read their nodes through `FieldReader`; each decides where a problem goes.
"""

from __future__ import annotations

import difflib
import re

import yaml

from dlstudy.vocab import storable

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_DECIMAL = re.compile(r"[-+]?[0-9]{1,18}")
_NAMED_KINDS = ("section", "group", "topic", "track", "level")


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def with_first(message: str, first: int | None) -> str:
    """A problem's message, naming the line where the repeated thing first appeared (see `FieldReader.problem`)."""
    return message if first is None else f"{message} (first on line {first})"


def kind_of(node: yaml.Node | None) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node is None or node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    names = {_STR: "text", _INT: "a number", "tag:yaml.org,2002:float": "a number",
             "tag:yaml.org,2002:bool": "true/false"}
    return f"{names.get(node.tag, 'a value')} '{shortened(node.value)}'"


class FieldReader:
    """The typed accessors; a subclass says where a problem goes (`report`)."""

    def report(self, line: int | None, message: str, context: str | None, field: str | None,
               first: int | None) -> None:
        raise NotImplementedError

    def problem(self, node: yaml.Node | int | None, message: str, context: str | None = None,
                field: str | None = None, first: int | None = None) -> None:
        """Report a problem at the node's line. A line the message refers to is given as `first` rather than
        written into the message, so that a section read from a piece of the file can be moved (see
        `guide.sections`)."""
        self.report(line_of(node) if isinstance(node, yaml.Node) else node, message, context, field, first)

    def mapping(self, node: yaml.Node, keys: dict[str, bool], kind: str | None,
                field: str | None = None) -> tuple[dict[str, yaml.Node], str | None]:
        """The mapping's fields by key, and a context naming it ("topic 'resnet'") for messages."""
        context = kind
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"expected a mapping of {', '.join(keys)}, got {kind_of(node)}", context, field)
            return {}, context
        named = [v for k, v in node.value if getattr(k, "value", None) == "id" and isinstance(v, yaml.ScalarNode)]
        if kind in _NAMED_KINDS and named and named[0].value:
            context = f"{kind} '{named[0].value}'"
        fields: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, f"expected a key name, got {kind_of(key_node)}", context, field)
                continue
            key = key_node.value
            if key not in keys:
                hint = did_you_mean(key, list(keys))
                self.problem(key_node, f"unknown key '{shortened(key)}'{hint}; allowed: {', '.join(keys)}",
                             context, field)
            elif key in fields:
                self.problem(key_node, f"key '{key}' appears twice", context, field, line_of(fields[key]))
            else:
                fields[key] = value_node
        for key, required in keys.items():
            if required and key not in fields:
                self.problem(node, f"missing required key '{key}'", context, field)
        return fields, context

    def text(self, node: yaml.Node | None, context: str | None, field: str) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            self.problem(node, f"expected text, got {kind_of(node)}", context, field)
            return None
        text = node.value.strip()
        if not text:
            self.problem(node, "must not be empty", context, field)
            return None
        if not storable(text):
            self.problem(node, "invalid text: a lone surrogate (such as \\ud800)", context, field)
            return None
        return str(text)

    def integer(self, node: yaml.Node, context: str | None, field: str) -> int | None:
        # YAML also reads 0x65, 1:41 and `!!int abc` as integers; int() accepts none of them
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT or not _DECIMAL.fullmatch(node.value):
            self.problem(node, f"expected a whole number in decimal digits, got {kind_of(node)}", context, field)
            return None
        return int(node.value)

    def slug(self, node: yaml.Node | None, context: str | None, field: str = "id") -> str | None:
        text = self.text(node, context, field)
        if text is not None and not SLUG.match(text):
            self.problem(node, f"'{text}' is not a valid id: use lowercase letters, digits and single "
                         "hyphens", context, field)
            return None
        return text

    def items(self, node: yaml.Node | None, context: str | None, field: str,
              required: bool = False) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"expected a list, got {kind_of(node)}", context, field)
            return []
        if required and not node.value:
            self.problem(node, "must not be empty", context, field)
        return list(node.value)

    def texts(self, node: yaml.Node | None, context: str | None, field: str, required: bool = False
              ) -> tuple[tuple[str, yaml.Node], ...]:
        found = []
        for item in self.items(node, context, field, required):
            text = self.text(item, context, field)
            if text is not None:
                found.append((text, item))
        return tuple(found)
