"""pytest checks of docs/conformance.md (see check_conformance.py).

The real document must pass; small documents with one deliberate mistake
each must fail, so that a passing check means something.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_conformance as checker  # noqa: E402

ROOT = checker.ROOT
HEADER = "| Marker | Binds | Statement | Engine | Test | Status |\n|---|---|---|---|---|---|\n"


# -- the real repository ------------------------------------------------------

def test_the_real_document_is_complete_and_its_tests_exist() -> None:
    result = checker.check_repository(ROOT)
    assert result.problems == [], "\n".join(result.problems)


def test_the_marker_list_holds_every_statement_of_the_standard() -> None:
    markers = checker.read_markers((ROOT / checker.MARKERS).read_text())
    assert len(markers) == len(set(markers)) == 251
    by_chapter: dict[str, int] = {}
    for m in markers:
        assert checker.MARKER_RE.match(m), m
        chapter = m.split("-")[1].split(".")[0]
        by_chapter[chapter] = by_chapter.get(chapter, 0) + 1
    assert by_chapter == {"1": 5, "2": 7, "3": 175, "4": 60, "6": 4}
    # The two markers the standard's body misprints are listed as in Appendix B.
    assert "MQTT-4.2.0-1" in markers and "MQTT-4.2-1" not in markers
    assert "MQTT-3.2.2-8" in markers
    assert "MQTT-2.2.1-1" not in markers
    # The last statement of a few long sections.
    for last in ["MQTT-3.1.2-30", "MQTT-3.1.3-12", "MQTT-3.2.2-22", "MQTT-3.3.2-20",
                 "MQTT-3.3.4-10", "MQTT-3.8.4-8", "MQTT-3.15.2-3", "MQTT-4.3.3-13", "MQTT-4.12.0-7"]:
        assert last in markers
        section, number = last.rsplit("-", 1)
        assert f"{section}-{int(number) + 1}" not in markers


def test_every_gap_row_is_explained_in_the_allowlist() -> None:
    result = checker.check_repository(ROOT)
    gaps, problems = checker.read_gaps((ROOT / checker.GAPS).read_text())
    assert problems == []
    assert {r.marker for r in result.rows if r.status == "gap"} == set(gaps)
    assert all(len(why) > 30 for why in gaps.values())


def test_the_command_line_succeeds_on_the_real_repository(capsys: pytest.CaptureFixture[str]) -> None:
    assert checker.main(["--root", str(ROOT)]) == 0
    assert "251 markers" in capsys.readouterr().out


# -- a small repository with one mistake at a time ----------------------------

RUST = """\
#[test]
fn a_real_test() {}

fn a_helper() {}

#[tokio::test(flavor = "multi_thread")]
async fn an_async_test() {}

