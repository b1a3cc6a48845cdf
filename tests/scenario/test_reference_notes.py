"""Every source citation in the scenario and sweep files resolves to a row of the reference notes.

Scenario comments cite `[facts: section / row]` (docs/reference/huaihua-facts.md) and
`[cal: section / row]` (docs/reference/calibration-data.md). A citation resolves when a `##`
section heading of the named file begins with the cited section (as a whole phrase) and a
table row of that section has a first cell containing the cited row text; case and runs of
white space are ignored. Text before the first " / " is the section; several rows of one
section may be cited at once, separated by ";". A citation without " / " names either a
section or a row in any section. Placeholders in file headers (`[facts: …]`,
`[cal: <table> / <row>]`) are not citations. Files in sub-folders (`scenarios/disruptions/`)
are checked too.

Run as a script to list every citation with the row it resolves to:
    python tests/scenario/test_reference_notes.py
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTES = {
    "facts": ROOT / "docs" / "reference" / "huaihua-facts.md",
    "cal": ROOT / "docs" / "reference" / "calibration-data.md",
}
CITING_GLOBS = ("scenarios/**/*.yaml", "sweeps/**/*.yaml")

OPENING = re.compile(r"\[(facts|cal):")
CITATION = re.compile(r"\[(facts|cal):([^\[\]]*)\]")
PLACEHOLDER = re.compile(r"\s*(…|\.\.\.|<[^<>]*>(\s*/\s*<[^<>]*>)*)\s*")
COMMENT = re.compile(r"(?:^|\s)#(.*)$")
SEPARATOR_ROW = re.compile(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?")


def norm(text: str) -> str:
    """Lower case, markdown emphasis and code marks dropped, white space collapsed."""
    return " ".join(text.replace("**", "").replace("`", "").split()).casefold()


@dataclass(frozen=True)
class Section:
    heading: str
    """The heading as written, without the leading ##."""
    rows: tuple[str, ...]
    """The first cell of each table row (header rows excluded), as written."""


def parse_notes(text: str) -> list[Section]:
    """The `##` sections of a notes file with the first cells of their table rows."""
    sections: list[Section] = []
    heading: str | None = None
    rows: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("## "):
            if heading is not None:
                sections.append(Section(heading, tuple(rows)))
            heading, rows = line[3:].strip(), []
            continue
        stripped = line.strip()
        if heading is None or not stripped.startswith("|") or SEPARATOR_ROW.fullmatch(stripped):
            continue
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if SEPARATOR_ROW.fullmatch(following):
            continue  # a table's header row
        rows.append(stripped.strip("|").split("|")[0].strip())
    if heading is not None:
        sections.append(Section(heading, tuple(rows)))
    return sections


def heading_matches(heading: str, section: str) -> bool:
    """The heading begins with the cited section name, followed by its end, a space or
    punctuation that ends a phrase (so "rail" does not match "Rail–sea corridor")."""
    h, s = norm(heading), norm(section)
    return bool(s) and h.startswith(s) and (h == s or h[len(s)].isspace() or h[len(s)] in ",:;(")


def resolve(body: str, sections: list[Section]) -> str | None:
    """Where a citation's text resolves ("heading / row"), or None if it does not."""
    section, slash, rest = body.partition(" / ")
    if slash:
        candidates = [s for s in sections if heading_matches(s.heading, section)]
        found = []
        for label in (part for part in rest.split(";") if part.strip()):
            hit = next(
                (
                    f"{s.heading} / {row}"
                    for s in candidates
                    for row in s.rows
                    if norm(label) in norm(row)
                ),
                None,
            )
            if hit is None:
                return None
            found.append(hit)
        return "; ".join(found) or None
    for s in sections:
        if heading_matches(s.heading, body):
            return s.heading
    return next(
        (f"{s.heading} / {row}" for s in sections for row in s.rows if norm(body) in norm(row)),
        None,
    )


@dataclass(frozen=True)
class Citation:
    kind: str
    """"facts" or "cal"."""
    body: str
    where: str
    """file:line of the comment the citation starts in."""


