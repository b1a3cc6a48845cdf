"""Mutated scenarios: the shipped scenario files, broken in every way a person (or an attacker)
could break them.

:func:`scenario_cases` draws, from a seed, scenario files mutated by: deleting a field,
swapping a value's type, non-finite, huge, tiny and negative numbers, unicode, control
characters and rich markup in keys and values, broken ``extends`` (missing, absolute, ``../``,
NUL, very long, a symlink loop, a cycle, a chain of 2,000 files), YAML alias bombs, deep
nesting, duplicate keys, invalid dates and files that are not scenarios at all; plus the
values an adversarial review found to crash or explode a run. :func:`set_cases` gives the
``--set`` and option cases. A case is data (files to write, a command line); running it is
:mod:`tests.fuzz.harness`'s business.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when present: faster
SOURCES = {
    "baseline": ROOT / "scenarios" / "baseline.yaml",
    "mmc": ROOT / "tests" / "scenarios" / "mmc_import.yaml",
}
WHATIFS = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if p.name != "baseline.yaml")
ENTRY = "scn/main.yaml"
"""Every case's scenario file; the files it extends live beside it, in ``scn/``."""
CASE_FOLDER = "@CASE@"
"""Written as the absolute path of the case's folder."""


@dataclass
class Case:
    """One mutant: files to write (path relative to the case folder → text or bytes),
    symbolic links (path → target), and the command-line arguments after the scenario."""

    kind: str
    note: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    command: str = "validate"

    def write(self, folder: Path) -> Path:
        """Write the case's files under ``folder``; return the scenario file to give."""
        for rel, content in self.files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content.replace(CASE_FOLDER, str(folder)), encoding="utf-8")
        for rel, target in self.links.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(target)
        return folder / ENTRY


# ---------------------------------------------------------------------------- values

NON_FINITE = [".inf", "-.inf", ".nan", ".NaN", "+.inf", ".Inf"]
HUGE = [
    "1e9",
    "1e300",
    "1e400",
    "2147483648",
    "9223372036854775808",
    "123456789012345678901234567890",
    "1" + "0" * 400,
    "9" * 5000,
    "1.7976931348623157e308",
]
NEGATIVE = ["-1", "-0.5", "-1e9", "-2147483648", "-1e-300", "-.inf"]
EDGE = [
    # values at or near the schema's bounds: accepted, so the model meets them
    "0",
    "1e-9",
    "0.001",
    "1",
    "0.999",
    "10",
    "1000",
    "10000",
    "99999",
    "100000",
    "1000000",
    "10000000",
    "{dist: lognormal, mean: 100000, cv: 10}",
    "{dist: lognormal, mean: 0.001, cv: 10}",
    "{dist: gamma, mean: 0.001, cv: 0.001}",
    "{dist: gamma, mean: 50000, cv: 10}",
    "{dist: uniform, low: 0, high: 100000}",
    "{dist: triangular, low: 0, mode: 0, high: 0.001}",
    "{dist: exponential, mean: 100000}",
]
TINY = ["0", "0.0", "-0.0", "1e-300", "5e-324", "1e-9"]
WRONG_TYPE = [
    "abc",
    "'3'",
    "'1.5'",
    "true",
    "false",
    "yes",
    "null",
    "~",
    "[1, 2]",
    "[]",
    "{x: 1}",
    "{}",
    "2023-01-01",
    "08:30",
    "'08:30'",
    "!!binary aGVsbG8=",
    "''",
    "0x1F",
    "0o17",
    "1_000",
    "12:30:00",
    "!!set {a, b}",
    "!!float abc",
    "!!int 1.5",
    "!!bool maybe",
    "!!timestamp nope",
    "!!python/object/apply:os.system ['true']",
    "!custom 1",
]
TEXT = [
    "'[/red]'",
    "'[bold]x[/bold]'",
    "'[link=file:///etc/passwd]x[/link]'",
    "'[red'",
    '"\\e[31mred\\e[0m"',
    "'名字'",
    "'🚂🚢'",
    "'\u202eevil'",
    '"a\\nb"',
    '"tab\\tx"',
    '"nul\\0x"',
    '"bell\\a"',
    "'" + "x" * 20000 + "'",
    "'../../etc'",
    "'%s%n{0}'",
]
KEYS = [
    "[/red]",
    "[bold]x",
    "名字",
    "🚂",
    "\u202eevil",
    "a\nb",
    "\x1b[31m",
    "",
    " ",
    "x" * 5000,
    "a.b",
    "__class__",
    "dist",
    "extends",
]
DATES = [
    "2023-02-30",
    "2023-13-01",
    "2023-00-10",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "1677-01-01",
    "2262-04-12",
    "2199-12-31",
    "2023-01-01 10:00:00",
    "2023-01-01T00:00:00Z",
    "'2023-02-30'",
    "'2023-01-01'",
    "20230101",
    "2023-1-5",
    "'tomorrow'",
    "2022-12-31",
    "2040-01-01",
    "1900-01-01",
]


