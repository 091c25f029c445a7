"""The client-side reason codes (contract E2) are defined in three languages and stated in the
package's spec; this check fails when any of them differ in a name or a value.

Sources: native/src/error.rs (`pub mod code`), MqttException.java (`public static final int`),
ballerina/constants.bal (`const int`), and the E2 table of docs/spec/spec.md (code | `NAME` | when).
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUST = ROOT / "native/src/error.rs"
JAVA = ROOT / "java-bridge/src/main/java/io/ballerina/lib/mqtt/engine/MqttException.java"
BALLERINA = ROOT / "ballerina/constants.bal"
SPEC = ROOT / "docs/spec/spec.md"


def rust_codes(text: str) -> dict:
    module = re.search(r"pub mod code \{(.*?)\n\}", text, re.S)
    if not module:
        raise ValueError("no `pub mod code` in error.rs")
    return {n: int(v) for n, v in re.findall(r"pub const (\w+): i32 = (\d+);", module.group(1))}


def java_codes(text: str) -> dict:
    return {n: int(v) for n, v in re.findall(r"public static final int (\w+) = (\d+);", text)}


def ballerina_codes(text: str) -> dict:
    # Only the reason codes: five-digit client-side codes, not QoS levels or other constants.
    return {n: int(v) for n, v in re.findall(r"^(?:public )?const int (\w+) = (\d{5});", text, re.M)}


def spec_codes(text: str) -> dict:
    return {n: int(v) for v, n in re.findall(r"^\| (\d{5}) \| `(\w+)` \|", text, re.M)}


def differences(tables: dict) -> list:
    """Every (source, problem) where a table differs from the union of all of them."""
    problems = []
    names = sorted(set().union(*(t.keys() for t in tables.values())))
    for name in names:
        values = {src: t.get(name) for src, t in tables.items()}
        if len(set(values.values())) != 1:
            shown = ", ".join(f"{src}: {v if v is not None else 'missing'}" for src, v in values.items())
            problems.append(f"{name}: {shown}")
    for src, table in tables.items():
        seen = {}
        for name, value in table.items():
            if value in seen:
                problems.append(f"{src}: {name} and {seen[value]} are both {value}")
            seen[value] = name
    return problems


def tables() -> dict:
    return {
        "error.rs": rust_codes(RUST.read_text()),
        "MqttException.java": java_codes(JAVA.read_text()),
        "constants.bal": ballerina_codes(BALLERINA.read_text()),
        "spec.md E2": spec_codes(SPEC.read_text()),
    }


def main() -> int:
    problems = differences(tables())
    for p in problems:
        print(f"reason codes differ: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
