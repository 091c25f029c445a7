"""The tags of the JNI event batches (docs/bridge.md) are numbers on both sides of the bridge:
`pub mod event` / `pub mod connection` in native/src/wire.rs and `EVENT_*` / `CONNECTION_*` in
Wire.java. This check fails when a name or a value differs."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUST = ROOT / "native/src/wire.rs"
JAVA = ROOT / "java-bridge/src/main/java/io/ballerina/lib/mqtt/engine/Wire.java"


def rust_tags(text: str) -> dict:
    tags = {}
    for module, prefix in (("event", "EVENT_"), ("connection", "CONNECTION_")):
        body = re.search(r"pub mod " + module + r" \{(.*?)\n\}", text, re.S)
        if not body:
            raise ValueError(f"no `pub mod {module}` in wire.rs")
        for name, value in re.findall(r"pub const (\w+): i8 = (\d+);", body.group(1)):
            tags[prefix + name] = int(value)
    return tags


def java_tags(text: str) -> dict:
    return {n: int(v) for n, v in
            re.findall(r"static final (?:byte|int) ((?:EVENT|CONNECTION)_\w+) = (\d+);", text)}


def differences(rust: dict, java: dict) -> list:
    return [f"{name}: wire.rs {rust.get(name, 'missing')}, Wire.java {java.get(name, 'missing')}"
            for name in sorted(set(rust) | set(java)) if rust.get(name) != java.get(name)]


def main() -> int:
    problems = differences(rust_tags(RUST.read_text()), java_tags(JAVA.read_text()))
    for p in problems:
        print(f"wire tags differ: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
