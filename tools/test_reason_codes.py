"""E2: the client-side reason codes cannot drift between Rust, Java, Ballerina and the spec."""
import check_reason_codes as codes


def test_the_three_languages_and_the_spec_agree():
    found = codes.tables()
    assert codes.differences(found) == []
    # Not vacuous: every source has the codes, 1.4.1's nine and ours.
    for source, table in found.items():
        assert table.get("TIMEOUT") == 32000, source
        assert table.get("INVALID_ARGUMENT") == 32120, source
        assert len(table) >= 13, (source, table)


def test_a_drift_is_reported():
    same = {"TIMEOUT": 32000, "CLIENT_CLOSED": 32111}
    assert codes.differences({"a": same, "b": dict(same)}) == []
    renamed = {"TIMED_OUT": 32000, "CLIENT_CLOSED": 32111}
    problems = codes.differences({"a": same, "b": renamed})
    assert any(p.startswith("TIMEOUT:") and "b: missing" in p for p in problems)
    changed = {"TIMEOUT": 32001, "CLIENT_CLOSED": 32111}
    assert any("a: 32000, b: 32001" in p for p in codes.differences({"a": same, "b": changed}))
    doubled = {"TIMEOUT": 32000, "CLIENT_CLOSED": 32000}
    assert any("both 32000" in p for p in codes.differences({"a": doubled, "b": doubled}))


def test_each_parser_reads_its_language():
    assert codes.rust_codes("pub mod code {\n    pub const TIMEOUT: i32 = 32000;\n}\n") == {"TIMEOUT": 32000}
    assert codes.java_codes("    public static final int TIMEOUT = 32000;") == {"TIMEOUT": 32000}
    assert codes.ballerina_codes("const int TIMEOUT = 32000;\npublic const int AT_MOST_ONCE = 0;") == {"TIMEOUT": 32000}
    assert codes.spec_codes("| 32000 | `TIMEOUT` | timed out |") == {"TIMEOUT": 32000}
