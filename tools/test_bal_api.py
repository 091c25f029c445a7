"""pytest checks of the Ballerina package against the contract (see check_bal_api.py).

The real package must pass; copies of it with one deliberate mistake must fail,
so that a passing check means something.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_bal_api as checker  # noqa: E402

PACKAGE = checker.DEFAULT_PACKAGE


def problems_of(package: Path) -> list[str]:
    module = checker.parse_package(package)
    return checker.check_api(module) + checker.check_externs(module)


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "ballerina"
    copy.mkdir()
    for source in PACKAGE.glob("*.bal"):
        shutil.copy(source, copy / source.name)
    return copy


def edit(package: Path, file: str, old: str, new: str, count: int = 1) -> None:
    path = package / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}: the test no longer matches the sources"
    path.write_text(text.replace(old, new, count))


# -- the real package ---------------------------------------------------------

def test_package_matches_contract() -> None:
    assert problems_of(PACKAGE) == []


def test_every_source_file_is_parsed_without_errors() -> None:
    module = checker.parse_package(PACKAGE)
    assert module.problems == []
    expected_files = {"client.bal", "listener.bal", "caller.bal", "types.bal", "errors.bal",
                      "constants.bal", "init.bal", "stream.bal"}
    assert expected_files <= {p.name for p in PACKAGE.glob("*.bal")}


def test_every_contract_name_is_present() -> None:
    module = checker.parse_package(PACKAGE)
    for name in checker.EXPECTED_RECORDS:
        assert module.types[name].closed, name
    assert set(checker.EXPECTED_CLASSES) <= set(module.classes)
    assert module.constants["DEFAULT_URL"] == (True, '"tcp://localhost:1883"')
    assert module.enums["Protocol"] == (True, ["SSL", "TLS"])


def test_externs_match_the_adapter_list() -> None:
    module = checker.parse_package(PACKAGE)
    rows = checker.extern_table(module)
    declared = {f"{r['java_class'].rsplit('.', 1)[-1]}.{r['java_method']}": r["java_params"] for r in rows}
    assert declared == checker.EXPECTED_ADAPTERS
    assert all(r["java_class"].startswith("io.ballerina.lib.mqtt.adapter.") for r in rows)


def test_externs_json_command() -> None:
    result = subprocess.run([sys.executable, str(Path(checker.__file__)), "--externs-json"],
                            capture_output=True, text=True, check=True)
    rows = json.loads(result.stdout)
    by_function = {r["bal_function"]: r for r in rows}
    publish = by_function["Client.externPublish"]
    assert publish["java_class"] == "io.ballerina.lib.mqtt.adapter.ClientAdapter"
    assert publish["java_method"] == "publish"
    assert publish["java_params"] == ["Environment", "BObject", "BString", "BMap"]
    assert publish["java_param_classes"][0] == "io.ballerina.runtime.api.Environment"
    assert by_function["Client.receive"]["java_params"] == ["Environment", "BObject", "BTypedesc"]
    assert by_function["Client.receiveResponse"]["java_method"] == "receive"
    assert by_function["Listener.attach"]["java_params"] == ["Environment", "BObject", "BObject", "Object"]
    assert by_function["setModule"]["java_return"] == "void"
    assert len(rows) == 20


def test_check_command_exits_zero() -> None:
    result = subprocess.run([sys.executable, str(Path(checker.__file__))], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_adapters_md_holds_the_generated_table() -> None:
    table = checker.adapters_markdown(checker.parse_package(PACKAGE))
    adapters_md = (PACKAGE / "ADAPTERS.md").read_text()
    assert table in adapters_md, "regenerate with: python3 tools/check_bal_api.py --adapters-md"


def test_public_constructs_are_documented() -> None:
    """Every public type, class and public/remote method has a `#` doc comment above it."""
    undocumented = []
    for path in PACKAGE.glob("*.bal"):
        lines = path.read_text().splitlines()
        for k, line in enumerate(lines):
            stripped = line.strip()
            if re.match(r"(public\s|isolated remote function)", stripped):
                above = k - 1
                while above >= 0 and lines[above].strip().startswith("@"):
                    above -= 1
                if above < 0 or not lines[above].strip().startswith("#"):
                    undocumented.append(f"{path.name}:{k + 1}: {stripped}")
    assert undocumented == []


def test_config_fields_state_their_units() -> None:
    types = (PACKAGE / "types.bal").read_text()
    for field, unit in [("maxReconnectDelay", "milliseconds"), ("keepAliveInterval", "seconds"),
                        ("connectionTimeout", "seconds"), ("sessionExpiryInterval", "seconds"),
                        ("messageExpiryInterval", "seconds")]:
        doc = re.search(rf"# \+ {field} - (.*(?:\n#\s{{10,}}.*)*)", types)
        assert doc and unit in doc.group(1), f"{field} must state its unit ({unit})"


# -- the checker catches mistakes -----------------------------------------------

@pytest.mark.parametrize("file, old, new, expected", [
    ("client.bal", "remote function publish(", "remote function publishMessage(", "Client.publish: missing"),
    ("client.bal", "remote function publish(", "function publish(", "Client.publish: qualifiers"),
    ("client.bal", "returns DeliveryToken|Error {", "returns DeliveryToken|error {", "Client.publish: returns"),
    ("client.bal", "receive(typedesc<stream<Message, error?>> T = <>)",
     "receive(typedesc<stream<Message, error?>> T)", "Client.receive: parameters"),
    ("client.bal", "    isolated remote function isConnected() returns boolean|Error {",
     "    isolated remote function ping() returns Error? {\n        return;\n    }\n\n"
     "    isolated remote function isConnected() returns boolean|Error {",
     "Client.ping: remote method not in the contract"),
    ("listener.bal", "string[]|string? name = ()", "string[]|string? name", "Listener.attach: parameters"),
    ("listener.bal", "public isolated class Listener", "public isolated client class Listener",
     "class Listener: qualifiers"),
    ("caller.bal", "remote function respond(Message response)", "remote function respond(Message reply)",
     "Caller.respond: parameters"),
    ("types.bal", "    int qos = 1;\n    boolean retained", "    int qos = 0;\n    boolean retained",
     "record Message.qos: default"),
    ("types.bal", "    string keyPassword?;", "    string keyPassword;", "record CertKey.keyPassword: must be optional"),
    ("types.bal", "    int keepAliveInterval?;\n", "", "record ConnectionConfiguration: field keepAliveInterval missing"),
    ("types.bal", "    string destinationTopic;\n", "    string destinationTopic;\n    int delay?;\n",
     "record WillDetails: unexpected field delay"),
    ("types.bal", "    int retainHandling?;", "    string retainHandling?;", "record Subscription.retainHandling: type"),
    ("types.bal", "public type DeliveryToken record {|\n    int messageId;\n    string topic;\n|};",
     "public type DeliveryToken record {\n    int messageId;\n    string topic;\n};",
     "record DeliveryToken: must be a closed record"),
    ("types.bal", "    SSL,\n", "    SSL,\n    DTLS,\n", "enum Protocol"),
    ("constants.bal", '"tcp://localhost:1883"', '"tcp://localhost:1884"', "constant DEFAULT_URL"),
    ("errors.bal", "public type Error distinct error<ErrorDetails>;", "public type Error error<ErrorDetails>;",
     "type Error"),
    ("subscriptions.bal", "isolated function toSubscriptionList", "public isolated function toSubscriptionList",
     "function toSubscriptionList: public module-level function"),
    ("client.bal", 'name: "publish"', 'name: "send"', "names ClientAdapter.send"),
    ("client.bal", "private isolated function externPublish(string topic, Message message)",
     "private isolated function externPublish(string topic, int qos, Message message)",
     "maps to ClientAdapter.publish"),
    ("stream.bal", '"io.ballerina.lib.mqtt.adapter.StreamAdapter",\n        name: "next"',
     '"io.ballerina.stdlib.mqtt.StreamAdapter",\n        name: "next"', "is outside io.ballerina.lib.mqtt.adapter"),
    ("stream.bal", "public isolated function next() returns record {|Message value;|}|Error?",
     "public isolated function next() returns Message|Error?", "MessageStream.next: returns"),
])
def test_checker_reports_a_mistake(package_copy: Path, file: str, old: str, new: str, expected: str) -> None:
    edit(package_copy, file, old, new)
    problems = problems_of(package_copy)
    assert any(expected in p for p in problems), problems


def test_checker_reports_a_missing_class(package_copy: Path) -> None:
    (package_copy / "caller.bal").unlink()
    problems = problems_of(package_copy)
    assert "class Caller: missing" in problems
    assert any("adapter CallerAdapter.respond: no external function names it" in p for p in problems)


def test_checker_ignores_layout(package_copy: Path) -> None:
    edit(package_copy, "types.bal", "    record {|\n        Protocol name;\n        string version;\n    |} protocol?;",
         "    record{|Protocol   name;string version;|}protocol ?;")
    edit(package_copy, "client.bal", "receive(typedesc<stream<Message, error?>> T = <>)",
         "receive(typedesc< stream<Message,error?> > T=<>)")
    assert problems_of(package_copy) == []


# -- tokenizer and type mapping ----------------------------------------------------

def test_tokenizer_keeps_strings_and_drops_comments() -> None:
    tokens = checker.tokenize('# doc with "quotes"\nconst X = "a//b#c"; // trailing\n')
    assert [t.text for t in tokens] == ["const", "X", "=", '"a//b#c"', ";"]


@pytest.mark.parametrize("bal_type, java", [
    ("string", "BString"), ("int", "long"), ("boolean", "boolean"), ("byte[]", "BArray"),
    ("Message", "BMap"), ("*ClientConfiguration", "BMap"), ("Service", "BObject"),
    ("string[]|string?", "Object"), ("typedesc<stream<Message, error?>>", "BTypedesc"),
    ("Subscription[]", "BArray"), ("map<string>", "BMap"), ("Client", "BObject"),
])
def test_java_type_mapping(bal_type: str, java: str) -> None:
    module = checker.parse_package(PACKAGE)
    assert checker.java_type(bal_type, module) == java