def alias_bomb(width: int = 9, depth: int = 10, mapping: bool = False) -> str:
    """Top-level keys ``lol0`` … ``lolN``, each repeating the previous ``width`` times."""
    if mapping:
        lines = ["lol0: &l0 {" + ", ".join(f"k{i}: x" for i in range(width)) + "}"]
        for d in range(1, depth + 1):
            body = ", ".join(f"k{i}: *l{d - 1}" for i in range(width))
            lines.append(f"lol{d}: &l{d} {{{body}}}")
    else:
        lines = ["lol0: &l0 [" + ", ".join(["x"] * width) + "]"]
        for d in range(1, depth + 1):
            lines.append(f"lol{d}: &l{d} [" + ", ".join([f"*l{d - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- tree edits


class Raw(str):
    """YAML text to put in a dumped tree as is."""


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _leaves(tree: Any) -> list[tuple[Any, ...]]:
    return [p for p in _paths(tree) if not isinstance(_get(tree, p), dict | list)]


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        tree = tree[k]
    return tree


def dump(tree: Any) -> str:
    """YAML text of ``tree`` in flow style (JSON, a subset of YAML: fast to write), with
    :class:`Raw` values written as they are."""
    raws: list[str] = []

    def mark(node: Any) -> Any:
        if isinstance(node, Raw):
            raws.append(str(node))
            return f"RAW{len(raws) - 1}RAW"
        if isinstance(node, dict):
            return {str(k) if not isinstance(k, str) else k: mark(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mark(v) for v in node]
        return node

    text = json.dumps(mark(tree), ensure_ascii=False, default=str)
    for i in reversed(range(len(raws))):
        text = text.replace(f'"RAW{i}RAW"', raws[i])
    return text + "\n"


def _with_duplicate(mapping: dict[str, Any], key: str, value: str) -> Raw:
    """``mapping`` as flow YAML with ``key`` given a second time, as ``value``."""
    items = [f"{json.dumps(k, ensure_ascii=False)}: {dump(v).strip()}" for k, v in mapping.items()]
    items.append(f"{json.dumps(key, ensure_ascii=False)}: {value}")
    return Raw("{" + ", ".join(items) + "}")


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)


# ---------------------------------------------------------------------------- cases


REVIEW = [
    # (dotted path, YAML value): what the adversarial review found to crash or explode
    ("warmup_days", ".inf"),
    ("customs.import.review_h", ".inf"),
    ("customs.import.review_h", "{dist: gamma, mean: 0.5, cv: 1e-300}"),
    ("customs.import.review_h", "{dist: gamma, mean: 0.5, cv: 1e200}"),
    ("customs.import.review_h", "{dist: lognormal, mean: 0.5, cv: 1e200}"),
    ("customs.import.review_h", "{dist: exponential, mean: 1e-300}"),
    ("tariffs.value_of_time_cny_per_teu_h", ".inf"),
    ("replications", "1e9"),
    ("replications", "1000000000"),
    ("end", "9999-12-31"),
    ("start", "0001-01-01"),
    ("start", "2023-02-30"),
    ("sea_ports.qinzhou.services.haiphong.freight_cny_per_teu", "2147483648"),
    ("sea_ports.qinzhou.services.haiphong.freight_cny_per_teu", "1e6"),
    ("network.legs", "[]"),
    ("demand.flows", "{}"),
    (
        "demand.seasonality",
        "{jan: 0, feb: 0, mar: 0, apr: 0, may: 0, jun: 0, jul: 0, aug: 0, sep: 0, oct: 0, "
        "nov: 0, dec: 0}",
    ),
    ("demand.scale", "0"),
    ("demand.scale", "1e4"),
    ("demand.scale", "100"),
    ("tariffs.subsidy_per_teu_cny", "1e300"),
    ("tariffs.subsidy_per_teu_cny", "1e6"),
    ("tariffs.discount.nanning", "1"),
    ("demand.response.cost_sensitivity_per_cny", "0.1"),
    ("demand.response.cost_sensitivity_per_cny", "1e9"),
    ("demand.response.model", "elasticity"),
    ("customs.import.officers", "true"),
    ("customs.import.officers", "2.5"),
    ("customs.import.officers", "1e9"),
    ("terminal.yard.capacity_teu", "1e12"),
    ("name", ".."),
    ("name", ".hidden"),
    ("name", "'a/b'"),
    ("name", "''"),
    ("name", "'[/red]'"),
    ("corridors.qinzhou_rail_sea.trains.export.schedule.headway_h", "1e-9"),
    ("corridors.qinzhou_rail_sea.trains.export.schedule", "{days: [mon], times: []}"),
    ("corridors.china_laos.trains.import.booking.window_h", ".inf"),
    ("corridors.china_laos.trains.import.booking", "{window_h: 1e9, max_delay_h: 0}"),
    ("corridors.china_laos.trains.import.booking.max_delay_h", ".inf"),
    ("sea_ports.qinzhou.services.haiphong.slots_teu", "0"),
    ("terminal.yard.import_share", "1"),
    ("terminal.tracks.count", "0"),
    ("watchdog.stall_h", "1e-300"),
    ("terminal.handling.teu_per_h", "1e-300"),
    ("terminal.consolidation.max_wait_h", "1e-300"),
    ("terminal.consolidation.container_cbm", "1e-300"),
    ("demand.flows.rail_sea_export.containers_per_shipment", "1e9"),
    ("demand.flows.rail_sea_export.teu_per_week", "1e9"),
    ("demand.flows.rail_sea_export.lcl_cbm", "{dist: gamma, mean: 1e9, cv: 0.5}"),
    ("demand.flows.rail_sea_export.places.haiphong", "1e308"),
    ("customs.import.working_hours", "[]"),
    ("seed", "-5"),
    ("seed", "1e400"),
    ("seed", "18446744073709551616"),
]


def _review_cases() -> list[Case]:
    base = _load(SOURCES["baseline"])
    cases = []
    for dotted, raw in REVIEW:
        tree = copy.deepcopy(base)
        *parents, last = dotted.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = Raw(raw)
        cases.append(Case("review", f"{dotted}: {raw}", {ENTRY: dump(tree)}))
    # the elasticity response at extreme settings
    tree = copy.deepcopy(base)
    tree["demand"]["response"] = {
        "model": "elasticity",
        "elasticity": -10,
        "reference": {"discount": {"nanning": 0.0}, "toll_cut": 0.0, "subsidy_per_teu_cny": 0},
    }
    tree["tariffs"]["discount"]["nanning"] = 1.0
    cases.append(Case("review", "elasticity −10 with a free Nanning leg", {ENTRY: dump(tree)}))
    return cases


def _extends_cases(rng: random.Random) -> list[Case]:
    base_text = SOURCES["baseline"].read_text(encoding="utf-8")

    def whatif(target: str) -> str:
        return f"extends: {target}\nname: w\ndemand: {{scale: 1.5}}\n"

    cases = [
        Case("extends", "missing", {ENTRY: whatif("nothere.yaml")}),
        Case("extends", "absolute /etc/passwd", {ENTRY: whatif("/etc/passwd")}),
        Case("extends", "absolute /etc/shadow", {ENTRY: whatif("/etc/shadow")}),
        Case("extends", "absolute /dev/zero", {ENTRY: whatif("/dev/zero")}),
        Case("extends", "absolute /proc/self/environ", {ENTRY: whatif("/proc/self/environ")}),
        Case(
            "extends",
            "../ outside the folder tree",
            {ENTRY: whatif("../outside.yaml"), "outside.yaml": base_text},
        ),
        Case(
            "extends",
            "absolute path of a file outside",
            {ENTRY: whatif(f"{CASE_FOLDER}/outside.yaml"), "outside.yaml": base_text},
        ),
        Case("extends", "../../../../../../etc/passwd", {ENTRY: whatif("../" * 12 + "etc/passwd")}),
        Case("extends", "NUL", {ENTRY: 'extends: "base\\0line.yaml"\nname: w\n'}),
        Case("extends", "very long", {ENTRY: whatif("a" * 5000 + ".yaml")}),
        Case("extends", "long folders", {ENTRY: whatif("/".join(["d" * 200] * 30) + "/x.yaml")}),
        Case(
            "extends",
            "symlink loop",
            {ENTRY: whatif("a.yaml")},
            links={"scn/a.yaml": "b.yaml", "scn/b.yaml": "a.yaml"},
        ),
        Case(
            "extends",
            "symlink out of the folder",
            {ENTRY: whatif("link.yaml"), "outside.yaml": base_text},
            links={"scn/link.yaml": "../outside.yaml"},
        ),
        Case("extends", "a directory", {ENTRY: whatif("sub.yaml"), "scn/sub.yaml/x": "x"}),
        Case("extends", "itself", {ENTRY: whatif("main.yaml")}),
        Case(
            "extends",
            "a cycle",
            {ENTRY: whatif("a.yaml"), "scn/a.yaml": whatif("main.yaml")},
        ),
        Case("extends", "a list", {ENTRY: "extends: [baseline.yaml]\nname: w\n"}),
        Case("extends", "a number", {ENTRY: "extends: 5\nname: w\n"}),
        Case("extends", "a mapping", {ENTRY: "extends: {a: 1}\nname: w\n"}),
        Case("extends", "empty", {ENTRY: "extends: ''\nname: w\n"}),
        Case("extends", "null", {ENTRY: "extends: null\nname: w\n"}),
        Case(
            "extends",
            "not YAML (.txt)",
            {ENTRY: whatif("notes.txt"), "scn/notes.txt": "secret: 1\n"},
        ),
        Case(
            "extends",
            "binary file",
            {ENTRY: whatif("bin.yaml"), "scn/bin.yaml": bytes(range(256)) * 4},
        ),
        Case(
            "extends",
            "a list document",
            {ENTRY: whatif("list.yaml"), "scn/list.yaml": "- a\n- b\n"},
        ),
        Case(
            "extends",
            "parent with an alias bomb",
            {ENTRY: whatif("bomb.yaml"), "scn/bomb.yaml": alias_bomb()},
        ),
        Case(
            "extends",
            "a subfolder (allowed)",
            {ENTRY: whatif("lib/baseline.yaml"), "scn/lib/baseline.yaml": base_text},
        ),
    ]
    chain = {f"scn/c{i}.yaml": f"extends: c{i + 1}.yaml\n" for i in range(2000)}
    chain["scn/c2000.yaml"] = base_text
    cases.append(Case("extends", "a chain of 2,000 files", {ENTRY: whatif("c0.yaml"), **chain}))
    for whatif_file in WHATIFS:  # the shipped what-ifs, their extends intact (all valid)
        cases.append(
            Case(
                "extends",
                f"shipped {whatif_file.name}",
                {ENTRY: whatif_file.read_text(encoding="utf-8"), "scn/baseline.yaml": base_text},
            )
        )
    rng.shuffle(cases)
    return cases


def _bomb_cases() -> list[Case]:
    base_text = SOURCES["baseline"].read_text(encoding="utf-8")
    no_description = re.sub(r"(?ms)^description: >\n(?:  .*\n)+", "", base_text)
    return [
        Case("alias bomb", "9 × 10 lists", {ENTRY: alias_bomb()}),
        Case("alias bomb", "9 × 10 mappings", {ENTRY: alias_bomb(mapping=True)}),
        Case("alias bomb", "2 × 40 lists", {ENTRY: alias_bomb(2, 40)}),
        Case(
            "alias bomb",
            "in the description of the baseline",
            {ENTRY: alias_bomb(9, 8) + "description: *l8\n" + no_description},
        ),
        Case("alias bomb", "recursive list", {ENTRY: "a: &a [*a]\n"}),
        Case("alias bomb", "recursive mapping", {ENTRY: "a: &a {b: *a}\n"}),
        Case(
            "alias bomb",
            "legitimate aliases (accepted)",
            {
                ENTRY: base_text.replace("  reference:", "  reference: &ref")
                .replace(
                    "discount: {guangzhou: 0.52, nanning: 0.30, shanghai: 0.45}   #",
                    "discount: &d {guangzhou: 0.52, nanning: 0.30, shanghai: 0.45}   #",
                )
                .replace(
                    "      discount: {guangzhou: 0.52, nanning: 0.30, shanghai: 0.45}\n",
                    "      discount: *d\n",
                )
            },
        ),
        Case("deep nesting", "1,000 flow lists", {ENTRY: "x: " + "[" * 1000 + "]" * 1000 + "\n"}),
        Case("deep nesting", "50,000 flow lists", {ENTRY: "x: " + "[" * 50000 + "]" * 50000}),
        Case(
            "deep nesting",
            "1,000 flow mappings",
            {ENTRY: "x: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n"},
        ),
        Case(
            "deep nesting",
            "400 block mappings",
            {ENTRY: "".join(" " * i + f"k{i}:\n" for i in range(400)) + " " * 400 + "v\n"},
        ),
        Case(
            "deep nesting",
            "1,000 levels in a valid field",
            {ENTRY: base_text.replace("seed: 20230831", "seed: " + "[" * 1000 + "]" * 1000)},
        ),
        Case("not a scenario", "empty file", {ENTRY: ""}),
        Case("not a scenario", "a list", {ENTRY: "- 1\n- 2\n"}),
        Case("not a scenario", "a number", {ENTRY: "42\n"}),
        Case("not a scenario", "two documents", {ENTRY: base_text + "\n---\nname: x\n"}),
        Case("not a scenario", "invalid UTF-8", {ENTRY: b"name: \xff\xfe\n"}),
        Case("not a scenario", "binary", {ENTRY: bytes(range(256)) * 16}),
        Case("not a scenario", "UTF-16", {ENTRY: base_text.encode("utf-16")}),
        Case("not a scenario", "2 MB", {ENTRY: base_text + "#" + "x" * 2_000_000 + "\n"}),
        Case("not a scenario", "tabs", {ENTRY: "name:\n\tx: 1\n"}),
        Case("not a scenario", "unclosed", {ENTRY: "name: [a, b\n"}),
        Case("not a scenario", "BOM", {ENTRY: "\ufeff" + base_text}),
        Case("not a scenario", "NUL bytes", {ENTRY: "name: a\0b\n"}),
    ]


def _random_case(rng: random.Random, bases: dict[str, str]) -> Case:
    """One random mutation of a random base: a shipped scenario, or a what-if beside it."""
    source = rng.choice(["baseline", "baseline", "baseline", "mmc", "whatif"])
    files: dict[str, str | bytes] = {}
    if source == "whatif":
        path = rng.choice(WHATIFS)
        tree = json.loads(bases[path.name])
        files["scn/baseline.yaml"] = SOURCES["baseline"].read_text(encoding="utf-8")
        label = path.name
    else:
        tree = json.loads(bases[source])
        label = SOURCES[source].name
    family = rng.choice(
        [
            "delete",
            "delete",
            "type",
            "type",
            "non-finite",
            "huge",
            "negative",
            "tiny",
            "text",
            "key",
            "duplicate key",
            "date",
            "nesting",
            "several",
            "edge",
            "edge",
            "edge",
            "levers",
            "levers",
        ]
    )
    if family == "levers" and not {"demand", "tariffs"} <= set(tree):
        family = "edge"  # a what-if without levers of its own
    if family == "levers":
        note = _levers(rng, tree)
    elif family == "several":
        kinds = ["delete", "type", "huge", "tiny", "negative", "text"]
        note = "; ".join(_mutate(rng, tree, rng.choice(kinds)) for _ in range(rng.randint(2, 5)))
    else:
        note = _mutate(rng, tree, family)
    files[ENTRY] = dump(tree)
    return Case(family, f"{label}: {note}", files)


def _levers(rng: random.Random, tree: Any) -> str:
    """Random rate levers and demand response, within the fields' bounds: where the volume
    response to prices could explode."""
    response = tree["demand"]["response"]
    response["model"] = model = rng.choice(["logit", "elasticity", "none"])
    response["cost_sensitivity_per_cny"] = theta = rng.choice([0.0, 3e-4, 1e-3, 0.01, 0.1])
    response["elasticity"] = eps = rng.choice([0.0, -0.5, -1.2, -3.0, -10.0])
    tariffs = tree["tariffs"]
    for bureau in list(tariffs["discount"]):
        tariffs["discount"][bureau] = rng.choice([0.0, 0.3, 0.6, 0.9, 1.0])
    tariffs["subsidy_per_teu_cny"] = subsidy = rng.choice([0, 500, 5000, 50000])
    tariffs["toll_cut"] = rng.choice([0.0, 0.5, 1.0])
    return f"response {model} θ={theta} ε={eps}, discounts {tariffs['discount']}, subsidy {subsidy}"


def _mutate(rng: random.Random, tree: Any, family: str) -> str:
    paths = list(_paths(tree))
    leaves = _leaves(tree) or paths
    if family == "delete":
        path = rng.choice(paths)
        parent = _get(tree, path[:-1])
        del parent[path[-1]]
        return f"deleted {_dotted(path)}"
    if family == "key":
        path = rng.choice([p for p in paths if isinstance(_get(tree, p[:-1]), dict)])
        parent = _get(tree, path[:-1])
        new = rng.choice(KEYS)
        items = [(new if k == path[-1] else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
        return f"renamed {_dotted(path)} to {new[:20]!r}"
    if family == "duplicate key":
        path = rng.choice([p for p in paths if isinstance(_get(tree, p), dict) and _get(tree, p)])
        mapping = _get(tree, path)
        key = rng.choice(list(mapping))
        value = rng.choice([dump(mapping[key]).strip(), *TINY, *WRONG_TYPE[:6]])
        _get(tree, path[:-1])[path[-1]] = _with_duplicate(mapping, key, value)
        return f"{_dotted((*path, key))} given twice, the second time {value[:30]}"
    if family == "nesting":
        path = rng.choice(leaves)
        depth = rng.choice([40, 100, 1000, 5000])
        _get(tree, path[:-1])[path[-1]] = Raw("[" * depth + "1" + "]" * depth)
        return f"{_dotted(path)} nested {depth} deep"
    pool = {
        "type": WRONG_TYPE,
        "non-finite": NON_FINITE,
        "huge": HUGE,
        "negative": NEGATIVE,
        "tiny": TINY,
        "text": TEXT,
        "date": DATES,
        "edge": EDGE,
    }[family]
    if family == "date":
        candidates = [p for p in leaves if p[-1] in ("start", "end")] or leaves
        path = rng.choice([*candidates, rng.choice(leaves)])
    elif family in ("non-finite", "huge", "negative", "tiny", "edge"):
        numeric = [p for p in leaves if isinstance(_get(tree, p), int | float)]
        path = rng.choice(numeric or leaves)
    else:
        path = rng.choice(leaves)
    value = rng.choice(pool)
    _get(tree, path[:-1])[path[-1]] = Raw(value)
    return f"{_dotted(path)} = {value[:40]}"


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)[:120]


def scenario_cases(seed: int, count: int) -> list[Case]:
    """``count`` mutated scenario files (at least the fixed ones), drawn from ``seed``."""
    rng = random.Random(seed)
    files = {**SOURCES, **{p.name: p for p in WHATIFS}}
    bases = {name: json.dumps(_load(path), default=str) for name, path in files.items()}
    fixed = _review_cases() + _extends_cases(rng) + _bomb_cases()
    randoms = [_random_case(rng, bases) for _ in range(max(0, count - len(fixed)))]
    return fixed + randoms


# ---------------------------------------------------------------------------- --set and options

SETS = [
    # rich markup in keys and values
    "[/red]=1",
    "[bold]x=1",
    "customs.[/red].officers=1",
    "description=[/red]",
    "description=[bold]planned[/bold]",
    "name=[/red]",
    "customs.import.officers=[/red]",
    "description=[link=file:///etc/passwd]x[/link]",
    # non-finite
    "warmup_days=.inf",
    "customs.import.review_h=.nan",
    "tariffs.value_of_time_cny_per_teu_h=-.inf",
    "corridors.china_laos.trains.import.booking.window_h=.inf",
    "demand.scale=.nan",
    # huge
    "replications=1e9",
    "replications=1001",
    "seed=1e400",
    "seed=" + "9" * 5000,
    "seed=18446744073709551616",
    "demand.scale=1e300",
    "end=9999-12-31",
    "end=2033-01-01",
    "sea_ports.qinzhou.services.haiphong.freight_cny_per_teu=2147483648",
    "demand.flows.rail_sea_export.teu_per_week=1e9",
    # tiny and negative
    "seed=-5",
    "customs.import.officers=-1",
    "customs.import.officers=0",
    "demand.scale=-1",
    "customs.import.review_h={dist: gamma, mean: 0.5, cv: 1e-300}",
    "corridors.qinzhou_rail_sea.trains.export.schedule.headway_h=1e-9",
    # wrong type
    "customs.import.officers=three",
    "customs.import.officers=true",
    "customs.import.officers=2.5",
    "customs.import.officers='3'",
    "customs.import.officers=[1]",
    "customs.import.officers={a: 1}",
    "start=hello",
    "corridors.china_laos.four_customs_as_one=1",
    "customs.import=5",
    "demand=null",
    # unknown paths
    "customs.import.oficers=3",
    "nothere=1",
    "a.b.c.d=1",
    "customs.import.officers.x=1",
    "network.legs.0.distance_km=5",
    "extends=/etc/passwd",
    ".".join(["a"] * 1000) + "=1",
    "x" * 10000 + "=1",
    # empty and malformed
    "=",
    "=1",
    "customs.import.officers=",
    "customs..officers=1",
    ".=1",
    " =1",
    "customs.import.officers",
    "",
    # dates
    "start=2023-02-30",
    "end=2022-12-31",
    "start=0001-01-01",
    "end=2023-01-01 10:00",
    # YAML that is not one value
    "name=[1",
    "name={a: 1",
    "name=a: b: c",
    "description=&a [*a]",
    "description=[&a [x, x, x, x, x, x, x, x, x], &b [*a, *a, *a, *a, *a, *a, *a, *a, *a], "
    "&c [*b, *b, *b, *b, *b, *b, *b, *b, *b], &d [*c, *c, *c, *c, *c, *c, *c, *c, *c], "
    "&e [*d, *d, *d, *d, *d, *d, *d, *d, *d], &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]]",
    "tariffs.discount={nanning: 0.4, nanning: 0.5}",
    "description=" + "[" * 5000 + "]" * 5000,
    "description=!!python/object/apply:os.system ['true']",
    # control characters and long text
    "description=\x1b[31mred",
    "description=a\nb",
    "name=a\tb",
    "description=" + "x" * 100_000,
]

OPTIONS = [
    ["--seed", "-5"],
    ["--seed", str(2**64)],
    ["--seed", "abc"],
    ["-n", "0"],
    ["-n", "1e9"],
    ["-n", "1001"],
    ["--workers", "0"],
    ["--workers", "100000"],
    ["--nonsense"],
    ["--seed", "5"],  # valid: a run
]


def set_cases() -> list[Case]:
    """Every ``--set`` case on ``validate``, and the option cases on a short ``run``."""
    base_text = SOURCES["baseline"].read_text(encoding="utf-8")
    cases = [Case("--set", repr(s)[:80], {ENTRY: base_text}, args=["--set", s]) for s in SETS]
    short = ["--set", "end=2023-01-14", "--set", "warmup_days=3", "--workers", "1"]
    for options in OPTIONS:
        cases.append(
            Case(
                "option",
                " ".join(options)[:80],
                {ENTRY: base_text},
                args=[*short, *options],  # the last of an option given twice wins
                command="run",
            )
        )
    return cases


def short_run(start: dt.date, warmup_days: float) -> list[str]:
    """Options that cut an accepted mutant's run to two weeks (and its warm-up to at most
    one), so that each takes a second or two."""
    end = start + dt.timedelta(days=13)
    options = ["-n", "1", "--workers", "1", "--set", f"end={end.isoformat()}"]
    if warmup_days > 7:
        options += ["--set", "warmup_days=7"]
    return options
