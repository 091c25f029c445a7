#!/usr/bin/env python3
"""Completeness check of docs/conformance.md against the MQTT 5.0 standard.

docs/conformance-markers.txt holds every numbered normative statement of the
OASIS MQTT Version 5.0 standard (the ``[MQTT-x.x.x-y]`` markers). The check
fails when:

* a marker of the standard is missing from the document, or is a row twice;
* a row names a marker that the standard does not have;
* a client or cope-with row has neither a test nor a reason;
* a referenced test does not exist: the file is missing, or holds no test of
  that name (``fn name`` with a test attribute in Rust, a method with
  ``@Test``/``@ParameterizedTest``/... in Java, ``def name`` in Python);
* a row is marked ``gap`` and its marker is not in tools/conformance-gaps.txt;
* a row is marked ``departure`` (the engine deliberately does otherwise) and
  names no test pinning what it does, or no ``D<n>`` of the document's
  "Interpretations and deliberate departures" saying why;
* a marker in tools/conformance-gaps.txt is no longer a gap (the list only
  shrinks: delete the line when the gap is closed).

Rows are Markdown table rows whose first cell is a marker. A full row has six
cells: Marker | Binds | Statement | Engine | Test | Status. A row of the
compact "does not bind a Client" tables has two: Marker | Why not. Rows with
an id ``U-<section>`` are extra rows for limits the standard states without a
marker; they follow the same rules, except that they need not be in the
marker list.

Usage: python3 tools/check_conformance.py [--root DIR]
Prints the problems (exit status 1) or a summary (exit status 0).
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = Path("docs/conformance.md")
MARKERS = Path("docs/conformance-markers.txt")
GAPS = Path("tools/conformance-gaps.txt")

MARKER_RE = re.compile(r"^MQTT-\d+(?:\.\d+)*-\d+$")
EXTRA_RE = re.compile(r"^U-[0-9][\w.\-]*$")
BINDS = {"client", "cope", "server"}
STATUSES = {"tested", "n/a", "gap", "departure"}
# A departure names the interpretation that explains it: D1, D2 ...
DEPARTURE_RE = re.compile(r"\bD\d+\b")
# `path::module::fn` (Rust), `path#method` (Java), `path::test_fn` (Python).
REF_RE = re.compile(r"^(?P<path>[\w./-]+\.(?P<ext>rs|java|py))(?:::|#)(?P<name>[A-Za-z_][\w:]*)$")
CODE_SPAN_RE = re.compile(r"`([^`]+)`")
NO_TEST = {"", "-", "—", "none", "n/a"}


@dataclass
class Row:
    marker: str
    line: int
    compact: bool
    binds: str = "server"
    statement: str = ""
    engine: str = ""
    test: str = ""
    status: str = "n/a"
    refs: list[str] = field(default_factory=list)


def split_cells(line: str) -> list[str]:
    """Cells of a Markdown table row (a `\\|` inside a cell is kept)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return [c.strip().replace("\\|", "|") for c in cells]


def bare(cell: str) -> str:
    """A marker cell without Markdown decoration: `**[MQTT-1.5.4-1]**` -> MQTT-1.5.4-1."""
    return cell.strip().strip("*`[] ")


def parse_rows(doc_text: str) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    problems: list[str] = []
    for number, line in enumerate(doc_text.splitlines(), start=1):
        if not line.lstrip().startswith("|"):
            continue
        cells = split_cells(line)
        if not cells:
            continue
        marker = bare(cells[0])
        if not (MARKER_RE.match(marker) or EXTRA_RE.match(marker)):
            continue
        if len(cells) == 2:
            row = Row(marker, number, compact=True, engine=cells[1])
        elif len(cells) == 6:
            row = Row(marker, number, compact=False, binds=cells[1].strip("` ").lower(),
                      statement=cells[2], engine=cells[3], test=cells[4],
                      status=cells[5].strip("`* ").lower())
            row.refs = [span for span in CODE_SPAN_RE.findall(row.test)]
        else:
            problems.append(f"line {number}: the row of {marker} has {len(cells)} cells; "
                            "a full row has 6 (Marker | Binds | Statement | Engine | Test | Status), "
                            "a compact one 2 (Marker | Why not)")
            continue
        rows.append(row)
    return rows, problems


