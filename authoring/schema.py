"""JSON Schema of the issue format, generated from the model.

Editors point VS Code's YAML extension at it (``# yaml-language-server: $schema=...``)
to get completion, hover docs and inline errors. Descriptions are the docstrings
under each field in ``authoring/model.py``, so the schema never drifts from the model.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import inspect
import json
import sys
import types
import typing
from functools import cache
from typing import Any, Union

from authoring import blocks, model
from authoring.house import CUSTOMARY_LABELS
from authoring.model import Markdown, Url

SCHEMA_ID = "https://schemas.authoring.dev/issue.schema.json"


@cache
def _field_docs(module: str) -> dict[tuple[str, str], str]:
    """(class name, field name) → the docstring written under the field, for the classes of a
    module (``authoring.model``, or a block type's home in ``authoring.blocks``)."""
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    docs = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for stmt, nxt in zip(body, body[1:], strict=False):
            if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                    and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
                    and isinstance(nxt.value.value, str)):
                docs[(node.name, stmt.target.id)] = inspect.cleandoc(nxt.value.value)
    return docs


class _SchemaBuilder:
    def __init__(self) -> None:
        self.defs: dict[str, dict] = {}

    def type_schema(self, hint: Any) -> dict:
        if hint is model.Story:
            return {"$ref": "#/$defs/Story"}
        origin = typing.get_origin(hint)
        if origin in (Union, types.UnionType):
            options = [a for a in typing.get_args(hint) if a is not type(None)]
            if len(options) == 1:
                inner = self.type_schema(options[0])
                return {"anyOf": [inner, {"type": "null"}]}
        if origin is list:
            (item,) = typing.get_args(hint)
            if item is model.Section:
                return {"type": "array", "items": {"$ref": "#/$defs/Section"}}
            return {"type": "array", "items": self.type_schema(item)}
        if origin is typing.Literal:
            return {"type": "string", "enum": list(typing.get_args(hint))}
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return {"$ref": f"#/$defs/{self.define(hint)}"}
        if hint is Markdown:
            return {"type": "string", "x-format": "markdown"}
        if hint is Url:
            return {"type": "string", "format": "uri-reference"}
        if hint is str:
            return {"type": "string"}
        if hint is int:
            return {"type": "integer"}
        if hint is float:
            return {"type": "number"}
        if hint is dt.date:
            return {"type": "string", "format": "date"}
        raise TypeError(f"no schema for {hint!r}")

    def define(self, cls: type) -> str:
        name = cls.__name__
        if name in self.defs:
            return name
        self.defs[name] = {}  # placeholder against recursion
        docs = _field_docs(cls.__module__)
        hints = typing.get_type_hints(cls)
        properties, required = {}, []
        for f in dataclasses.fields(cls):
            if f.name == "path":
                continue
            prop = self.type_schema(hints[f.name])
            doc = docs.get((name, f.name))
            if doc:
                prop = {**prop, "description": doc} if "$ref" not in prop else {
                    "allOf": [prop], "description": doc}
            properties[f.name] = prop
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                required.append(f.name)
        schema: dict = {"type": "object", "description": inspect.cleandoc(cls.__doc__ or ""),
                        "properties": properties, "additionalProperties": False}
        if required:
            schema["required"] = required
        block = blocks.by_model(cls)
        if block is not None and block.shorthand:  # may be written as a bare string
            schema = {"anyOf": [{"type": "string"}, schema], "description": schema["description"]}
        self.defs[name] = schema
        return name


def issue_schema() -> dict:
    builder = _SchemaBuilder()
    for cls in blocks.kinds().values():
        builder.define(cls)
    builder.defs["Story"] = {
        "description": "One block of the issue, introduced by its type.",
        "oneOf": [
            {"type": "object", "properties": {kind: {"$ref": f"#/$defs/{cls.__name__}"}},
             "required": [kind], "additionalProperties": False}
            for kind, cls in blocks.kinds().items()
        ],
    }
    builder.defs["Section"] = {
        "description": "A labeled paragraph: '- What’s new: text' (or a plain paragraph).",
        "anyOf": [
            {"type": "string"},
            {"type": "object", "minProperties": 1, "maxProperties": 1,
             "propertyNames": {"examples": CUSTOMARY_LABELS},
             "additionalProperties": {"type": "string", "x-format": "markdown"}},
        ],
    }
    root = builder.define(model.Issue)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
              "title": "Newsletter issue", **builder.defs.pop(root)}
    schema["$defs"] = builder.defs
    return schema


def publication_schema() -> dict:
    builder = _SchemaBuilder()
    root = builder.define(model.Publication)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "Publication settings", **builder.defs.pop(root)}
    schema["$defs"] = builder.defs
    return schema


def dumps(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
