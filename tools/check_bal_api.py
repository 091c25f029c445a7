#!/usr/bin/env python3
"""Checks the Ballerina sources of ballerina/mqtt against the contract.

No Ballerina toolchain runs on these machines, so this script reads the `.bal`
sources itself (a small tolerant tokenizer and parser: records, enums,
constants, type definitions, classes and their methods, `@java:Method`
annotations) and compares the public API with contract §2 (plus the optional
§7 additions), transcribed below as data.

Usage:
    python3 tools/check_bal_api.py [--package DIR]        # check; exit 1 on a mismatch
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
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACKAGE = REPO_ROOT / "ballerina"
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

EXPECTED_CONSTANTS = {"DEFAULT_URL": '"tcp://localhost:1883"'}

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
class Module:
    types: dict[str, TypeDef] = field(default_factory=dict)
    enums: dict[str, tuple[bool, list[str]]] = field(default_factory=dict)
    constants: dict[str, tuple[bool, str]] = field(default_factory=dict)
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
    def __init__(self, tokens: list[Token], file: str, module: Module):
        self.toks = tokens
        self.i = 0
        self.file = file
        self.module = module

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
        annotations = self.parse_annotations()
        quals: list[str] = []
        while self.peek() in ("public", "private", "isolated", "client", "readonly", "distinct",
                              "service", "final", "transactional"):
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
            self.module.constants[name] = ("public" in quals, _join(tokens[eq + 1:]))
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


def parse_package(package_dir: Path) -> Module:
    module = Module()
    sources = sorted(p for p in package_dir.glob("*.bal"))
    if not sources:
        module.problems.append(f"no .bal sources in {package_dir}")
    for path in sources:
        Parser(tokenize(path.read_text(encoding="utf-8")), path.name, module).parse()
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

    for name, value in EXPECTED_CONSTANTS.items():
        actual = module.constants.get(name)
        if actual is None:
            problems.append(f"constant {name}: missing")
        elif not actual[0] or actual[1] != value:
            problems.append(f"constant {name}: expected public value {value}, found {actual}")

    known_public = (set(expected_records) | set(EXPECTED_ENUMS) | set(EXPECTED_TYPES)
                    | set(EXPECTED_CONSTANTS) | set(EXPECTED_CLASSES))
    for kind, table in (("type", module.types), ("enum", module.enums), ("constant", module.constants)):
        for name, value in table.items():
            public = value.public if isinstance(value, TypeDef) else value[0]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, default=DEFAULT_PACKAGE, help="the Ballerina package directory")
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
    problems = check_api(module) + check_externs(module)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {args.package}", file=sys.stderr)
        return 1
    print(f"{args.package}: public API matches contract §2 (+§7); "
          f"{len(extern_table(module))} external functions match the adapter list")
    return 0


if __name__ == "__main__":
    sys.exit(main())