def read_markers(text: str) -> list[str]:
    markers = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            markers.append(line.split()[0])
    return markers


def read_gaps(text: str) -> tuple[dict[str, str], list[str]]:
    gaps: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split(None, 1)
        marker = parts[0]
        why = parts[1].strip() if len(parts) > 1 else ""
        where = f"{GAPS}:{number}"
        if not (MARKER_RE.match(marker) or EXTRA_RE.match(marker)):
            problems.append(f"{where}: '{marker}' is not a marker")
            continue
        if not why:
            problems.append(f"{where}: {marker} has no reason; say in a few words what is missing")
        if marker in gaps:
            problems.append(f"{where}: {marker} is listed twice")
        gaps[marker] = why
    return gaps, problems


class Sources:
    """Looks test names up in the repository's files (each file read once)."""

    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[str, str | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self.cache:
            file = self.root / path
            try:
                self.cache[path] = file.read_text(encoding="utf-8", errors="replace") if file.is_file() else None
            except OSError:
                self.cache[path] = None
        return self.cache[path]

    def problem(self, ref: str) -> str | None:
        match = REF_RE.match(ref)
        if not match:
            return (f"`{ref}` is not a test reference; write `path/file.rs::module::fn`, "
                    "`path/File.java#method` or `path/test_file.py::test_fn`")
        path, ext = match["path"], match["ext"]
        name = match["name"].split("::")[-1]
        if path.startswith("/") or ".." in Path(path).parts:
            return f"`{ref}`: the path must be relative to the repository"
        text = self.text(path)
        if text is None:
            return f"`{ref}`: {path} does not exist"
        if ext == "rs":
            found = rust_test(text, name)
        elif ext == "java":
            found = java_test(text, name)
        else:
            found = re.search(rf"^\s*(?:async\s+)?def\s+{re.escape(name)}\s*\(", text, re.M) is not None \
                and name.startswith("test")
        if not found:
            return f"`{ref}`: {path} has no test named {name}"
        return None


def attributes_above(text: str, start: int, attribute: str) -> list[str]:
    """The attribute or annotation lines right above the item that begins at `start`.

    Walks up over attribute lines (starting with `attribute`), comments, blank
    lines and continuation lines, and stops at the line that ends the
    previous item (it ends with `}`, `;` or `{`).
    """
    found = []
    for line in reversed(text[:start].splitlines()):
        stripped = line.strip()
        if stripped.startswith(attribute):
            found.append(stripped)
            continue
        if not stripped or stripped.startswith(("//", "/*", "*")):
            continue
        if stripped.endswith(("}", ";", "{")):
            break
    return found


def rust_test(text: str, name: str) -> bool:
    match = re.search(rf"^[ \t]*(?:pub\s+)?(?:async\s+)?fn\s+{re.escape(name)}\s*[(<]", text, re.M)
    return match is not None and any(
        re.match(r"#\[(?:\w+::)*test\b", a) for a in attributes_above(text, match.start(), "#["))


def java_test(text: str, name: str) -> bool:
    match = re.search(rf"^[ \t]*(?:(?:public|protected|private|static|final)\s+)*void\s+{re.escape(name)}\s*\(",
                      text, re.M)
    return match is not None and any(
        re.match(r"@(?:Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\b", a)
        for a in attributes_above(text, match.start(), "@"))


@dataclass
class Result:
    rows: list[Row]
    problems: list[str]

    def summary(self) -> str:
        full = [r for r in self.rows if not r.compact and MARKER_RE.match(r.marker)]
        compact = [r for r in self.rows if r.compact]
        extra = [r for r in self.rows if EXTRA_RE.match(r.marker)]
        by = Counter((r.binds, r.status) for r in full)
        lines = [f"{len(full) + len(compact)} markers: {len(full)} rows, {len(compact)} in the "
                 f"'does not bind a Client' lists; {len(extra)} extra rows for unnumbered limits"]
        for binds in ("client", "cope", "server"):
            counts = ", ".join(f"{by[(binds, s)]} {s}" for s in ("tested", "n/a", "departure", "gap")
                               if by[(binds, s)])
            if counts:
                lines.append(f"  {binds}: {counts}")
        gaps = sorted(r.marker for r in self.rows if r.status == "gap")
        lines.append(f"  gaps: {len(gaps)}")
        departures = sorted(r.marker for r in self.rows if r.status == "departure")
        if departures:
            lines.append(f"  deliberate departures: {', '.join(departures)}")
        return "\n".join(lines)


def check(doc_text: str, markers_text: str, gaps_text: str, root: Path) -> Result:
    rows, problems = parse_rows(doc_text)
    standard = read_markers(markers_text)
    known = set(standard)
    if len(known) != len(standard):
        twice = sorted(m for m, n in Counter(standard).items() if n > 1)
        problems.append(f"{MARKERS}: listed more than once: {', '.join(twice)}")
    gaps, gap_problems = read_gaps(gaps_text)
    problems += gap_problems
    sources = Sources(root)

    seen = Counter(r.marker for r in rows)
    for marker in standard:
        if seen[marker] == 0:
            problems.append(f"{marker} of the standard is not a row of {DOC}")
    for marker, count in sorted(seen.items()):
        if count > 1:
            lines = ", ".join(str(r.line) for r in rows if r.marker == marker)
            problems.append(f"{marker} is a row {count} times (lines {lines}); every marker is one row")

    for row in rows:
        where = f"{DOC}:{row.line} {row.marker}"
        if MARKER_RE.match(row.marker) and row.marker not in known:
            problems.append(f"{where}: the standard has no such marker (see {MARKERS})")
        if row.compact:
            if not row.engine or row.engine in NO_TEST:
                problems.append(f"{where}: a 'does not bind a Client' row needs a reason")
            if row.marker in gaps:
                problems.append(f"{where}: listed in {GAPS} but not a gap; delete that line")
            continue
        if row.binds not in BINDS:
            problems.append(f"{where}: Binds is '{row.binds}'; use one of {', '.join(sorted(BINDS))}")
        if row.status not in STATUSES:
            problems.append(f"{where}: Status is '{row.status}'; use one of tested, n/a, departure, gap")
            continue
        if not row.statement:
            problems.append(f"{where}: the statement is not given")
        for ref in row.refs:
            bad = sources.problem(ref)
            if bad:
                problems.append(f"{where}: {bad}")
        reason = CODE_SPAN_RE.sub("", row.test).strip(" ;,.")
        if row.status == "tested" and not row.refs:
            problems.append(f"{where}: marked tested but names no test")
        if row.status == "departure":
            if not row.refs:
                problems.append(f"{where}: a departure names the test that pins what the engine does instead")
            if not DEPARTURE_RE.search(row.engine):
                problems.append(f"{where}: a departure names the D<n> of 'Interpretations and deliberate "
                                "departures' that says why")
        if row.status == "n/a" and not row.refs and (reason.lower() in NO_TEST or len(reason) < 8):
            problems.append(f"{where}: neither a test nor a reason why it does not apply")
        if row.status == "gap":
            if len(row.engine) < 8:
                problems.append(f"{where}: a gap must say what is missing and what the engine does instead")
            if row.marker not in gaps:
                problems.append(f"{where}: is a gap but not in {GAPS}; close it, or list it there with a reason")
        elif row.marker in gaps:
            problems.append(f"{where}: is no longer a gap ({row.status}); delete its line from {GAPS}")
    for marker in sorted(set(gaps) - set(seen)):
        problems.append(f"{GAPS}: {marker} is not a row of {DOC}; delete its line")
    return Result(rows, problems)


def check_repository(root: Path = ROOT) -> Result:
    def read(path: Path) -> str:
        file = root / path
        return file.read_text(encoding="utf-8") if file.is_file() else ""

    result = check(read(DOC), read(MARKERS), read(GAPS), root)
    for path in (DOC, MARKERS):
        if not (root / path).is_file():
            result.problems.insert(0, f"{path} does not exist")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    result = check_repository(args.root)
    if result.problems:
        for problem in result.problems:
            print(problem)
        print(f"{len(result.problems)} problem(s)", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