def comment_blocks(text: str) -> list[list[tuple[int, str]]]:
    """Runs of consecutive commented lines: each line's number and comment text."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = COMMENT.search(line)
        if match is None:
            if current:
                blocks.append(current)
            current = []
        else:
            current.append((number, match.group(1).strip()))
    if current:
        blocks.append(current)
    return blocks


def citations_in(text: str, name: str) -> list[Citation]:
    """The citations in a YAML file's comments, a citation's lines joined; placeholders
    skipped. Raises ValueError on a citation that opens and is never closed."""
    out = []
    for block in comment_blocks(text):
        joined = " ".join(comment for _, comment in block)
        starts = []  # offset in `joined` at which each line's comment begins
        offset = 0
        for _, comment in block:
            starts.append(offset)
            offset += len(comment) + 1
        found = list(CITATION.finditer(joined))
        if len(found) != len(OPENING.findall(joined)):
            raise ValueError(f"{name}:{block[0][0]}: a [facts: or [cal: citation is not closed")
        for m in found:
            if PLACEHOLDER.fullmatch(m.group(2)):
                continue
            line = block[bisect.bisect_right(starts, m.start()) - 1][0]
            out.append(Citation(m.group(1), " ".join(m.group(2).split()), f"{name}:{line}"))
    return out


def citing_files() -> list[Path]:
    return sorted(path for pattern in CITING_GLOBS for path in ROOT.glob(pattern))


def all_citations() -> list[Citation]:
    return [
        c
        for path in citing_files()
        for c in citations_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]


def notes() -> dict[str, list[Section]]:
    return {kind: parse_notes(path.read_text(encoding="utf-8")) for kind, path in NOTES.items()}


# --- tests -----------------------------------------------------------------------------------


def test_notes_have_sections_and_rows():
    for kind, sections in notes().items():
        assert sections, f"{NOTES[kind]} has no ## sections"
        assert sum(len(s.rows) for s in sections) >= 20, f"{NOTES[kind]} has few table rows"


def test_scenarios_cite_the_notes():
    """The check below is not vacuous: the baseline alone carries dozens of citations."""
    cited = all_citations()
    assert len(cited) >= 50
    assert {c.kind for c in cited} == {"facts", "cal"}


def test_every_disruption_scenario_cites_the_notes_for_its_dates_and_sizes():
    """The shipped disruption scenarios rest on past closures and dated events: each cites
    the notes' section on disruptions."""
    shipped = sorted((ROOT / "scenarios" / "disruptions").glob("*.yaml"))
    assert len(shipped) >= 4
    for path in shipped:
        cited = citations_in(path.read_text(encoding="utf-8"), path.name)
        assert any(c.kind == "cal" and norm(c.body).startswith("disruptions") for c in cited), (
            f"{path.name} cites no row of the notes' section on disruptions"
        )


def test_every_citation_resolves():
    sections = notes()
    unresolved = [
        f"{c.where}: [{c.kind}: {c.body}]"
        for c in all_citations()
        if resolve(c.body, sections[c.kind]) is None
    ]
    assert not unresolved, "citations with no row in docs/reference:\n" + "\n".join(unresolved)


def test_citation_paths_name_the_notes_in_the_repository():
    """Comments name the notes where they are, docs/reference/, not a path outside."""
    stale = re.compile(r"(?<!docs/)reference/(huaihua-facts|calibration-data)\.md")
    for path in citing_files():
        text = path.read_text(encoding="utf-8")
        assert not stale.search(text), f"{path.relative_to(ROOT)} names a notes path outside docs/"


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("cal", "customs and terminal / train handling 5.5–10.7 h"),  # wrong figure
        ("cal", "customs and termnal / train handling 5.5–10.6 h"),  # misspelt section
        ("cal", "terminal / train handling 5.5–10.6 h"),  # not the start of the heading
        ("cal", "rail / quay productivity"),  # a heading's first word, not the whole name
        ("facts", "terminal and customs / 12 dedicated rail sidings"),
        ("facts", "customs and terminal / train handling 5.5–10.6 h"),  # a cal row cited as facts
        ("cal", "rail–sea / quay productivity; sea legs from Shanghai"),  # one row of two is wrong
        ("facts", "policy levers / port dues waived"),
        ("facts", "trains run in 2025"),
        ("cal", "China–Laos / Kunming ⇄ Vientiane freight 20 h"),
    ],
)
def test_a_made_up_citation_is_caught(kind, body):
    assert resolve(body, notes()[kind]) is None


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("cal", "customs and terminal / train handling 5.5–10.6 h"),
        ("cal", "Customs and Terminal / TRAIN HANDLING 5.5–10.6 h"),
        ("cal", "rail–sea / rail run time EST 30–48 h; corridor trains average about 27 km/h"),
        ("facts", "terminal and customs / 11 dedicated rail sidings"),
        ("facts", "2024"),
        ("facts", "growth of trains run"),
    ],
)
def test_a_true_citation_resolves(kind, body):
    assert resolve(body, notes()[kind]) is not None


def test_a_typo_in_a_scenario_comment_is_found():
    """The whole path, from a YAML comment to the notes, on a file with one good citation
    spread over two lines, one typo'd citation, a placeholder and an unclosed citation."""
    sections = notes()
    text = (
        "# Sources: [facts: …] and [cal: <table> / <row>]\n"
        "terminal:\n"
        "  sidings: {count: 11}   # [facts: terminal and customs / 11 dedicated rail\n"
        "  # sidings]\n"
        "  handling: {teu_per_h: 12}   # [cal: customs and terminal / train handling 5.5–10.7 h]\n"
    )
    cited = citations_in(text, "what-if.yaml")
    assert [(c.kind, c.where) for c in cited] == [
        ("facts", "what-if.yaml:3"),
        ("cal", "what-if.yaml:5"),
    ]
    assert resolve(cited[0].body, sections["facts"]) is not None
    assert resolve(cited[1].body, sections["cal"]) is None
    with pytest.raises(ValueError, match="not closed"):
        citations_in("x: 1   # [cal: customs and terminal / train handling\ny: 2\n", "bad.yaml")


def main() -> int:
    """List every citation and the row it resolves to; exit 1 if any does not resolve."""
    sections = notes()
    cited = all_citations()
    failed = 0
    for c in cited:
        where = resolve(c.body, sections[c.kind])
        failed += where is None
        print(f"{'ok ' if where else 'NO '} {c.where:28} [{c.kind}: {c.body}]")
        print(f"     -> {NOTES[c.kind].name}: {where or 'no matching section and row'}")
    print(f"{len(cited)} citations checked, {failed} unresolved")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
