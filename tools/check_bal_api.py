#!/usr/bin/env python3
"""Checks the Ballerina sources of ballerina/mqtt, and the examples that use them, against the spec.

No Ballerina toolchain runs on these machines, so this script reads the `.bal`
sources itself (a small tolerant tokenizer and parser: records, enums,
constants, type definitions, classes and their methods, `@java:Method`
annotations) and compares the public API with docs/spec/spec.md (contract §2,
the optional §7 additions and the QoS constants), transcribed below as data.

It also reads every Ballerina project under examples/: each must have a
Ballerina.toml that depends on ballerina/mqtt at the package's version, and
every `mqtt:` name, `new`, remote or method call, mapping constructor, field
access and service remote function in its `.bal` files must fit the public
API that the package declares (see check_examples).

Usage:
    python3 tools/check_bal_api.py [--package DIR] [--examples DIR]   # check; exit 1 on a mismatch
    python3 tools/check_bal_api.py --externs-json         # the @java:Method list as JSON
    python3 tools/check_bal_api.py --adapters-md          # the ADAPTERS.md table

The JSON lists, for every external function, the Java class and method it
names and the Java parameter types the Ballerina runtime will look for
(Environment first when the adapter uses it, then BObject for the object of
an object method, then one type per Ballerina parameter), so that a JUnit test
can check that the adapter classes have exactly those static methods.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from xml.etree import ElementTree
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACKAGE = REPO_ROOT / "ballerina"
DEFAULT_EXAMPLES = REPO_ROOT / "examples"
DEFAULT_SPEC = REPO_ROOT / "docs" / "spec" / "spec.md"
PACKAGE_ORG, PACKAGE_NAME = "ballerina", "mqtt"
ADAPTER_PACKAGE = "io.ballerina.lib.mqtt.adapter"

# --------------------------------------------------------------------------
# The contract, as data (contract §2; §7 additions are optional).
# A field is (type, optional, default); defaults are Ballerina source text.
# --------------------------------------------------------------------------

REQUIRED = False
OPTIONAL = True

EXPECTED_RECORDS: dict[str, dict[str, tuple[str, bool, str | None]]] = {
    "CertKey": {
        "certFile": ("string", REQUIRED, None),
        "keyFile": ("string", REQUIRED, None),
        "keyPassword": ("string", OPTIONAL, None),
    },
    "SecureSocket": {
        "cert": ("crypto:TrustStore|string", OPTIONAL, None),
        "key": ("crypto:KeyStore|CertKey", OPTIONAL, None),
        "protocol": ("record {| Protocol name; string version; |}", OPTIONAL, None),
    },
    "ConnectionConfiguration": {
        "username": ("string", OPTIONAL, None),
        "password": ("string", OPTIONAL, None),
        "secureSocket": ("SecureSocket", OPTIONAL, None),
        "maxReconnectDelay": ("int", OPTIONAL, None),
        "keepAliveInterval": ("int", OPTIONAL, None),
        "connectionTimeout": ("int", OPTIONAL, None),
        "cleanStart": ("boolean", OPTIONAL, None),
        "serverUris": ("string[]", OPTIONAL, None),
        "automaticReconnect": ("boolean", OPTIONAL, None),
    },
    "Message": {
        "payload": ("byte[]", REQUIRED, None),
        "qos": ("int", REQUIRED, "1"),
        "retained": ("boolean", REQUIRED, "false"),
        "duplicate": ("boolean", REQUIRED, "false"),
        "messageId": ("int", OPTIONAL, None),
        "topic": ("string", OPTIONAL, None),
        "properties": ("MessageProperties", OPTIONAL, None),
    },
    "MessageProperties": {
        "responseTopic": ("string", OPTIONAL, None),
        "correlationData": ("byte[]", OPTIONAL, None),
    },
    "DeliveryToken": {
        "messageId": ("int", REQUIRED, None),
        "topic": ("string", REQUIRED, None),
    },
    "Subscription": {
        "topic": ("string", REQUIRED, None),
        "qos": ("int", REQUIRED, "1"),
    },
    "ClientConfiguration": {
        "connectionConfig": ("ConnectionConfiguration", OPTIONAL, None),
        "willDetails": ("WillDetails", OPTIONAL, None),
    },
    "WillDetails": {
        "willMessage": ("Message", REQUIRED, None),
        "destinationTopic": ("string", REQUIRED, None),
    },
    "ListenerConfiguration": {
        "connectionConfig": ("ConnectionConfiguration", OPTIONAL, None),
        "manualAcks": ("boolean", REQUIRED, "false"),
    },
    "ErrorDetails": {
        "reasonCode": ("int", OPTIONAL, None),
    },
}

# §7: fields a record may carry in addition (each optional, with this type).
OPTIONAL_ADDITIONS: dict[str, dict[str, str]] = {
    "MessageProperties": {
        "contentType": "string",
        "messageExpiryInterval": "int",
        "payloadFormatIndicator": "boolean",
        "userProperties": "UserProperty[]",
    },
    "ConnectionConfiguration": {"sessionExpiryInterval": "int"},
    "Subscription": {
        "noLocal": "boolean",
        "retainAsPublished": "boolean",
        "retainHandling": "int",
    },
}

# Public types that exist only to support a §7 addition.
ADDITIONAL_RECORDS: dict[str, dict[str, tuple[str, bool, str | None]]] = {
    "UserProperty": {
        "key": ("string", REQUIRED, None),
        "value": ("string", REQUIRED, None),
    },
}

EXPECTED_ENUMS = {"Protocol": ["SSL", "TLS"]}

EXPECTED_TYPES = {  # non-record public type definitions
    "Error": "distinct error<ErrorDetails>",
    "Service": "distinct service object {}",
}

# name -> (declared type, value): DEFAULT_URL (contract §2) and the QoS levels (spec §2.6).
EXPECTED_CONSTANTS = {
    "DEFAULT_URL": ("string", '"tcp://localhost:1883"'),
    "AT_MOST_ONCE": ("int", "0"),
    "AT_LEAST_ONCE": ("int", "1"),
    "EXACTLY_ONCE": ("int", "2"),
}
CONSTANTS_FILE = "constants.bal"  # the one place of the public constants

SUBSCRIPTIONS = "string|string[]|Subscription|Subscription[]"
STREAM_TYPEDESC = "typedesc<stream<Message, error?>>"

# A parameter is (type, name, default); a method has its qualifiers (set), params, return type.
EXPECTED_CLASSES: dict[str, dict] = {
    "Client": {
        "qualifiers": {"public", "client", "isolated"},
        "methods": {
            "init": ({"public", "isolated"},
                     [("string", "serverUri", None), ("string", "clientId", None),
                      ("*ClientConfiguration", "config", None)], "Error?"),
            "publish": ({"isolated", "remote"},
                        [("string", "topic", None), ("Message", "message", None)], "DeliveryToken|Error"),
            "subscribe": ({"isolated", "remote"}, [(SUBSCRIPTIONS, "subscriptions", None)], "Error?"),
            "receiveResponse": ({"isolated", "remote"}, [(STREAM_TYPEDESC, "T", "<>")], "T|Error"),
            "receive": ({"isolated", "remote"}, [(STREAM_TYPEDESC, "T", "<>")], "T|Error"),
            "isConnected": ({"isolated", "remote"}, [], "boolean|Error"),
            "disconnect": ({"isolated", "remote"}, [], "Error?"),
            "reconnect": ({"isolated", "remote"}, [], "Error?"),
            "close": ({"isolated", "remote"}, [], "Error?"),
        },
    },
    "Listener": {
        "qualifiers": {"public", "isolated"},
        "methods": {
            "init": ({"public", "isolated"},
                     [("string", "serverUri", None), ("string", "clientId", None),
                      (SUBSCRIPTIONS, "subscriptions", None), ("*ListenerConfiguration", "config", None)],
                     "Error?"),
            "attach": ({"public", "isolated"},
                       [("Service", "'service", None), ("string[]|string?", "name", "()")], "Error?"),
            "detach": ({"public", "isolated"}, [("Service", "'service", None)], "Error?"),
            "'start": ({"public", "isolated"}, [], "Error?"),
            "gracefulStop": ({"public", "isolated"}, [], "Error?"),
            "immediateStop": ({"public", "isolated"}, [], "Error?"),
        },
    },
    "Caller": {
        "qualifiers": {"public", "client", "isolated"},
        "methods": {
            "complete": ({"isolated", "remote"}, [], "Error?"),
            "respond": ({"isolated", "remote"}, [("Message", "response", None)], "Error?"),
        },
    },
}

# The stream implementor (module-private) that `receive` hands to the runtime.
STREAM_CLASS = "MessageStream"
STREAM_CLASS_METHODS = {
    "next": ({"public", "isolated"}, [], "record {| Message value; |}|Error?"),
    "close": ({"public", "isolated"}, [], "Error?"),
}

# The adapter methods the Java bridge implements (the brief's list): class.method -> params.
EXPECTED_ADAPTERS: dict[str, list[str]] = {
    "ModuleUtils.setModule": ["Environment"],
    "ClientAdapter.init": ["Environment", "BObject", "BString", "BString", "BMap"],
    "ClientAdapter.publish": ["Environment", "BObject", "BString", "BMap"],
    "ClientAdapter.subscribe": ["Environment", "BObject", "Object"],
    "ClientAdapter.receive": ["Environment", "BObject", "BTypedesc"],
    "ClientAdapter.isConnected": ["Environment", "BObject"],
    "ClientAdapter.disconnect": ["Environment", "BObject"],
    "ClientAdapter.reconnect": ["Environment", "BObject"],
    "ClientAdapter.close": ["Environment", "BObject"],
    "StreamAdapter.next": ["Environment", "BObject"],
    "StreamAdapter.close": ["Environment", "BObject"],
    "ListenerAdapter.init": ["Environment", "BObject", "BString", "BString", "Object", "BMap"],
    "ListenerAdapter.attach": ["Environment", "BObject", "BObject", "Object"],
    "ListenerAdapter.detach": ["Environment", "BObject", "BObject"],
    "ListenerAdapter.start": ["Environment", "BObject"],
    "ListenerAdapter.gracefulStop": ["Environment", "BObject"],
    "ListenerAdapter.immediateStop": ["Environment", "BObject"],
    "CallerAdapter.complete": ["Environment", "BObject"],
    "CallerAdapter.respond": ["Environment", "BObject", "BMap"],
}

# Which adapter methods take the Environment (Ballerina passes it when the Java method's first
# parameter is an Environment; the .bal declaration cannot show it).
USES_ENVIRONMENT = {key for key, params in EXPECTED_ADAPTERS.items() if params[:1] == ["Environment"]}

JAVA_CLASS_NAMES = {
    "Environment": "io.ballerina.runtime.api.Environment",
    "BObject": "io.ballerina.runtime.api.values.BObject",
    "BString": "io.ballerina.runtime.api.values.BString",
    "BMap": "io.ballerina.runtime.api.values.BMap",
    "BArray": "io.ballerina.runtime.api.values.BArray",
    "BTypedesc": "io.ballerina.runtime.api.values.BTypedesc",
    "BError": "io.ballerina.runtime.api.values.BError",
    "BStream": "io.ballerina.runtime.api.values.BStream",
    "BDecimal": "io.ballerina.runtime.api.values.BDecimal",
    "Object": "java.lang.Object",
    "long": "long",
    "double": "double",
    "boolean": "boolean",
    "void": "void",
}

# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<template>`[^`]*`)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<ident>'?[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\{\||\|\}|->|=>|\.\.\.|\.\.<|==|!=|<=|>=|&&|\|\||[{}()\[\]<>;,:=|?*@.&!+\-/%~^])
""", re.VERBOSE)


