"""pytest checks of the Ballerina package against the contract (see check_bal_api.py).

The real package must pass; copies of it with one deliberate mistake must fail,
so that a passing check means something.
"""
from __future__ import annotations

import functools
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
EXAMPLES = checker.DEFAULT_EXAMPLES


@functools.lru_cache(maxsize=None)
def package_module() -> checker.Module:
    """The real package, parsed once (tests only read it)."""
    return checker.parse_package(PACKAGE)


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
    module = package_module()
    assert module.problems == []
    expected_files = {"client.bal", "listener.bal", "caller.bal", "types.bal", "errors.bal",
                      "constants.bal", "init.bal", "stream.bal"}
    assert expected_files <= {p.name for p in PACKAGE.glob("*.bal")}


def test_every_contract_name_is_present() -> None:
    module = package_module()
    for name in checker.EXPECTED_RECORDS:
        assert module.types[name].closed, name
    assert set(checker.EXPECTED_CLASSES) <= set(module.classes)
    for name, (type_, value) in checker.EXPECTED_CONSTANTS.items():
        constant = module.constants[name]
        assert (constant.public, constant.type, constant.value, constant.file) == (True, type_, value, "constants.bal")
    assert module.enums["Protocol"] == (True, ["SSL", "TLS"])


def test_externs_match_the_adapter_list() -> None:
    module = package_module()
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
    table = checker.adapters_markdown(package_module())
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
    ("constants.bal", "public const int EXACTLY_ONCE = 2;", "public const int EXACTLY_ONCE = 3;",
     "constant EXACTLY_ONCE: value `3`, expected `2`"),
    ("constants.bal", "public const int AT_MOST_ONCE = 0;", "const int AT_MOST_ONCE = 0;",
     "constant AT_MOST_ONCE: must be public"),
    ("constants.bal", "public const int AT_LEAST_ONCE = 1;", 'public const string AT_LEAST_ONCE = "1";',
     "constant AT_LEAST_ONCE: declared `string`, expected `int`"),
    ("constants.bal", "public const int AT_LEAST_ONCE = 1;\n", "", "constant AT_LEAST_ONCE: missing"),
    ("constants.bal", "# ```ballerina\n# check 'client->subscribe({topic: \"orders/new\", qos: mqtt:EXACTLY_ONCE});\n# ```\n",
     "", "constant EXACTLY_ONCE: needs a `#` doc comment with a summary and a ```ballerina snippet"),
    ("constants.bal", "public const string DEFAULT_URL", "public const string DEFAULT_URI",
     "constant DEFAULT_URI: public but not in the contract"),
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
    module = package_module()
    assert checker.java_type(bal_type, module) == java


def test_constant_outside_constants_bal_is_reported(package_copy: Path) -> None:
    edit(package_copy, "constants.bal", "public const int AT_MOST_ONCE = 0;\n", "")
    (package_copy / "qos.bal").write_text("# At most once.\n# ```ballerina\n# int q = mqtt:AT_MOST_ONCE;\n# ```\n"
                                          "public const int AT_MOST_ONCE = 0;\n")
    assert "constant AT_MOST_ONCE: declared in qos.bal, expected in constants.bal" in problems_of(package_copy)


# -- Ballerina.toml of the package ------------------------------------------------

def test_package_toml_is_publishable() -> None:
    assert checker.check_package_toml(PACKAGE) == []
    assert checker.package_version(PACKAGE) == "1.5.0"


