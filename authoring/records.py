"""``dataclass``: the standard library's, with ``__eq__``, ``__repr__`` and a frozen class's
``__hash__`` shared by every class instead of written and compiled for each.

``dataclasses`` writes each of a class's methods as Python source and compiles it: for the 40-odd
classes a cold ``authoring validate`` or ``render`` defines, parsing and compiling that source is
a tenth of the process (about 20 ms on this machine), and ``__eq__`` and ``__repr__`` are half of
it. Here they are functions written once, each given the class's field names: they answer what
the generated ones answer (the same fields compared as a tuple, in order, ``NotImplemented`` for
another class; the same text, ``...`` for a recursive repr; unhashable unless frozen, then the
hash of the compared fields), so that nothing but ``__dataclass_params__`` tells them apart.
``__init__`` (and a frozen class's ``__setattr__``) stay the standard library's.
tests/test_records.py holds each method to what ``dataclasses.dataclass`` makes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from reprlib import recursive_repr
from typing import Any, TypeVar, cast, dataclass_transform, overload

_Class = TypeVar("_Class", bound=type)


@overload
def dataclass(cls: _Class, /) -> _Class: ...


@overload
def dataclass(*, frozen: bool = False, slots: bool = False) -> Callable[[_Class], _Class]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def dataclass(cls: _Class | None = None, /, *, frozen: bool = False,
              slots: bool = False) -> _Class | Callable[[_Class], _Class]:
    """``dataclasses.dataclass(cls, frozen=frozen, slots=slots)``, its equality, repr and hash
    shared (see the module)."""

    def wrap(cls: _Class) -> _Class:
        own = cls.__dict__
        # what dataclasses leaves alone: methods the class body defines, a __hash__ it sets
        keep_eq, keep_repr = "__eq__" in own, "__repr__" in own
        explicit_hash = own.get("__hash__", dataclasses.MISSING)
        has_explicit_hash = not (explicit_hash is dataclasses.MISSING
                                 or (explicit_hash is None and keep_eq))
        made: Any = dataclasses.dataclass(eq=False, repr=False, frozen=frozen, slots=slots)(cls)
        fields = dataclasses.fields(made)
        if not keep_repr:
            _set_method(made, "__repr__", _repr([field.name for field in fields if field.repr]))
        if not keep_eq:
            _set_method(made, "__eq__", _eq([field.name for field in fields if field.compare]))
        if not has_explicit_hash:
            if frozen:
                hashed = [field.name for field in fields
                          if field.hash or (field.hash is None and field.compare)]
                _set_method(made, "__hash__", _hash(hashed))
            else:
                made.__hash__ = None  # as dataclasses does: mutable, so unhashable
        return cast(_Class, made)

    return wrap if cls is None else wrap(cls)


def _set_method(cls: type, name: str, method: Callable[..., Any]) -> None:
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, method)


def _values(names: list[str]) -> Callable[[object], tuple[Any, ...]]:
    """The tuple ``(obj.a, obj.b, ...)`` of those fields, as the generated methods build it."""
    return lambda obj: tuple([getattr(obj, name) for name in names])


def _eq(names: list[str]) -> Callable[[object, object], Any]:
    values = _values(names)

    def __eq__(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _repr(names: list[str]) -> Callable[[object], str]:
    @recursive_repr()
    def __repr__(self: object) -> str:
        shown = ", ".join([f"{name}={getattr(self, name)!r}" for name in names])
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _hash(names: list[str]) -> Callable[[object], int]:
    values = _values(names)

    def __hash__(self: object) -> int:
        return hash(values(self))

    return __hash__