@dataclass
class Token:
    kind: str
    text: str
    line: int


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos, line = 0, 1
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:  # tolerate anything unexpected: one character, as punctuation
            tokens.append(Token("punct", source[pos], line))
            line += source[pos] == "\n"
            pos += 1
            continue
        kind = match.lastgroup or "punct"
        text = match.group()
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, text, line))
        line += text.count("\n")
        pos = match.end()
    return tokens


def normalize_type(text: str) -> str:
    """Canonical spelling of a type (or default expression) so that spacing does not matter."""
    return _join(tokenize(text))


_NO_SPACE_BEFORE = {"|", "?", "[", "]", "<", ">", ")", ",", ";", ":", "|}", "&", "}"}
_NO_SPACE_AFTER = {"|", "[", "<", "(", ":", "*", "&", "{|", "{", "@"}


def _join(tokens: list[Token]) -> str:
    """Joins tokens with one space, except next to the punctuation that reads better tight."""
    out: list[str] = []
    for k, tok in enumerate(tokens):
        if k and tokens[k - 1].text not in _NO_SPACE_AFTER and tok.text not in _NO_SPACE_BEFORE:
            out.append(" ")
        out.append(tok.text)
    return "".join(out)


# --------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------

@dataclass
class RecordField:
    type: str
    name: str
    optional: bool
    default: str | None


@dataclass
class Param:
    type: str
    name: str
    default: str | None


@dataclass
class Extern:
    java_class: str | None
    java_method: str | None


@dataclass
class Function:
    name: str
    qualifiers: set[str]
    params: list[Param]
    returns: str
    extern: Extern | None
    owner: str | None  # class name, or None for a module-level function
    file: str
    line: int


@dataclass
class BalClass:
    name: str
    qualifiers: set[str]
    methods: dict[str, Function] = field(default_factory=dict)
    file: str = ""


@dataclass
class TypeDef:
    name: str
    public: bool
    text: str  # normalized type descriptor
    fields: dict[str, RecordField] | None  # for record types
    closed: bool
    file: str


@dataclass
class Constant:
    public: bool
    type: str | None  # the declared type, None when the declaration has none
    value: str  # normalized source text
    file: str
    doc: str  # the `#` documentation above the declaration, without the `#`


@dataclass
class Module:
    types: dict[str, TypeDef] = field(default_factory=dict)
    enums: dict[str, tuple[bool, list[str]]] = field(default_factory=dict)
    constants: dict[str, Constant] = field(default_factory=dict)
    classes: dict[str, BalClass] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def externs(self) -> list[Function]:
        found = [f for f in self.functions.values() if f.extern]
        for cls in self.classes.values():
            found += [m for m in cls.methods.values() if m.extern]
        return found


_OPEN = {"(": ")", "[": "]", "{": "}", "{|": "|}", "<": ">"}
_CLOSE = {v: k for k, v in _OPEN.items()}