@pytest.mark.parametrize("old, new, expected", [
    ('version = "1.5.0"', 'version = "1.4.1"', "version `1.4.1` must be a release above 1.4.1"),
    ('repository = "https://github.com/ballerina-platform/module-ballerina-mqtt"\n', "",
     "`repository` must be the https URL"),
    ('version = "1.0.0"\npath', 'version = "1.5.0"\npath', "bridge dependency version `1.5.0`, java-bridge/pom.xml builds `1.0.0`"),
    ("target/mqtt-bridge.jar", "target/mqtt-bridge-1.0.0.jar", "bridge dependency path"),
])
def test_package_toml_mistakes_are_reported(tmp_path: Path, old: str, new: str, expected: str) -> None:
    package = tmp_path / "ballerina"
    package.mkdir()
    (tmp_path / "java-bridge").mkdir()
    shutil.copy(PACKAGE.parent / "java-bridge" / "pom.xml", tmp_path / "java-bridge" / "pom.xml")
    (tmp_path / "LICENSE").write_text("Apache License\n")
    edit_copy = (PACKAGE / "Ballerina.toml").read_text()
    assert old in edit_copy, f"{old!r} not in Ballerina.toml: the test no longer matches it"
    (package / "Ballerina.toml").write_text(edit_copy.replace(old, new, 1))
    problems = checker.check_package_toml(package)
    assert any(expected in p for p in problems), problems


def test_license_is_apache_2() -> None:
    text = (PACKAGE.parent / "LICENSE").read_text()
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


# -- examples ---------------------------------------------------------------------

def example_problems(examples: Path) -> list[str]:
    return checker.check_examples(examples, package_module(), checker.package_version(PACKAGE))


@pytest.fixture
def examples_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns("target", "Dependencies.toml"))
    return copy


def test_examples_fit_the_api() -> None:
    assert example_problems(EXAMPLES) == []


def test_examples_cover_the_four_use_cases() -> None:
    """Publish with delivery tokens, manual acks, request/response with respond, mutual TLS."""
    projects = checker.example_projects(EXAMPLES)
    assert len(projects) >= 4
    sources = {p: " ".join(t.text for f in p.glob("*.bal") for t in checker.tokenize(f.read_text()))
               for p in projects}

    def having(*snippets: str) -> list[Path]:
        return [p for p, text in sources.items() if all(s in text for s in snippets)]

    assert having("mqtt : DeliveryToken", "-> publish (")
    assert having("manualAcks = true", "-> complete ( )")
    assert having("-> respond (") and having("-> receiveResponse (", "-> subscribe (")
    assert having("secureSocket", "cert :", "key :", "certFile :", "keyFile :")
    for project in projects:
        toml = checker.tomllib.loads((project / "Ballerina.toml").read_text())
        assert {"org": "ballerina", "name": "mqtt", "version": "1.5.0", "repository": "local"} in toml["dependency"]


