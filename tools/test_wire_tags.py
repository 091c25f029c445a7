"""The event tags and connection kinds of the JNI batches are the same numbers in Rust and Java."""
import check_wire_tags as tags


def test_rust_and_java_agree():
    rust = tags.rust_tags(tags.RUST.read_text())
    java = tags.java_tags(tags.JAVA.read_text())
    assert tags.differences(rust, java) == []
    assert rust["EVENT_LOG"] == 5 and rust["CONNECTION_DISCONNECTED"] == 7, rust


def test_a_difference_is_named():
    assert tags.differences({"EVENT_END": 4}, {"EVENT_END": 5}) == ["EVENT_END: wire.rs 4, Wire.java 5"]
    assert tags.differences({"EVENT_END": 4}, {}) == ["EVENT_END: wire.rs 4, Wire.java missing"]