class Parser:
    def __init__(self, tokens: list[Token], file: str, module: Module, lines: list[str] | None = None):
        self.toks = tokens
        self.i = 0
        self.file = file
        self.module = module
        self.lines = lines or []

    # -- helpers -----------------------------------------------------------
    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.toks[j].text if j < len(self.toks) else ""

    def next(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.next()
        if tok.text != text:
            raise SyntaxError(f"{self.file}:{tok.line}: expected '{text}', found '{tok.text}'")

    def until(self, stops: set[str], angle: bool = True) -> list[Token]:
        """Tokens up to (not including) the first stop token at bracket depth 0."""
        out: list[Token] = []
        stack: list[str] = []
        while self.i < len(self.toks):
            t = self.peek()
            if not stack and t in stops:
                return out
            if t in _OPEN and (angle or t != "<"):
                stack.append(t)
            elif t in _CLOSE and stack and stack[-1] == _CLOSE[t]:
                stack.pop()
            out.append(self.next())
        return out

    def skip_balanced(self) -> list[Token]:
        """Consumes a bracketed group starting at the current token; returns its inner tokens.
        Inside a block `{ … }`, `<` may be a comparison, so only there it is not a bracket."""
        open_tok = self.next().text
        inner = self.until({_OPEN[open_tok]}, angle=open_tok != "{")
        self.next()
        return inner

    # -- module level ---------------------------------------------------------
    def parse(self) -> None:
        while self.i < len(self.toks):
            start = self.i
            try:
                self.parse_top_level()
            except SyntaxError as exc:
                self.module.problems.append(f"parse error: {exc}")
                self.i = max(self.i, start + 1)
                self.until({";"})
                if self.i < len(self.toks):
                    self.next()

    def parse_top_level(self) -> None:
        first_line = self.toks[self.i].line
        annotations = self.parse_annotations()
        quals: list[str] = []
        while self.peek() in ("public", "private", "isolated", "client", "readonly", "distinct",
                              "service", "final", "transactional", "remote"):
            if self.peek() == "service" and self.peek(1) not in ("class",):
                break
            quals.append(self.next().text)
        head = self.peek()
        if head == "import":
            self.until({";"})
            self.next()
        elif head == "const":
            self.next()
            tokens = self.until({";"})
            self.next()
            eq = next(k for k, t in enumerate(tokens) if t.text == "=")
            name = tokens[eq - 1].text
            self.module.constants[name] = Constant("public" in quals, _join(tokens[:eq - 1]) or None,
                                                   _join(tokens[eq + 1:]), self.file,
                                                   doc_comment(self.lines, first_line))
        elif head == "type":
            self.next()
            name = self.next().text
            body = self.until({";"})
            self.next()
            self.module.types[name] = self.make_typedef(name, "public" in quals, body)
        elif head == "enum":
            self.next()
            name = self.next().text
            inner = self.skip_balanced()
            members = [t.text for t in inner if t.kind == "ident"]
            self.module.enums[name] = ("public" in quals, members)
        elif head == "class":
            self.next()
            self.parse_class(self.next().text, set(quals))
        elif head == "function":
            fn = self.parse_function(set(quals), owner=None)
            self.module.functions[fn.name] = fn
        else:  # configurable, listener, service declarations, module variables
            self.until({";"} if head != "service" else {"{"})
            if self.peek() == "{":
                self.skip_balanced()
            elif self.i < len(self.toks):
                self.next()
        del annotations

    def parse_annotations(self) -> list[tuple[str, list[Token]]]:
        found = []
        while self.peek() == "@":
            self.next()
            name = self.next().text
            if self.peek() == ":":
                self.next()
                name += ":" + self.next().text
            body: list[Token] = []
            if self.peek() == "{":
                body = self.skip_balanced()
            found.append((name, body))
        return found

    def make_typedef(self, name: str, public: bool, body: list[Token]) -> TypeDef:
        text = _join(body)
        fields = None
        closed = False
        if len(body) >= 2 and body[0].text == "record" and body[1].text in ("{|", "{"):
            closed = body[1].text == "{|"
            fields = self.parse_record_fields(body[2:-1])
        return TypeDef(name, public, text, fields, closed, self.file)

    def parse_record_fields(self, tokens: list[Token]) -> dict[str, RecordField]:
        sub = Parser(tokens, self.file, self.module)
        fields: dict[str, RecordField] = {}
        while sub.i < len(sub.toks):
            decl = sub.until({";"})
            if sub.i < len(sub.toks):
                sub.next()
            if not decl:
                continue
            default = None
            eq = _index_at_depth0(decl, "=")
            if eq is not None:
                default = _join(decl[eq + 1:])
                decl = decl[:eq]
            optional = decl[-1].text == "?"
            if optional:
                decl = decl[:-1]
            if decl[0].text == "*":  # record type inclusion
                fields["*" + _join(decl[1:])] = RecordField(_join(decl[1:]), "*", False, None)
                continue
            fields[decl[-1].text] = RecordField(_join(decl[:-1]), decl[-1].text, optional, default)
        return fields

    def parse_class(self, name: str, quals: set[str]) -> None:
        cls = BalClass(name, quals, file=self.file)
        self.module.classes[name] = cls
        self.expect("{")
        while self.peek() != "}":
            self.parse_annotations()
            member_quals: list[str] = []
            while self.peek() in ("public", "private", "isolated", "remote", "resource", "final",
                                  "transactional"):
                member_quals.append(self.next().text)
            if self.peek() == "function":
                fn = self.parse_function(set(member_quals), owner=name)
                cls.methods[fn.name] = fn
            else:  # a field
                self.until({";"})
                self.next()
        self.expect("}")

    def parse_function(self, quals: set[str], owner: str | None) -> Function:
        line = self.toks[self.i].line
        self.expect("function")
        name = self.next().text
        params = [self.make_param(p) for p in _split_at_depth0(self.skip_balanced(), ",")]
        returns = "()"
        if self.peek() == "returns":
            self.next()
            returns = _join(self.until({"{", "=", ";"}))
        extern = None
        if self.peek() == "{":
            self.skip_balanced()
        elif self.peek() == "=":
            self.next()
            annotations = self.parse_annotations()
            body = self.until({";"})
            self.next()
            if [t.text for t in body] == ["external"]:
                extern = Extern(None, None)
                for ann_name, ann_body in annotations:
                    if ann_name == "java:Method":
                        values = _annotation_values(ann_body)
                        extern = Extern(values.get("'class"), values.get("name"))
        else:  # `;` of a method declaration without a body
            self.next()
        return Function(name, quals, params, returns, extern, owner, self.file, line)

    def make_param(self, tokens: list[Token]) -> Param:
        default = None
        eq = _index_at_depth0(tokens, "=")
        if eq is not None:
            default = _join(tokens[eq + 1:])
            tokens = tokens[:eq]
        type_tokens = tokens[:-1]
        type_text = _join(type_tokens)
        if type_tokens and type_tokens[0].text == "*":
            type_text = "*" + _join(type_tokens[1:])
        return Param(type_text, tokens[-1].text, default)


def _index_at_depth0(tokens: list[Token], text: str) -> int | None:
    depth = 0
    for k, tok in enumerate(tokens):
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth -= 1
        elif tok.text == text and depth == 0:
            return k
    return None


def _split_at_depth0(tokens: list[Token], sep: str) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth -= 1
        if tok.text == sep and depth == 0:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def _annotation_values(tokens: list[Token]) -> dict[str, str]:
    values = {}
    for part in _split_at_depth0(tokens, ","):
        if len(part) >= 3 and part[1].text == ":" and part[2].kind == "string":
            values[part[0].text] = json.loads(part[2].text)
    return values


def doc_comment(lines: list[str], line: int) -> str:
    """The `#` documentation lines right above source line `line` (1-based), without the `#`."""
    doc: list[str] = []
    k = line - 2
    while k >= 0 and lines[k].strip().startswith("#"):
        doc.insert(0, lines[k].strip()[1:].removeprefix(" "))
        k -= 1
    return "\n".join(doc)


def parse_package(package_dir: Path) -> Module:
    module = Module()
    sources = sorted(p for p in package_dir.glob("*.bal"))
    if not sources:
        module.problems.append(f"no .bal sources in {package_dir}")
    for path in sources:
        text = path.read_text(encoding="utf-8")
        Parser(tokenize(text), path.name, module, text.splitlines()).parse()
    return module


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------

def check_api(module: Module) -> list[str]:
    problems = list(module.problems)
    n = normalize_type

    expected_records = dict(EXPECTED_RECORDS)
    for name, fields in ADDITIONAL_RECORDS.items():
        if name in module.types:
            expected_records[name] = fields
    for name, expected_fields in expected_records.items():
        typedef = module.types.get(name)
        if typedef is None:
            problems.append(f"record {name}: missing")
            continue
        if not typedef.public:
            problems.append(f"record {name}: not public")
        if typedef.fields is None or not typedef.closed:
            problems.append(f"record {name}: must be a closed record `record {{| … |}}`, is `{typedef.text}`")
            continue
        additions = OPTIONAL_ADDITIONS.get(name, {})
        for fname, (ftype, optional, default) in expected_fields.items():
            actual = typedef.fields.get(fname)
            if actual is None:
                problems.append(f"record {name}: field {fname} missing")
                continue
            if n(actual.type) != n(ftype):
                problems.append(f"record {name}.{fname}: type `{actual.type}`, expected `{n(ftype)}`")
            if actual.optional != optional:
                problems.append(f"record {name}.{fname}: must {'' if optional else 'not '}be optional (`?`)")
            if (actual.default and n(actual.default)) != (default and n(default)):
                problems.append(f"record {name}.{fname}: default `{actual.default}`, expected `{default}`")
        for fname, actual in typedef.fields.items():
            if fname in expected_fields:
                continue
            if fname in additions:
                if n(actual.type) != n(additions[fname]):
                    problems.append(f"record {name}.{fname}: type `{actual.type}`, expected `{additions[fname]}` (§7)")
                if not actual.optional or actual.default is not None:
                    problems.append(f"record {name}.{fname}: a §7 addition must be optional without default")
            else:
                problems.append(f"record {name}: unexpected field {fname}")

    for name, members in EXPECTED_ENUMS.items():
        actual = module.enums.get(name)
        if actual is None:
            problems.append(f"enum {name}: missing")
        elif not actual[0] or actual[1] != members:
            problems.append(f"enum {name}: expected public enum {members}, found {actual}")

    for name, text in EXPECTED_TYPES.items():
        typedef = module.types.get(name)
        if typedef is None:
            problems.append(f"type {name}: missing")
        elif not typedef.public or typedef.text != n(text):
            problems.append(f"type {name}: expected `public type {name} {n(text)}`, found `{typedef.text}`")

    problems += check_constants(module)

    known_public = (set(expected_records) | set(EXPECTED_ENUMS) | set(EXPECTED_TYPES)
                    | set(EXPECTED_CONSTANTS) | set(EXPECTED_CLASSES))
    for kind, table in (("type", module.types), ("enum", module.enums), ("constant", module.constants)):
        for name, value in table.items():
            public = value[0] if isinstance(value, tuple) else value.public
            if public and name not in known_public:
                problems.append(f"{kind} {name}: public but not in the contract")
    for name, fn in module.functions.items():
        if "public" in fn.qualifiers:
            problems.append(f"function {name}: public module-level function not in the contract")

    for name, spec in EXPECTED_CLASSES.items():
        cls = module.classes.get(name)
        if cls is None:
            problems.append(f"class {name}: missing")
            continue
        if cls.qualifiers != spec["qualifiers"]:
            problems.append(f"class {name}: qualifiers {sorted(cls.qualifiers)}, expected {sorted(spec['qualifiers'])}")
        problems += _check_methods(name, cls, spec["methods"], strict=True)
    for name, cls in module.classes.items():
        if "public" in cls.qualifiers and name not in EXPECTED_CLASSES:
            problems.append(f"class {name}: public but not in the contract")

    stream_class = module.classes.get(STREAM_CLASS)
    if stream_class is None:
        problems.append(f"class {STREAM_CLASS} (the receive stream implementor): missing")
    else:
        if "public" in stream_class.qualifiers:
            problems.append(f"class {STREAM_CLASS}: must not be public")
        problems += _check_methods(STREAM_CLASS, stream_class, STREAM_CLASS_METHODS, strict=False)
    return problems


def check_constants(module: Module) -> list[str]:
    """The public constants: present, public, of the declared type and value, in constants.bal, and
    documented as the released module documents its API (a summary and a ```ballerina snippet)."""
    problems = []
    for name, (type_, value) in EXPECTED_CONSTANTS.items():
        actual = module.constants.get(name)
        if actual is None:
            problems.append(f"constant {name}: missing")
            continue
        if not actual.public:
            problems.append(f"constant {name}: must be public")
        if actual.type is not None and actual.type != type_:
            problems.append(f"constant {name}: declared `{actual.type}`, expected `{type_}`")
        if actual.value != value:
            problems.append(f"constant {name}: value `{actual.value}`, expected `{value}`")
        if actual.file != CONSTANTS_FILE:
            problems.append(f"constant {name}: declared in {actual.file}, expected in {CONSTANTS_FILE}")
        summary = actual.doc.split("```")[0].strip()
        if not summary or "```ballerina" not in actual.doc or actual.doc.count("```") < 2:
            problems.append(f"constant {name}: needs a `#` doc comment with a summary and a ```ballerina snippet")
        elif f"mqtt:{name}" not in actual.doc.split("```ballerina", 1)[1]:
            problems.append(f"constant {name}: its snippet does not use `mqtt:{name}`")
    return problems


def _check_methods(class_name: str, cls: BalClass, expected: dict, strict: bool) -> list[str]:
    problems = []
    n = normalize_type
    for mname, (quals, params, returns) in expected.items():
        method = cls.methods.get(mname)
        where = f"{class_name}.{mname}"
        if method is None:
            problems.append(f"{where}: missing")
            continue
        if method.qualifiers != quals:
            problems.append(f"{where}: qualifiers {sorted(method.qualifiers)}, expected {sorted(quals)}")
        actual = [(n(p.type), p.name, p.default and n(p.default)) for p in method.params]
        wanted = [(n(t), pname, d and n(d)) for t, pname, d in params]
        if actual != wanted:
            problems.append(f"{where}: parameters {actual}, expected {wanted}")
        if n(method.returns) != n(returns):
            problems.append(f"{where}: returns `{method.returns}`, expected `{n(returns)}`")
    if strict:
        for mname, method in cls.methods.items():
            visible = method.qualifiers & {"public", "remote", "resource"}
            if visible and mname not in expected:
                problems.append(f"{class_name}.{mname}: {'/'.join(sorted(visible))} method not in the contract")
    return problems


# --------------------------------------------------------------------------
# External functions → Java signatures
# --------------------------------------------------------------------------

def java_type(bal_type: str, module: Module) -> str:
    """The Java type the Ballerina runtime passes for a parameter of this Ballerina type."""
    t = normalize_type(bal_type).lstrip("*")
    if _has_top_level(t, "|") or t.endswith("?"):
        return "Object"
    simple = {"string": "BString", "int": "long", "byte": "long", "float": "double", "boolean": "boolean",
              "decimal": "BDecimal", "error": "BError", "any": "Object", "anydata": "Object", "json": "Object"}
    if t in simple:
        return simple[t]
    if t.endswith("]") or t.startswith("("):
        return "BArray"
    if t.startswith("typedesc"):
        return "BTypedesc"
    if t.startswith("stream"):
        return "BStream"
    if t.startswith(("map", "record")):
        return "BMap"
    if t.startswith("object") or t in module.classes:
        return "BObject"
    typedef = module.types.get(t)
    if typedef is not None:
        if typedef.fields is not None:
            return "BMap"
        if "object" in typedef.text:
            return "BObject"
        if "error" in typedef.text:
            return "BError"
        return java_type(typedef.text, module)
    return "Object"


def java_return(bal_type: str, module: Module) -> str:
    t = normalize_type(bal_type)
    return "void" if t == "()" else java_type(t, module)


def _has_top_level(text: str, char: str) -> bool:
    depth = 0
    for k, c in enumerate(text):
        if c in "([<{":
            depth += 1
        elif c in ")]>}":
            depth -= 1
        elif c == char and depth == 0 and not (text[k - 1:k + 1] == "{|" or text[k:k + 2] == "|}"):
            return True
    return False


def extern_table(module: Module) -> list[dict]:
    rows = []
    for fn in sorted(module.externs(), key=lambda f: (f.file, f.line)):
        java_class = fn.extern.java_class or ""
        short_class = java_class.rsplit(".", 1)[-1]
        method = fn.extern.java_method or fn.name
        key = f"{short_class}.{method}"
        params = (["Environment"] if key in USES_ENVIRONMENT else []) \
            + (["BObject"] if fn.owner else []) \
            + [java_type(p.type, module) for p in fn.params]
        rows.append({
            "bal_function": f"{fn.owner}.{fn.name}" if fn.owner else fn.name,
            "bal_signature": _bal_signature(fn),
            "bal_file": fn.file,
            "java_class": java_class,
            "java_method": method,
            "java_params": params,
            "java_param_classes": [JAVA_CLASS_NAMES[p] for p in params],
            "java_return": java_return(fn.returns, module),
        })
    return rows


def _bal_signature(fn: Function) -> str:
    params = ", ".join(f"{p.type} {p.name}" + (f" = {p.default}" if p.default else "") for p in fn.params)
    ret = "" if fn.returns == "()" else f" returns {fn.returns}"
    return f"{fn.name}({params}){ret}"


def check_externs(module: Module) -> list[str]:
    problems = []
    seen: dict[str, list[str]] = {}
    for fn in module.externs():
        where = f"{fn.file}:{fn.line} {fn.owner + '.' if fn.owner else ''}{fn.name}"
        if fn.extern.java_class is None or fn.extern.java_method is None:
            problems.append(f"{where}: external without @java:Method {{'class, name}}")
    for row in extern_table(module):
        if not row["java_class"].startswith(ADAPTER_PACKAGE + "."):
            problems.append(f"{row['bal_function']}: class {row['java_class']} is outside {ADAPTER_PACKAGE}")
        key = f"{row['java_class'].rsplit('.', 1)[-1]}.{row['java_method']}"
        if key not in EXPECTED_ADAPTERS:
            problems.append(f"{row['bal_function']}: names {key}, which is not in the adapter list")
            continue
        if row["java_params"] != EXPECTED_ADAPTERS[key]:
            problems.append(f"{row['bal_function']}: maps to {key}{tuple(row['java_params'])}, "
                            f"the adapter list says {tuple(EXPECTED_ADAPTERS[key])}")
        if key in seen and seen[key] != row["java_params"]:
            problems.append(f"{key}: declared twice with different parameters")
        seen[key] = row["java_params"]
    for key in EXPECTED_ADAPTERS:
        if key not in seen:
            problems.append(f"adapter {key}: no external function names it")
    return problems


def adapters_markdown(module: Module) -> str:
    """The ADAPTERS.md table (a `|` inside a cell is escaped as `\\|`)."""
    lines = ["| Ballerina function | Ballerina declaration | Java class.method | Java parameters | Java return |",
             "|---|---|---|---|---|"]
    for row in extern_table(module):
        short = row["java_class"].rsplit(".", 1)[-1]
        cells = [row["bal_function"], row["bal_signature"], f"{short}.{row['java_method']}",
                 f"({', '.join(row['java_params'])})", row["java_return"]]
        lines.append("| " + " | ".join("`" + c.replace("|", "\\|") + "`" for c in cells) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Examples: Ballerina projects under examples/ that use the package
# --------------------------------------------------------------------------

# Records of other packages that the API's field types name (field -> required).
EXTERNAL_RECORDS: dict[str, dict[str, bool]] = {
    "crypto:TrustStore": {"path": True, "password": True},
    "crypto:KeyStore": {"path": True, "password": True},
}

# The remote functions of an mqtt:Service (spec §4.2): accepted parameter type lists and returns.
SERVICE_METHODS: dict[str, list[list[str]]] = {
    "onMessage": [["mqtt:Message"], ["mqtt:Message", "mqtt:Caller"]],
    "onError": [["mqtt:Error"], ["error"]],
    "onComplete": [["mqtt:DeliveryToken"]],
}
SERVICE_RETURNS = {"()", "error?", "mqtt:Error?"}

_BRACKETS = {"(": ")", "[": "]", "{": "}", "{|": "|}"}  # `<` is a comparison in expressions
_BRACKET_CLOSE = set(_BRACKETS.values())
_LITERAL_ACCEPTS = {  # literal kind -> member types that accept it
    "string": {"string"},
    "int": {"int", "byte", "float", "decimal"},
    "float": {"float", "decimal"},
    "boolean": {"boolean"},
    "nil": {"()"},
}
_TOP_TYPES = {"any", "anydata", "json", "readonly"}


def example_tokens(source: str) -> list[Token]:
    """Tokens of an example file; a string template is followed by its `${…}` interpolations,
    each as `( tokens )`, so that what they use is checked too."""
    out: list[Token] = []
    for tok in tokenize(source):
        out.append(tok)
        if tok.kind == "template":
            for match in re.finditer(r"\$\{([^}]*)\}", tok.text):
                line = tok.line + tok.text[:match.start()].count("\n")
                inner = [Token(t.kind, t.text, line + t.line - 1) for t in tokenize(match.group(1))]
                out += [Token("punct", "(", line), *inner, Token("punct", ")", line)]
    return out


def _group_end(toks: list[Token], i: int) -> int:
    """Index of the bracket that closes the one at `i`."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text in _BRACKETS:
            depth += 1
        elif toks[j].text in _BRACKET_CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def _split_args(toks: list[Token], sep: str = ",") -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for tok in toks:
        if tok.text in _BRACKETS:
            depth += 1
        elif tok.text in _BRACKET_CLOSE:
            depth -= 1
        if tok.text == sep and depth == 0:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def _scan_to(toks: list[Token], i: int, stops: set[str]) -> int:
    """Index of the first stop token at bracket depth 0 from `i` (len(toks) when none)."""
    depth = 0
    for j in range(i, len(toks)):
        if depth == 0 and toks[j].text in stops:
            return j
        if toks[j].text in _BRACKETS:
            depth += 1
        elif toks[j].text in _BRACKET_CLOSE:
            depth -= 1
    return len(toks)


class ExampleFile:
    """Checks one `.bal` file of an example against the package's public API."""

    def __init__(self, module: Module, source: str, name: str, snippet: bool = False):
        """`snippet`: a code block of a document, which may use `mqtt:` without its import."""
        self.module = module
        self.name = name
        self.toks = example_tokens(source)
        self.problems: list[str] = []
        self.prefix = self._mqtt_prefix() or (PACKAGE_NAME if snippet else None)
        self.vars: dict[str, str | None] = {}  # variable -> its type (`mqtt:X`), None when ambiguous
        self.public = self._public_names()

    # -- the package's side ---------------------------------------------------
    def _public_names(self) -> dict[str, str]:
        names = {n: "type" for n, t in self.module.types.items() if t.public}
        names |= {n: "class" for n, c in self.module.classes.items() if "public" in c.qualifiers}
        names |= {n: "constant" for n, c in self.module.constants.items() if c.public}
        for enum, (public, members) in self.module.enums.items():
            if public:
                names[enum] = "type"
                names |= {m: "enum member" for m in members}
        return names

    def members(self, type_text: str) -> list[str]:
        """The member types of a (union) type, each normalized, API names prefixed `mqtt:`."""
        text = normalize_type(type_text).lstrip("*")
        out: list[str] = []
        if text.endswith("?"):
            text = text[:-1]
            out.append("()")
        for part in _split_at_depth0(tokenize(text), "|"):
            member = _join(part)
            if member.startswith("(") and member.endswith(")") and member != "()":
                out += self.members(member[1:-1])
            elif member.split("[")[0] in self.public:
                out.append("mqtt:" + member)
            else:
                out.append(member)
        return out

    def record_fields(self, member: str) -> dict[str, RecordField] | None:
        if member in EXTERNAL_RECORDS:
            return {f: RecordField("string", f, not required, None) for f, required in EXTERNAL_RECORDS[member].items()}
        if member.startswith("record"):
            inner = tokenize(member)[2:-1]
            return Parser(inner, self.name, Module()).parse_record_fields(inner)
        typedef = self.module.types.get(member.removeprefix("mqtt:"))
        return typedef.fields if typedef is not None and typedef.fields is not None else None

    def class_of(self, type_text: str | None) -> BalClass | None:
        if type_text is None or not type_text.startswith("mqtt:"):
            return None
        return self.module.classes.get(type_text.removeprefix("mqtt:"))

    def constant_kind(self, name: str) -> tuple[str, str | None]:
        """(literal kind, enum name) of a public constant or enum member."""
        for enum, (_, members) in self.module.enums.items():
            if name in members:
                return "string", "mqtt:" + enum
        const = self.module.constants[name]
        kind = const.type or ("string" if const.value.startswith('"') else
                              "boolean" if const.value in ("true", "false") else
                              "float" if "." in const.value else "int")
        return kind, None

    # -- the example's side ---------------------------------------------------
    def problem(self, tok: Token, text: str) -> None:
        self.problems.append(f"{self.name}:{tok.line}: {text}")

    def _mqtt_prefix(self) -> str | None:
        t = [tok.text for tok in self.toks]
        for k in range(len(t) - 3):
            if t[k:k + 4] == ["import", PACKAGE_ORG, "/", PACKAGE_NAME]:
                return t[k + 5] if t[k + 4] == "as" else PACKAGE_NAME
        return None

    def is_ref(self, k: int) -> bool:
        """Whether tokens k, k+1, k+2 are a qualified name `mqtt:X`."""
        t = self.toks
        return (self.prefix is not None and k + 2 < len(t) and t[k].text == self.prefix
                and t[k + 1].text == ":" and t[k + 2].kind == "ident"
                and (k == 0 or t[k - 1].text not in (".", "->")))

    def type_at(self, k: int) -> tuple[str, int] | None:
        """A type `mqtt:X`, `mqtt:X?` or `mqtt:X[]` starting at token k: (text, index after it)."""
        if not self.is_ref(k):
            return None
        text, j = "mqtt:" + self.toks[k + 2].text, k + 3
        while j + 1 < len(self.toks) and [self.toks[j].text, self.toks[j + 1].text] == ["[", "]"]:
            text, j = text + "[]", j + 2
        if j < len(self.toks) and self.toks[j].text == "?":
            text, j = text + "?", j + 1
        return text, j

    def check(self) -> list[str]:
        if self.prefix is None:
            if any(t.text == PACKAGE_NAME and k + 1 < len(self.toks) and self.toks[k + 1].text == ":"
                   for k, t in enumerate(self.toks)):
                self.problems.append(f"{self.name}: uses `{PACKAGE_NAME}:` without `import {PACKAGE_ORG}/{PACKAGE_NAME};`")
            return self.problems
        self.collect_declarations()
        for k, tok in enumerate(self.toks):
            if self.is_ref(k):
                self.check_ref(k)
            elif tok.text == "new":
                self.check_new(k)
            elif tok.kind == "ident" and tok.text in self.vars and (k == 0 or self.toks[k - 1].text not in (".", "->", ":")):
                self.check_uses(k)
            elif tok.text == "service" and (k + 1 < len(self.toks) and self.toks[k + 1].text != "object"):
                self.check_service(k)
        return self.problems

    def collect_declarations(self) -> None:
        """Variables, parameters and fields declared with an `mqtt:` type, and their initializers."""
        for k in range(len(self.toks)):
            found = self.type_at(k)
            if found is None:
                continue
            type_text, j = found
            if k > 0 and self.toks[k - 1].text == "|":
                continue  # a member of a union type: not tracked
            if j + 1 >= len(self.toks) or self.toks[j].kind != "ident" or self.toks[j + 1].text not in "=;,)":
                continue
            name = self.toks[j].text
            self.vars[name] = type_text if self.vars.get(name, type_text) == type_text else None
            if self.toks[j + 1].text == "=":
                end = _scan_to(self.toks, j + 2, {";"})
                init = self.toks[j + 2:end]
                while init and init[0].text in ("check", "checkpanic"):
                    init = init[1:]
                if init and init[0].text == "new" and len(init) > 1 and init[1].text == "(":
                    self.check_init(init[0], type_text, init[1:])
                elif init and init[0].text in ("{", "["):
                    self.check_value(init, type_text, init[0])

    def check_ref(self, k: int) -> None:
        name = self.toks[k + 2]
        if name.text not in self.public:
            self.problem(name, f"`{self.prefix}:{name.text}` is not in the public API of {PACKAGE_ORG}/{PACKAGE_NAME}")

    def check_new(self, k: int) -> None:
        """`new mqtt:X(…)`; `mqtt:X v = new (…)` is checked with the declaration."""
        found = self.type_at(k + 1)
        if found is not None and found[1] < len(self.toks) and self.toks[found[1]].text == "(":
            self.check_init(self.toks[k], found[0], self.toks[found[1]:])

    def check_init(self, at: Token, type_text: str, call: list[Token]) -> None:
        cls = self.class_of(type_text)
        if cls is None:
            self.problem(at, f"`new` of `{type_text}`, which is not a class of the package")
            return
        init = cls.methods.get("init")
        self.check_args(at, f"{cls.name}.init", init.params if init else [], call[1:_group_end(call, 0)])

    def check_uses(self, k: int) -> None:
        """`v->m(…)`, `v.m(…)` and `v.f.g` on a variable of an `mqtt:` type."""
        type_text = self.vars[self.toks[k].text]
        j = k + 1
        while type_text is not None and j + 1 < len(self.toks):
            op = self.toks[j].text
            if op == "?" and self.toks[j + 1].text == ".":
                j += 1
                op = "?."
            if op not in (".", "->", "?.") or self.toks[j + 1].kind != "ident":
                return
            member = self.toks[j + 1]
            is_call = j + 2 < len(self.toks) and self.toks[j + 2].text == "("
            cls = self.class_of(type_text.rstrip("?"))
            if cls is not None:
                if is_call:
                    self.check_method_call(cls, op, member, self.toks[j + 2:])
                else:
                    self.problem(member, f"`{member.text}` of `{type_text}`: a class has no fields to read")
                return
            if is_call or op == "->":
                return  # a lang library method of a record value
            shapes = [s for m in self.members(type_text) if m != "()" and (s := self.record_fields(m)) is not None]
            if not shapes:
                return
            if not any(member.text in s for s in shapes):
                shown = "|".join(m for m in self.members(type_text) if m != "()")
                self.problem(member, f"`{shown}` has no field `{member.text}`")
                return
            field_ = next(s[member.text] for s in shapes if member.text in s)
            type_text = field_.type + ("?" if field_.optional else "")
            type_text = "|".join(self.members(type_text))
            j += 2

    def check_method_call(self, cls: BalClass, op: str, member: Token, call: list[Token]) -> None:
        method = cls.methods.get(member.text)
        visible = method is not None and bool(method.qualifiers & {"public", "remote"})
        if not visible:
            self.problem(member, f"`mqtt:{cls.name}` has no method `{member.text}`")
            return
        if op == "->" and "remote" not in method.qualifiers:
            self.problem(member, f"`mqtt:{cls.name}.{member.text}` is not a remote method: call it with `.`")
        elif op != "->" and "remote" in method.qualifiers:
            self.problem(member, f"`mqtt:{cls.name}->{member.text}` is a remote method: call it with `->`")
        self.check_args(member, f"{cls.name}.{member.text}", method.params, call[1:_group_end(call, 0)])

    def check_args(self, at: Token, what: str, params: list[Param], args: list[Token]) -> None:
        included = params[-1] if params and params[-1].type.startswith("*") else None
        plain = [p for p in params if p is not included]
        included_fields = self.record_fields(self.members(included.type)[0]) if included else None
        positional, named = [], []
        for arg in _split_args(args):
            if len(arg) > 2 and arg[0].kind == "ident" and arg[1].text == "=":
                named.append(arg)
            elif named:
                self.problem(arg[0], f"{what}: a positional argument after a named one")
            else:
                positional.append(arg)
        if len(positional) > len(plain) + (1 if included else 0):
            self.problem(at, f"{what}: {len(positional)} positional arguments, it takes at most "
                             f"{len(plain) + (1 if included else 0)}")
        given = set()
        for param, arg in zip(plain + ([included] if included else []), positional):
            given.add(param.name)
            self.check_value(arg, param.type, arg[0])
        for arg in named:
            name, value = arg[0].text, arg[2:]
            param = next((p for p in plain if p.name == name), None)
            if name in given:
                self.problem(arg[0], f"{what}: argument `{name}` given twice")
            elif param is not None:
                self.check_value(value, param.type, arg[0])
            elif included_fields is not None and name in included_fields:
                self.check_value(value, included_fields[name].type, arg[0])
            else:
                self.problem(arg[0], f"{what}: no parameter named `{name}`"
                             + (f" and no field `{name}` in `{included.type[1:]}`" if included else ""))
            given.add(name)
        for param in plain:
            if param.default is None and param.name not in given:
                self.problem(at, f"{what}: argument `{param.name}` missing")

    def check_value(self, value: list[Token], type_text: str, at: Token) -> None:
        """A mapping constructor, list constructor, literal or `mqtt:` constant where `type_text` is expected."""
        members = self.members(type_text)
        if not value or any(m in _TOP_TYPES for m in members):
            return
        first = value[0].text
        if first in ("{", "[") and _group_end(value, 0) == len(value) - 1:
            inner = value[1:-1]
            if first == "{":
                self.check_mapping(inner, members, value[0])
            else:
                self.check_list(inner, members, value[0])
        elif len(value) == 1 and value[0].kind in ("string", "number") or first in ("true", "false"):
            kind = {"string": "string", "number": "float" if "." in first else "int"}.get(value[0].kind, "boolean")
            if not any(m in _LITERAL_ACCEPTS[kind] for m in members):
                self.problem(at, f"`{first}` where `{type_text}` is expected")
        elif len(value) == 2 and [first, value[1].text] == ["(", ")"] and "()" not in members:
            self.problem(at, f"`()` where `{type_text}` is expected")
        elif len(value) == 3 and self.is_ref(self.toks.index(value[0])) and value[2].text in self.public:
            kind, enum = self.constant_kind(value[2].text) if self.public[value[2].text] != "type" else (None, None)
            if kind is not None and enum not in members and not any(m in _LITERAL_ACCEPTS[kind] for m in members):
                self.problem(at, f"`{self.prefix}:{value[2].text}` ({enum or kind}) where `{type_text}` is expected")

    def check_mapping(self, inner: list[Token], members: list[str], at: Token) -> None:
        shapes = [(m, s) for m in members if (s := self.record_fields(m)) is not None]
        if not shapes:
            if not any(m.startswith("map") for m in members):
                self.problem(at, f"a mapping constructor where `{'|'.join(members)}` is expected")
            return
        entries: list[tuple[Token, list[Token] | None]] = []  # (name, value); value None for `name` shorthand
        spread = False
        for entry in _split_args(inner):
            if entry[0].text == "...":
                spread = True
            elif len(entry) == 1:
                entries.append((entry[0], None))
            elif len(entry) > 2 and entry[1].text == ":":
                entries.append((entry[0], entry[2:]))
        names = {name.text.strip('"') for name, _ in entries}

        def required(fields: dict[str, RecordField]) -> set[str]:
            return {f for f, rf in fields.items() if not rf.optional and rf.default is None and f != "*"}

        fitting = [(m, s) for m, s in shapes if names <= set(s) and (spread or required(s) <= names)]
        member, fields = fitting[0] if fitting else max(shapes, key=lambda ms: len(names & set(ms[1])))
        if not fitting:
            for name, _ in entries:
                if name.text.strip('"') not in fields:
                    self.problem(name, f"`{member}` has no field `{name.text}`")
            if not spread:
                for missing in sorted(required(fields) - names):
                    self.problem(at, f"`{member}`: required field `{missing}` missing")
        for name, value in entries:
            field_ = fields.get(name.text.strip('"'))
            if field_ is not None and value is not None:
                self.check_value(value, field_.type, name)

    def check_list(self, inner: list[Token], members: list[str], at: Token) -> None:
        element_types = [m[:-2] for m in members if m.endswith("[]")]
        if not element_types:
            if not any(m.startswith(("[", "(")) for m in members):  # tuples are not checked
                self.problem(at, f"a list constructor where `{'|'.join(members)}` is expected")
            return
        for element in _split_args(inner):
            self.check_value(element, "|".join(element_types), element[0])

    def check_service(self, k: int) -> None:
        """`service on <mqtt:Listener> { … }`: the remote functions of an mqtt:Service (spec §4.2)."""
        body_at = _scan_to(self.toks, k + 1, {"{", ";"})
        header = self.toks[k + 1:body_at]
        if body_at >= len(self.toks) or self.toks[body_at].text != "{" or "on" not in [t.text for t in header]:
            return
        on_listener = any(self.vars.get(t.text) == "mqtt:Listener" for t in header) or any(
            self.is_ref(j) and self.toks[j + 2].text == "Listener" for j in range(k + 1, body_at))
        if not on_listener:
            return
        body = self.toks[body_at + 1:_group_end(self.toks, body_at)]
        found: set[str] = set()
        j = 0
        while j < len(body):
            tok = body[j]
            if tok.text in _BRACKETS:
                j = _group_end(body, j) + 1
                continue
            if tok.text in ("remote", "resource") and j + 2 < len(body) and body[j + 1].text == "function":
                self.check_service_method(tok, body[j + 2], body[j + 3:])
                found.add(body[j + 2].text)
            j += 1
        if "onMessage" not in found:
            self.problem(self.toks[k], "the service has no `remote function onMessage`")

    def check_service_method(self, qualifier: Token, name: Token, rest: list[Token]) -> None:
        if qualifier.text == "resource" or name.text not in SERVICE_METHODS:
            self.problem(name, f"`{qualifier.text} function {name.text}` is not a remote function of an "
                               f"mqtt:Service (onMessage, onError, onComplete)")
            return
        if not rest or rest[0].text != "(":
            return
        close = _group_end(rest, 0)
        param_types = []
        for param in _split_args(rest[1:close]):
            text = _join(param[:-1])
            param_types.append(text.replace(f"{self.prefix}:", "mqtt:", 1) if text.startswith(f"{self.prefix}:") else text)
        if param_types not in SERVICE_METHODS[name.text]:
            allowed = " or ".join("(" + ", ".join(p) + ")" for p in SERVICE_METHODS[name.text])
            self.problem(name, f"`{name.text}({', '.join(param_types)})`: the parameters must be {allowed}")
        returns = "()"
        if close + 1 < len(rest) and rest[close + 1].text == "returns":
            returns = _join(rest[close + 2:_scan_to(rest, close + 2, {"{"})])
            returns = returns.replace(f"{self.prefix}:", "mqtt:")
        if returns not in SERVICE_RETURNS:
            self.problem(name, f"`{name.text}` returns `{returns}`; it may return nothing, `error?` or `mqtt:Error?`")


# --------------------------------------------------------------------------
# The spec (docs/spec/spec.md) against the package
# --------------------------------------------------------------------------

# The rules of the contract; the spec states each one, in bold: **C1** …
SPEC_RULES = ([f"C{n}" for n in range(1, 10)] + [f"P{n}" for n in range(1, 6)] + [f"L{n}" for n in range(1, 7)]
              + ["R1", "R2"] + [f"E{n}" for n in range(1, 4)] + [f"T{n}" for n in range(1, 7)])


def parse_spec(spec_path: Path) -> tuple[Module, list[Function]]:
    """The definitions and the function signatures in the spec's ```ballerina blocks (samples are
    skipped); the signatures as a list, since `init` and `close` appear once per class."""
    module, functions = Module(), []
    text = spec_path.read_text(encoding="utf-8")
    for block in re.findall(r"```ballerina\n(.*?)```", text, re.DOTALL):
        if re.search(r"^(public |isolated )?(type|enum|const|isolated|remote|function)\b", block, re.MULTILINE) \
                and "public function main" not in block:
            block_module = Module()
            Parser(tokenize(block), spec_path.name, block_module, block.splitlines()).parse()
            for table in ("types", "enums", "constants"):
                getattr(module, table).update(getattr(block_module, table))
            module.problems += block_module.problems
            functions += block_module.functions.values()
    return module, functions


def check_spec(spec_path: Path, module: Module) -> list[str]:
    """Every public type, enum, constant and method of the package appears in the spec exactly as
    declared, the spec declares nothing the package lacks, and it states every rule of the contract."""
    if not spec_path.is_file():
        return [f"{spec_path}: missing"]
    spec, spec_functions = parse_spec(spec_path)
    problems = [f"spec: {p}" for p in spec.problems]
    n = normalize_type
    for name, typedef in module.types.items():
        if not typedef.public:
            continue
        documented = spec.types.get(name)
        if documented is None:
            problems.append(f"spec: public type {name} is not specified")
        elif typedef.fields is None:
            if documented.text != typedef.text:
                problems.append(f"spec: type {name} is `{documented.text}`, the package has `{typedef.text}`")
        else:
            theirs = {f: (n(rf.type), rf.optional, rf.default and n(rf.default)) for f, rf in typedef.fields.items()}
            ours = {f: (n(rf.type), rf.optional, rf.default and n(rf.default))
                    for f, rf in (documented.fields or {}).items()}
            for fname in sorted(set(theirs) | set(ours)):
                if theirs.get(fname) != ours.get(fname):
                    problems.append(f"spec: record {name}.{fname} is {ours.get(fname)}, the package has {theirs.get(fname)}")
    for name in spec.types:
        if name not in module.types or not module.types[name].public:
            problems.append(f"spec: type {name} is not a public type of the package")
    for name, enum in module.enums.items():
        if enum[0] and spec.enums.get(name) != enum:
            problems.append(f"spec: enum {name} is {spec.enums.get(name)}, the package has {enum}")
    for name, const in module.constants.items():
        documented = spec.constants.get(name)
        if const.public and (documented is None or (documented.type, documented.value) != (const.type, const.value)):
            problems.append(f"spec: constant {name} is not specified as `{const.type} {name} = {const.value}`")
    methods = [(cls.name, m) for cls in module.classes.values() if "public" in cls.qualifiers
               for m in cls.methods.values() if m.qualifiers & {"public", "remote"}]
    for fn in spec_functions:
        signature = ([(n(p.type), p.name, p.default and n(p.default)) for p in fn.params], n(fn.returns))
        if not any(m.name == fn.name and ([(n(p.type), p.name, p.default and n(p.default)) for p in m.params],
                                          n(m.returns)) == signature for _, m in methods):
            problems.append(f"spec: `{_bal_signature(fn)}` is not the signature of a method of the package")
    for cls_name, m in methods:
        if not any(fn.name == m.name for fn in spec_functions):
            problems.append(f"spec: {cls_name}.{m.name} is not specified")
    text = spec_path.read_text(encoding="utf-8")
    for rule in SPEC_RULES:
        if not re.search(rf"^\s*(?:\* )?\*\*{rule}\*\* ", text, re.MULTILINE):
            problems.append(f"spec: rule {rule} is not stated (a paragraph or item that starts with **{rule}**)")
    return problems


RELEASED_VERSION = (1, 4, 1)  # the ballerina/mqtt release this package replaces
BRIDGE_ARTIFACT = "mqtt-bridge"


def check_package_toml(package_dir: Path) -> list[str]:
    """ballerina/Ballerina.toml: ballerina/mqtt above the released 1.4.1, with a repository and the
    Apache-2.0 license (LICENSE at the repository root), and a platform dependency on the bridge jar
    whose coordinates and path are those that java-bridge/pom.xml builds."""
    path = package_dir / "Ballerina.toml"
    try:
        toml = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"{path}: cannot be read ({exc})"]
    problems = []
    package = toml.get("package", {})
    if (package.get("org"), package.get("name")) != (PACKAGE_ORG, PACKAGE_NAME):
        problems.append(f"Ballerina.toml: package is {package.get('org')}/{package.get('name')}, "
                        f"expected {PACKAGE_ORG}/{PACKAGE_NAME}")
    version = package.get("version", "")
    if not re.fullmatch(r"\d+\.\d+\.\d+", version) or tuple(map(int, version.split("."))) <= RELEASED_VERSION:
        problems.append(f"Ballerina.toml: version `{version}` must be a release above "
                        f"{'.'.join(map(str, RELEASED_VERSION))}")
    if not str(package.get("repository", "")).startswith("https://"):
        problems.append("Ballerina.toml: `repository` must be the https URL of the source repository")
    if "Apache-2.0" not in package.get("license", []):
        problems.append("Ballerina.toml: `license` must name Apache-2.0")
    if not (package_dir.parent / "LICENSE").is_file():
        problems.append("LICENSE: missing at the repository root")
    bridge = [d for d in toml.get("platform", {}).get("java21", {}).get("dependency", [])
              if d.get("artifactId") == BRIDGE_ARTIFACT]
    pom = package_dir.parent / "java-bridge" / "pom.xml"
    if len(bridge) != 1:
        problems.append(f"Ballerina.toml: needs one [[platform.java21.dependency]] on {BRIDGE_ARTIFACT}")
    elif pom.is_file():
        ns = {"m": "http://maven.apache.org/POM/4.0.0"}
        root = ElementTree.parse(pom).getroot()
        built = {key: root.findtext(f"m:{key}", namespaces=ns) for key in ("groupId", "artifactId", "version")}
        jar = f"../java-bridge/target/{root.findtext('m:build/m:finalName', namespaces=ns)}.jar"
        for key, value in built.items():
            if bridge[0].get(key) != value:
                problems.append(f"Ballerina.toml: bridge dependency {key} `{bridge[0].get(key)}`, "
                                f"java-bridge/pom.xml builds `{value}`")
        if bridge[0].get("path") != jar:
            problems.append(f"Ballerina.toml: bridge dependency path `{bridge[0].get('path')}`, "
                            f"java-bridge/pom.xml builds `{jar}`")
    return problems


def check_doc_samples(doc: Path, module: Module) -> list[str]:
    """The ```ballerina blocks of a document, checked like example files (definitions too: a type
    or signature block only yields names and shapes that must exist)."""
    problems = []
    text = doc.read_text(encoding="utf-8")
    for match in re.finditer(r"```ballerina\n(.*?)```", text, re.DOTALL):
        line = text[:match.start()].count("\n") + 2
        sample = ExampleFile(module, match.group(1), f"{doc.name} (block at line {line})", snippet=True)
        problems += sample.check()
    return problems


def package_version(package_dir: Path) -> str | None:
    try:
        return tomllib.loads((package_dir / "Ballerina.toml").read_text(encoding="utf-8"))["package"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


def example_projects(examples_dir: Path) -> list[Path]:
    """The directories under examples/ that hold a Ballerina.toml (build output excluded)."""
    return sorted(p.parent for p in examples_dir.rglob("Ballerina.toml") if "target" not in p.parts)


def check_examples(examples_dir: Path, module: Module, version: str | None) -> list[str]:
    """Every example project: its Ballerina.toml names ballerina/mqtt at the package's version, it has
    a README, and its `.bal` files use only what the package's public API declares, in its shapes."""
    problems: list[str] = []
    projects = example_projects(examples_dir)
    if not projects:
        return [f"{examples_dir}: no example projects (directories with a Ballerina.toml)"]
    for source in sorted(examples_dir.rglob("*.bal")):
        if "target" not in source.parts and not any(source.is_relative_to(p) for p in projects):
            problems.append(f"{source.relative_to(examples_dir)}: not inside an example project (no Ballerina.toml)")
    for project in projects:
        rel = project.relative_to(examples_dir)
        problems += [f"{rel}/Ballerina.toml: {p}" for p in _check_project_toml(project / "Ballerina.toml", version)]
        if not (project / "README.md").is_file() and (project.parent == examples_dir
                                                      or not (project.parent / "README.md").is_file()):
            problems.append(f"{rel}: no README.md (in the project or the example directory above it)")
        sources = sorted(p for p in project.glob("*.bal"))
        if not sources:
            problems.append(f"{rel}: no .bal source files")
        files = [ExampleFile(module, path.read_text(encoding="utf-8"), str(path.relative_to(examples_dir)))
                 for path in sources]
        if files and all(f.prefix is None for f in files):
            problems.append(f"{rel}: no file imports {PACKAGE_ORG}/{PACKAGE_NAME}")
        for example in files:
            problems += example.check()
    return problems


def _check_project_toml(path: Path, version: str | None) -> list[str]:
    try:
        toml = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return [f"not valid TOML ({exc})"]
    problems = []
    package = toml.get("package", {})
    for key in ("org", "name", "version"):
        if not isinstance(package.get(key), str):
            problems.append(f"[package] needs `{key}`")
    distribution = package.get("distribution")
    match = re.fullmatch(r"2201\.(\d+)\.\d+", distribution) if isinstance(distribution, str) else None
    if distribution is not None and (match is None or int(match.group(1)) < 11):
        problems.append(f"distribution `{distribution}`: the package needs Swan Lake 2201.11 or newer")
    dependency = next((d for d in toml.get("dependency", [])
                       if d.get("org") == PACKAGE_ORG and d.get("name") == PACKAGE_NAME), None)
    if dependency is None:
        problems.append(f"no [[dependency]] naming the package {PACKAGE_ORG}/{PACKAGE_NAME}")
    elif version is not None and dependency.get("version") != version:
        problems.append(f"[[dependency]] {PACKAGE_ORG}/{PACKAGE_NAME} version `{dependency.get('version')}`, "
                        f"the package is `{version}`")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, default=DEFAULT_PACKAGE, help="the Ballerina package directory")
    parser.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES,
                        help="the directory of example projects that use the package")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the package's specification")
    parser.add_argument("--externs-json", action="store_true", help="print the @java:Method table as JSON")
    parser.add_argument("--adapters-md", action="store_true", help="print the ADAPTERS.md table")
    args = parser.parse_args(argv)

    module = parse_package(args.package)
    if args.externs_json:
        print(json.dumps(extern_table(module), indent=2))
        return 0
    if args.adapters_md:
        print(adapters_markdown(module), end="")
        return 0
    problems = (check_api(module) + check_externs(module) + check_package_toml(args.package)
                + check_spec(args.spec, module)
                + [p for doc in [args.spec, *sorted(args.package.glob("*.md"))] if doc.is_file()
                   for p in check_doc_samples(doc, module)]
                + check_examples(args.examples, module, package_version(args.package)))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {args.package} and {args.examples}", file=sys.stderr)
        return 1
    print(f"{args.package}: public API matches {args.spec.name} (contract §2, §7, QoS constants); "
          f"{len(extern_table(module))} external functions match the adapter list; "
          f"{len(example_projects(args.examples))} example projects under {args.examples} fit the API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