@pytest.mark.parametrize("file, old, new, expected", [
    ("publish-delivery-tokens/main.bal", "mqtt:DeliveryToken token", "mqtt:DeliveryReceipt token",
     "`mqtt:DeliveryReceipt` is not in the public API of ballerina/mqtt"),
    ("publish-delivery-tokens/main.bal", "{payload: reading.toBytes(), qos}", "{body: reading.toBytes(), qos}",
     "`mqtt:Message` has no field `body`"),
    ("publish-delivery-tokens/main.bal", "{payload: reading.toBytes(), qos}", "{qos}",
     "`mqtt:Message`: required field `payload` missing"),
    ("publish-delivery-tokens/main.bal", "${token.messageId}", "${token.packetId}",
     "`mqtt:DeliveryToken` has no field `packetId`"),
    ("publish-delivery-tokens/main.bal", "publisher->disconnect()", "publisher->stop()",
     "`mqtt:Client` has no method `stop`"),
    ("publish-delivery-tokens/main.bal", 'connectionConfig = {', 'connection = {',
     "Client.init: no parameter named `connection`"),
    ("publish-delivery-tokens/main.bal", "connectionTimeout: 10", "connectionTimeout: \"10s\"",
     "`\"10s\"` where `int` is expected"),
    ("publish-delivery-tokens/main.bal", "qos: mqtt:AT_LEAST_ONCE,", "qos: mqtt:DEFAULT_URL,",
     "`mqtt:DEFAULT_URL` (string) where `int` is expected"),
    ("publish-delivery-tokens/main.bal", "publisher->publish(topic, {payload: reading.toBytes(), qos})",
     "publisher->publish(topic, {payload: reading.toBytes(), qos}, true)",
     "Client.publish: 3 positional arguments, it takes at most 2"),
    ("publish-delivery-tokens/main.bal", 'new (brokerUrl, "example-token-publisher",', "new (brokerUrl,",
     "Client.init: argument `clientId` missing"),
    ("manual-acks-listener/main.bal", "caller->complete()", "caller.complete()",
     "`mqtt:Caller->complete` is a remote method: call it with `->`"),
    ("manual-acks-listener/main.bal", "    manualAcks = true\n", "    manualAck = true\n",
     "Listener.init: no parameter named `manualAck` and no field `manualAck` in `ListenerConfiguration`"),
    ("manual-acks-listener/main.bal", "sessionExpiryInterval: 3600", "sessionExpiry: 3600",
     "`mqtt:ConnectionConfiguration` has no field `sessionExpiry`"),
    ("manual-acks-listener/main.bal", "remote function onMessage(", "remote function onMessages(",
     "the service has no `remote function onMessage`"),
    ("manual-acks-listener/main.bal", "onMessage(mqtt:Message message, mqtt:Caller caller)",
     "onMessage(mqtt:Message message, mqtt:Client caller)", "the parameters must be (mqtt:Message)"),
    ("request-response/responder/main.bal", "remote function onComplete(mqtt:DeliveryToken token) {",
     "remote function onComplete(mqtt:DeliveryToken token) returns string {", "`onComplete` returns `string`"),
    ("request-response/requester/main.bal", "requester->receiveResponse()", "requester->responses()",
     "`mqtt:Client` has no method `responses`"),
    ("request-response/requester/main.bal", "reply.properties?.correlationData", "reply.properties?.correlationId",
     "`mqtt:MessageProperties` has no field `correlationId`"),
    ("mutual-tls-client/main.bal", "keyFile: clientKeyFile}", "privateKey: clientKeyFile}",
     "`mqtt:CertKey` has no field `privateKey`"),
    ("mutual-tls-client/main.bal", "name: mqtt:TLS,", "name: mqtt:TLSv13,", "`mqtt:TLSv13` is not in the public API"),
    ("mutual-tls-client/main.bal", "protocol: {name: mqtt:TLS, version: tlsVersion}", "protocol: mqtt:TLS",
     "`mqtt:TLS` (mqtt:Protocol) where `record {|Protocol name; string version;|}` is expected"),
    ("mutual-tls-client/main.bal", "import ballerina/mqtt;\n", "", "uses `mqtt:` without `import ballerina/mqtt;`"),
    ("mutual-tls-client/Ballerina.toml", 'version = "1.5.0"', 'version = "1.4.1"',
     "[[dependency]] ballerina/mqtt version `1.4.1`, the package is `1.5.0`"),
    ("mutual-tls-client/Ballerina.toml", 'name = "mqtt"', 'name = "mqtt5"',
     "no [[dependency]] naming the package ballerina/mqtt"),
    ("mutual-tls-client/Ballerina.toml", 'distribution = "2201.11.0"', 'distribution = "2201.8.0"',
     "the package needs Swan Lake 2201.11 or newer"),
])
def test_checker_reports_a_broken_example(examples_copy: Path, file: str, old: str, new: str, expected: str) -> None:
    path = examples_copy / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}: the test no longer matches the example"
    path.write_text(text.replace(old, new, 1))
    problems = example_problems(examples_copy)
    assert any(expected in p for p in problems), problems


def test_checker_reports_an_example_without_a_project(examples_copy: Path) -> None:
    (examples_copy / "mutual-tls-client" / "Ballerina.toml").unlink()
    (examples_copy / "manual-acks-listener" / "README.md").unlink()
    problems = example_problems(examples_copy)
    assert "mutual-tls-client/main.bal: not inside an example project (no Ballerina.toml)" in problems
    assert "manual-acks-listener: no README.md (in the project or the example directory above it)" in problems