proptest! {
    #[test]
    fn a_property(x in 0u8..3) {}
}
"""

JAVA = """\
class ClientTest {
    @Test
    @DisplayName("x")
    void publishQos2() {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badTopics(String name) {}

    void notATest() {}
}
"""

PYTHON = "def test_ok():\n    pass\n\ndef helper():\n    pass\n"

MARKERS = "# comment\nMQTT-1.5.4-1\nMQTT-1.5.4-2\nMQTT-3.1.2-5\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "native/src").mkdir(parents=True)
    (tmp_path / "native/src/x.rs").write_text(RUST)
    (tmp_path / "java").mkdir()
    (tmp_path / "java/ClientTest.java").write_text(JAVA)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools/test_y.py").write_text(PYTHON)
    return tmp_path


def doc(*rows: str, compact: str = "| MQTT-3.1.2-5 | Server: session |") -> str:
    return "# Doc\n\n" + HEADER + "\n".join(rows) + "\n\nDoes not bind a Client:\n\n| Marker | Why not |\n|---|---|\n" + compact + "\n"


GOOD_1 = "| MQTT-1.5.4-1 | client | strings are UTF-8 | checked | `native/src/x.rs::tests::a_real_test`; `java/ClientTest.java#publishQos2` | tested |"
GOOD_2 = "| MQTT-1.5.4-2 | cope | no U+0000 | not needed | n/a: the engine never sends it | n/a |"
GAP_2 = "| MQTT-1.5.4-2 | client | no U+0000 | **Gap:** not refused in properties | none | gap |"


def problems(repo: Path, document: str, gaps: str = "", markers: str = MARKERS) -> list[str]:
    return checker.check(document, markers, gaps, repo).problems


def test_a_complete_document_passes(repo: Path) -> None:
    assert problems(repo, doc(GOOD_1, GOOD_2)) == []
    every_kind = ("| MQTT-1.5.4-1 | client | s | e | `native/src/x.rs::an_async_test`; `native/src/x.rs::a_property`; "
                  "`java/ClientTest.java#badTopics`; `tools/test_y.py::test_ok` | tested |")
    assert problems(repo, doc(every_kind, GOOD_2)) == []


DEPARTURE_2 = ("| MQTT-1.5.4-2 | client | no U+0000 | deliberately kept, see D3 | "
               "`native/src/x.rs::a_real_test` | departure |")


def test_a_departure_with_its_reason_and_test_passes_and_is_counted(repo: Path) -> None:
    assert problems(repo, doc(GOOD_1, DEPARTURE_2)) == []
    result = checker.check(doc(GOOD_1, DEPARTURE_2), MARKERS, "", repo)
    assert "1 departure" in result.summary() and "deliberate departures: MQTT-1.5.4-2" in result.summary()


def test_a_departure_without_a_test_or_a_reason_fails(repo: Path) -> None:
    untested = DEPARTURE_2.replace("`native/src/x.rs::a_real_test`", "none")
    found = problems(repo, doc(GOOD_1, untested))
    assert any("a departure names the test" in p for p in found), found
    unexplained = DEPARTURE_2.replace("see D3", "on purpose")
    found = problems(repo, doc(GOOD_1, unexplained))
    assert any("names the D<n>" in p for p in found), found


def test_a_departure_is_not_a_gap(repo: Path) -> None:
    found = problems(repo, doc(GOOD_1, DEPARTURE_2), gaps="MQTT-1.5.4-2  was a gap\n")
    assert any("no longer a gap (departure)" in p for p in found), found


def test_a_missing_marker_fails(repo: Path) -> None:
    found = problems(repo, doc(GOOD_1))
    assert any("MQTT-1.5.4-2 of the standard is not a row" in p for p in found), found


def test_a_marker_twice_fails(repo: Path) -> None:
    found = problems(repo, doc(GOOD_1, GOOD_2, GOOD_2.replace("cope", "client")))
    assert any("MQTT-1.5.4-2 is a row 2 times" in p for p in found), found


def test_a_marker_in_a_compact_list_and_a_table_counts_twice(repo: Path) -> None:
    found = problems(repo, doc(GOOD_1, GOOD_2, "| MQTT-3.1.2-5 | client | s | e | n/a: Server only | n/a |"))
    assert any("MQTT-3.1.2-5 is a row 2 times" in p for p in found), found


def test_a_marker_the_standard_does_not_have_fails(repo: Path) -> None:
    found = problems(repo, doc(GOOD_1, GOOD_2, "| MQTT-4.2-1 | client | s | e | n/a: a misprint | n/a |"))
    assert any("MQTT-4.2-1: the standard has no such marker" in p for p in found), found


def test_a_row_with_neither_test_nor_reason_fails(repo: Path) -> None:
    for test_cell in ["—", "", "none", "n/a"]:
        row = f"| MQTT-1.5.4-2 | client | no U+0000 | checked | {test_cell} | n/a |"
        found = problems(repo, doc(GOOD_1, row))
        assert any("neither a test nor a reason" in p for p in found), (test_cell, found)


def test_tested_without_a_test_fails(repo: Path) -> None:
    row = "| MQTT-1.5.4-2 | client | no U+0000 | checked | we looked at it | tested |"
    found = problems(repo, doc(GOOD_1, row))
    assert any("marked tested but names no test" in p for p in found), found


def test_a_test_that_does_not_exist_fails(repo: Path) -> None:
    for ref, why in [
        ("native/src/x.rs::tests::no_such_test", "has no test named no_such_test"),
        ("native/src/missing.rs::tests::a_real_test", "native/src/missing.rs does not exist"),
        ("native/src/x.rs::a_helper", "has no test named a_helper"),  # a fn, but not a test
        ("java/ClientTest.java#noSuchMethod", "has no test named noSuchMethod"),
        ("java/ClientTest.java#notATest", "has no test named notATest"),  # no @Test
        ("tools/test_y.py::helper", "has no test named helper"),
        ("just some words", "is not a test reference"),
        ("../outside.rs::a_real_test", "relative to the repository"),
    ]:
        row = f"| MQTT-1.5.4-1 | client | s | e | `{ref}` | tested |"
        found = problems(repo, doc(row, GOOD_2))
        assert any(why in p for p in found), (ref, found)


def test_an_unlisted_gap_fails(repo: Path) -> None:
    found = problems(repo, doc(GOOD_1, GAP_2))
    assert any("MQTT-1.5.4-2" in p and "is a gap but not in" in p for p in found), found
    assert problems(repo, doc(GOOD_1, GAP_2), gaps="MQTT-1.5.4-2  properties not checked\n") == []


def test_a_listed_marker_that_is_no_longer_a_gap_fails(repo: Path) -> None:
    found = problems(repo, doc(GOOD_1, GOOD_2), gaps="MQTT-1.5.4-2  properties not checked\n")
    assert any("no longer a gap" in p and "MQTT-1.5.4-2" in p for p in found), found
    found = problems(repo, doc(GOOD_1, GOOD_2), gaps="MQTT-3.1.2-5  server row\n")
    assert any("not a gap; delete that line" in p for p in found), found
    found = problems(repo, doc(GOOD_1, GOOD_2), gaps="MQTT-9.9.9-9  never a row\n")
    assert any("MQTT-9.9.9-9 is not a row" in p for p in found), found


def test_a_bad_allowlist_line_fails(repo: Path) -> None:
    gaps = "MQTT-1.5.4-2\nMQTT-1.5.4-2  twice\nnot-a-marker  why\n"
    found = problems(repo, doc(GOOD_1, GAP_2), gaps=gaps)
    assert any("has no reason" in p for p in found), found
    assert any("listed twice" in p for p in found), found
    assert any("'not-a-marker' is not a marker" in p for p in found), found


def test_a_gap_must_say_what_is_missing(repo: Path) -> None:
    row = "| MQTT-1.5.4-2 | client | no U+0000 | ? | none | gap |"
    found = problems(repo, doc(GOOD_1, row), gaps="MQTT-1.5.4-2  properties not checked\n")
    assert any("a gap must say what is missing" in p for p in found), found


def test_malformed_rows_fail(repo: Path) -> None:
    found = problems(repo, doc(GOOD_1, "| MQTT-1.5.4-2 | client | too few | cells |"))
    assert any("has 4 cells" in p for p in found), found
    found = problems(repo, doc(GOOD_1, GOOD_2.replace("| n/a |", "| done |")))
    assert any("Status is 'done'" in p for p in found), found
    found = problems(repo, doc(GOOD_1, GOOD_2.replace("| cope |", "| broker |")))
    assert any("Binds is 'broker'" in p for p in found), found
    found = problems(repo, doc(GOOD_1, GOOD_2, compact="| MQTT-3.1.2-5 | |"))
    assert any("needs a reason" in p for p in found), found


def test_extra_rows_follow_the_same_rules(repo: Path) -> None:
    extra = "| U-1.5.6 | client | binary data at most 65,535 bytes | **Gap:** not checked | none | gap |"
    found = problems(repo, doc(GOOD_1, GOOD_2, extra))
    assert any("U-1.5.6" in p and "is a gap but not in" in p for p in found), found
    assert problems(repo, doc(GOOD_1, GOOD_2, extra), gaps="U-1.5.6  binary fields not checked\n") == []


def test_the_command_line_fails_on_a_broken_repository(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "docs").mkdir()
    (repo / "docs/conformance-markers.txt").write_text(MARKERS)
    (repo / "docs/conformance.md").write_text(doc(GOOD_1))
    assert checker.main(["--root", str(repo)]) == 1
    assert "MQTT-1.5.4-2 of the standard is not a row" in capsys.readouterr().out
    (repo / "docs/conformance.md").write_text(doc(GOOD_1, GOOD_2))
    assert checker.main(["--root", str(repo)]) == 0


# -- the real document with one mistake -----------------------------------------

def real() -> tuple[str, str, str]:
    return tuple((ROOT / p).read_text() for p in (checker.DOC, checker.MARKERS, checker.GAPS))  # type: ignore[return-value]


def test_removing_a_row_of_the_real_document_fails() -> None:
    document, markers, gaps = real()
    lines = [line for line in document.splitlines() if not line.startswith("| MQTT-4.6.0-2 |")]
    found = checker.check("\n".join(lines), markers, gaps, ROOT).problems
    assert found == ["MQTT-4.6.0-2 of the standard is not a row of docs/conformance.md"]


def test_renaming_a_test_in_the_real_document_fails() -> None:
    document, markers, gaps = real()
    rows, _ = checker.parse_rows(document)
    ref = next(r.refs[0] for r in rows if r.status == "tested" and r.refs)
    name = ref.replace("#", "::").split("::")[-1]
    renamed = ref[: -len(name)] + name + "_renamed"
    found = checker.check(document.replace(f"`{ref}`", f"`{renamed}`"), markers, gaps, ROOT).problems
    assert found and all("has no test named " + name + "_renamed" in p for p in found), found


def test_closing_a_gap_in_the_document_only_fails_until_the_allowlist_shrinks() -> None:
    document, markers, gaps = real()
    rows, _ = checker.parse_rows(document)
    gap = next((r for r in rows if r.status == "gap" and not r.refs), None)
    if gap is None:
        pytest.skip("no gap left without a test")
    row = document.splitlines()[gap.line - 1]
    assert row.endswith("| gap |")
    closed = row[: -len("| gap |")] + "| tested |"
    found = checker.check(document.replace(row, closed), markers, gaps, ROOT).problems
    assert any(gap.marker in p and "marked tested but names no test" in p for p in found), found
    assert any(gap.marker in p and "no longer a gap" in p for p in found), found
