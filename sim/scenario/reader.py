"""Reading YAML text safely: scenario files and ``--set`` values.

``yaml.safe_load`` builds no Python objects, but it still lets a small text cost a lot: a
1 kB alias bomb (anchors that repeat anchors) expands to billions of values, a few thousand
nested brackets overflow the stack, and a duplicated key silently keeps the last value. The
:class:`ScenarioLoader` is PyYAML's safe loader with limits:

* nesting at most :data:`MAX_NESTING` levels deep;
* at most :data:`MAX_VALUES` values once every alias is expanded (aliases are allowed, and
  each expands to an independent copy, so an override of one place never changes another);
  an alias inside its own anchor is refused;
* a key given twice in one mapping is an error, naming both lines;
* a value that cannot be read (``2023-02-30``, an integer of 5,000 digits, ``!!float abc``)
  is an error naming its line and column, never a Python traceback;
* numbers in exponent notation without a dot (``1e9``, ``3e-4``) are numbers, as in YAML 1.2,
  not strings.

Errors are :class:`ScenarioError` issues naming the source (file or ``--set``) and the line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from sim.scenario.errors import ScenarioError, excerpt

MAX_FILE_BYTES = 1_000_000
"""A scenario file is at most 1 MB: the baseline, every number commented, is 25 kB."""
MAX_NESTING = 32
"""Levels of nested mappings and lists; the deepest scenario field is 7 levels down."""
MAX_VALUES = 100_000
"""Values in a document with every alias expanded; the baseline has about 1,300."""

MERGE_TAG = "tag:yaml.org,2002:merge"
_WHAT = {
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:binary": "base64 data",
}


class Refused(yaml.MarkedYAMLError):
    """A limit of the loader, or a value that cannot be read (not a syntax error)."""

    def __init__(self, problem: str, mark: yaml.Mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


if TYPE_CHECKING:  # the methods below are mixed into PyYAML's loaders
    from yaml import SafeLoader as _Loader
else:
    _Loader = object


class _Limits(_Loader):
    """Limits on nesting, alias expansion and duplicate keys, and values that cannot be read,
    for a loader that composes nodes in Python (:class:`ScenarioLoader`, :class:`PyYAMLLoader`)."""

    def _start(self) -> None:
        self._depth = 0
        self._sizes: dict[int, int] = {}
        """Expanded size of every node composed so far, by ``id``: a node that is being
        composed has none yet, so an alias to it is one inside its own anchor."""

    # ------------------------------------------------------------------ composing

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                raise Refused(
                    f"alias *{event.anchor} is used inside its own anchor &{event.anchor}",
                    event.start_mark,
                )
            return node
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_NESTING:
            raise Refused(f"nested more than {MAX_NESTING} levels deep", mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if isinstance(node, ScalarNode):
            size = 1
        elif isinstance(node, SequenceNode):
            size = 1 + sum(self._sizes[id(child)] for child in node.value)
        else:
            size = 1 + sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
        if size > MAX_VALUES:
            raise Refused(
                f"more than {MAX_VALUES:,} values once its aliases are expanded "
                "(aliases repeating aliases)",
                node.start_mark,
            )
        self._sizes[id(node)] = size
        return node

    # ------------------------------------------------------------------ constructing

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            what = _WHAT.get(node.tag, f"a value of tag {node.tag}")
            text = node.value if isinstance(node, ScalarNode) else ""
            why = ""
            if isinstance(exc, ValueError | OverflowError) and str(exc):
                why = ": " + str(exc).splitlines()[0]
                if "limit" in why and "integer" in why:
                    why = ": too many digits"
            raise Refused(f"cannot read {excerpt(text)} as {what}{why}", node.start_mark) from None

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            first: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = first.setdefault(key, key_node)
                except TypeError:
                    raise Refused("a key must be a plain value", key_node.start_mark) from None
                if earlier is not key_node:
                    raise Refused(
                        f"key {excerpt(key)} is given twice in one mapping (first on line "
                        f"{earlier.start_mark.line + 1}); remove one",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


class PyYAMLLoader(_Limits, yaml.SafeLoader):
    """PyYAML's safe loader, in Python, with the limits: slower than :class:`ScenarioLoader`,
    but its syntax errors say which character they found (``found character '\\t' that
    cannot start any token``) where libyaml's do not, so a text libyaml refuses is read again
    by this one to say why."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._start()


try:  # libyaml's parser, when PyYAML was built with it (its wheels are): 7 times faster
    from yaml._yaml import CParser

    class ScenarioLoader(_Limits, Composer, CParser, SafeConstructor, Resolver):
        """The scenario loader: events scanned and parsed by libyaml (with their line and
        column), nodes composed and values constructed in Python, where the limits are
        checked."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start()

except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    ScenarioLoader = PyYAMLLoader  # type: ignore[misc]

for _loader in {ScenarioLoader, PyYAMLLoader}:
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
        list("-+0123456789."),
    )


def _expand(value: Any) -> Any:
    """A copy in which every alias is a value of its own (the loader bounds the size)."""
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    return value


def load_yaml(text: str, source: str, field: str = "") -> Any:
    """The data in ``text`` (one YAML document), or a :class:`ScenarioError` naming
    ``source`` and the line and column (or ``field``, for a one-line ``--set`` value)."""
    try:
        try:
            data = _read(ScenarioLoader, text)
        except (yaml.YAMLError, UnicodeEncodeError):  # said again in PyYAML's own words
            data = _read(PyYAMLLoader, text)
    except yaml.YAMLError as exc:
        raise ScenarioError.one(source, field or _where(exc), _problem(exc)) from None
    return _expand(data)


def _read(loader_class: type[_Limits], text: str) -> Any:
    loader = loader_class(text)  # reads (and may refuse) the characters at once
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, Refused):
        return problem
    context = getattr(exc, "context", None)
    return f"YAML syntax error: {context + ', ' if context else ''}{problem}"