def test_check_command_fails_on_a_broken_example(examples_copy: Path) -> None:
    main = examples_copy / "publish-delivery-tokens" / "main.bal"
    main.write_text(main.read_text().replace("publisher->publish(", "publisher->send(", 1))
    result = subprocess.run([sys.executable, str(Path(checker.__file__)), "--examples", str(examples_copy)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert re.search(r"^publish-delivery-tokens/main\.bal:\d+: `mqtt:Client` has no method `send`$",
                     result.stdout, re.MULTILINE), result.stdout


def test_example_tokens_include_template_interpolations() -> None:
    tokens = [t.text for t in checker.example_tokens('io:println(string `id ${token.messageId}`);')]
    assert tokens[-7:] == ["(", "token", ".", "messageId", ")", ")", ";"]


# -- the spec and the documents' samples --------------------------------------------

SPEC = checker.DEFAULT_SPEC


def test_spec_matches_the_package_and_states_every_rule() -> None:
    assert checker.check_spec(SPEC, package_module()) == []


def test_spec_follows_the_released_table_of_contents() -> None:
    headings = re.findall(r"^#{2,5} (\d[\d.]*\.? .+)$", SPEC.read_text(), re.MULTILINE)
    expected = ["1. Overview", "2. Configurations", "2.1. Security Configurations", "3. Client",
                "3.1. Configurations", "3.2. Initialization", "3.2.1. Insecure Client", "3.2.2. Secure Client",
                "3.3. Functions", "4. Subscriber", "4.1. Configurations", "4.3. Listener", "4.3.1. Initialization",
                "4.3.1.1. Insecure Listener", "4.3.1.2. Secure Listener", "4.3.2. Usage", "4.3.3. Caller",
                "5. Samples", "5.1. Publish Messages", "5.2. Subscribe to Messages"]
    assert [h for h in headings if h in expected] == expected


@pytest.mark.parametrize("old, new, expected", [
    ("    boolean manualAcks = false;", "    boolean manualAcks = true;", "record ListenerConfiguration.manualAcks"),
    ("    string keyPassword?;", "    string keyPassword;", "record CertKey.keyPassword"),
    ("    int retainHandling?;\n", "", "record Subscription.retainHandling"),
    ("public const int EXACTLY_ONCE = 2;", "public const int EXACTLY_ONCE = 3;", "constant EXACTLY_ONCE"),
    ("isolated remote function respond(Message response) returns Error?;",
     "isolated remote function respond(Message response, int qos) returns Error?;",
     "`respond(Message response, int qos) returns Error?` is not the signature"),
    ("isolated remote function receive(typedesc<stream<Message, error?>> T = <>) returns T|Error;\n", "",
     "Client.receive is not specified"),
    ("* **T6** Default trust.", "* Default trust.", "rule T6 is not stated"),
    ("  **L3** With `manualAcks = false`", "  With `manualAcks = false`", "rule L3 is not stated"),
    ("public type UserProperty record {|", "public type UserProp record {|", "type UserProp is not a public type"),
])
def test_checker_reports_a_spec_mistake(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = SPEC.read_text()
    assert old in text, f"{old!r} not in spec.md: the test no longer matches it"
    spec = tmp_path / "spec.md"
    spec.write_text(text.replace(old, new, 1))
    problems = checker.check_spec(spec, package_module())
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("doc", [SPEC, PACKAGE / "README.md", PACKAGE / "Package.md", PACKAGE / "Module.md",
                                 EXAMPLES / "mutual-tls-client" / "README.md"])
def test_document_samples_fit_the_api(doc: Path) -> None:
    assert checker.check_doc_samples(doc, package_module()) == []


def test_checker_reports_a_broken_document_sample(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text("```ballerina\nmqtt:Client c = check new (mqtt:DEFAULT_URL, \"id\", willDetails = {topic: \"t\"});\n```\n")
    problems = checker.check_doc_samples(doc, package_module())
    assert "README.md (block at line 2):1: `mqtt:WillDetails` has no field `topic`" in problems
