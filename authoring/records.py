"""``dataclass``: the standard library's, made without compiling Python source at every start.

``dataclasses`` writes each of a class's methods as Python source and compiles it: for the 40-odd
classes a cold ``authoring validate`` or ``render`` defines, building and compiling that source
was a fifth of the process's instructions above its dependencies. Here:

- ``__eq__``, ``__repr__`` and a frozen class's ``__hash__``, ``__setattr__`` and ``__delattr__``
  are functions written once, each given the class's field names. They answer what the
  generated ones answer (the same fields compared as a tuple, in order, ``NotImplemented`` for
  another class; the same text, ``...`` for a recursive repr; unhashable unless frozen, then the
  hash of the compared fields; ``FrozenInstanceError`` on assigning or deleting a field).
- ``__init__`` is the very source ``dataclasses`` writes (same parameters, annotations, defaults,
  factories, frozen assignments), compiled once and then kept, as Python keeps a module's
  bytecode: the code objects are saved in the user's cache folder (``authoring.cachedir.
  user_cache_folder``, trusted as the compiled templates are), keyed by the whole source, so a
  changed class is compiled anew. No usable cache only means compiling, as ``dataclasses`` does.

Only ``__dataclass_params__`` tells these classes from the standard library's (``init``, ``eq``,
``repr`` and ``frozen`` read False there: dataclasses' check that a frozen class is not
subclassed by a mutable one does not see them). tests/test_records.py holds each method to
dataclasses' own.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import marshal
import os
import sys
from collections.abc import Callable
from importlib.util import MAGIC_NUMBER
from reprlib import recursive_repr
from types import CodeType
from typing import TYPE_CHECKING, Any, TypeVar, cast, dataclass_transform, overload

from authoring.cachedir import user_cache_folder

if TYPE_CHECKING:
    from pathlib import Path

_Class = TypeVar("_Class", bound=type)

_FACTORY = getattr(dataclasses, "_HAS_DEFAULT_FACTORY", None)
"""The default a factory's parameter shows (``<factory>``): dataclasses' own marker."""


@overload
def dataclass(cls: _Class, /) -> _Class: ...


@overload
def dataclass(*, frozen: bool = False, slots: bool = False) -> Callable[[_Class], _Class]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def dataclass(cls: _Class | None = None, /, *, frozen: bool = False,
              slots: bool = False) -> _Class | Callable[[_Class], _Class]:
    """``dataclasses.dataclass(cls, frozen=frozen, slots=slots)``, its methods made as the
    module says."""

    def wrap(cls: _Class) -> _Class:
        own = cls.__dict__
        # what dataclasses leaves alone: methods the class body defines, a __hash__ it sets
        keep_init, keep_eq, keep_repr = "__init__" in own, "__eq__" in own, "__repr__" in own
        explicit_hash = own.get("__hash__", dataclasses.MISSING)
        has_explicit_hash = not (explicit_hash is dataclasses.MISSING
                                 or (explicit_hash is None and keep_eq))
        if frozen:
            if slots:
                raise TypeError(f"{cls.__qualname__}: records.dataclass makes no frozen class with slots")
            for name in ("__setattr__", "__delattr__"):
                if name in own:
                    raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
        undocumented = not cls.__doc__
        if undocumented:  # documented below, once it has its __init__ (dataclasses would now)
            cls.__doc__ = "-"
        made: Any = dataclasses.dataclass(init=False, eq=False, repr=False, slots=slots)(cls)
        fields = dataclasses.fields(made)
        if frozen:
            names = tuple(field.name for field in fields)
            _set_method(made, "__setattr__", _frozen_setattr(made, names))
            _set_method(made, "__delattr__", _frozen_delattr(made, names))
        if not keep_init:
            _set_method(made, "__init__", _init(made, fields, frozen))
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
        if undocumented:
            made.__doc__ = made.__name__ + _signature_text(made)
        return cast(_Class, made)

    return wrap if cls is None else wrap(cls)


def _signature_text(cls: type) -> str:
    """What dataclasses documents a class without a docstring by (``Name(a: int, b: str = 'x')``)."""
    import inspect  # only for an undocumented class: its signature is costly to make

    try:
        return str(inspect.signature(cls)).replace(" -> None", "")
    except (TypeError, ValueError):
        return ""


def _set_method(cls: type, name: str, method: Callable[..., Any]) -> None:
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, method)


# ---------------------------------------------------------------- __init__, compiled once


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...], frozen: bool) -> Callable[..., None]:
    """The ``__init__`` dataclasses makes (Python 3.11's ``_init_fn`` for fields without
    ``init=False``, ``kw_only`` or ``InitVar``, which no class here uses): the same source, so the
    same function, its code compiled at most once per cache."""
    if any(not field.init or field.kw_only is True for field in fields):
        raise TypeError(f"{cls.__qualname__}: records.dataclass makes no init=False or kw_only field")
    seen_default = False
    for field in fields:
        if field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {field.name!r} follows default argument")
    self_name = "__dataclass_self__" if "self" in {field.name for field in fields} else "self"
    names: dict[str, Any] = {f"_type_{field.name}": field.type for field in fields}
    names.update({"MISSING": dataclasses.MISSING, "_HAS_DEFAULT_FACTORY": _FACTORY,
                  "__dataclass_builtins_object__": object})
    parameters, body = [], []
    for field in fields:
        default, value = "", field.name
        if field.default_factory is not dataclasses.MISSING:
            names[f"_dflt_{field.name}"] = field.default_factory
            default = "=_HAS_DEFAULT_FACTORY"
            value = f"_dflt_{field.name}() if {field.name} is _HAS_DEFAULT_FACTORY else {field.name}"
        elif field.default is not dataclasses.MISSING:
            names[f"_dflt_{field.name}"] = field.default
            default = f"=_dflt_{field.name}"
        parameters.append(f"{field.name}:_type_{field.name}{default}")
        body.append(f"__dataclass_builtins_object__.__setattr__({self_name},{field.name!r},{value})"
                    if frozen else f"{self_name}.{field.name}={value}")
    names["_return_type"] = None
    lines = "\n".join(f"  {line}" for line in body or ["pass"])
    source = (f"def __create_fn__({', '.join(names)}):\n"
              f" def __init__({','.join([self_name, *parameters])})->_return_type:\n{lines}\n"
              " return __init__")
    space: dict[str, Any] = {}
    module = sys.modules.get(cls.__module__)
    exec(_compiled(source), module.__dict__ if module else {}, space)
    return cast(Callable[..., None], space["__create_fn__"](**names))


_codes: dict[str, CodeType] | None = None
"""Source → its code: what the cache file held, and what this process compiled."""
_compiled_here: dict[str, CodeType] = {}
"""What this process compiled: saved to the cache file at exit."""


def _compiled(source: str) -> CodeType:
    global _codes
    if _codes is None:
        _codes = _read_cache()
    code = _codes.get(source)
    if code is None:
        # compiled as dataclasses' exec compiles it: without this module's __future__ import
        code = compile(source, "<string>", "exec", dont_inherit=True)
        _codes[source] = _compiled_here[source] = code
        if len(_compiled_here) == 1:
            atexit.register(_save_cache)
    return code


def _cache_file() -> Path | None:
    folder = user_cache_folder("records")
    return None if folder is None else folder / f"init-{sys.implementation.cache_tag}.marshal"


def _read_cache() -> dict[str, CodeType]:
    """The cache file's code by source; empty when there is none, it is another Python's or damaged."""
    file = _cache_file()
    try:
        data = file.read_bytes() if file is not None else b""
        loaded = marshal.loads(data[len(MAGIC_NUMBER):]) if data.startswith(MAGIC_NUMBER) else {}
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {source: code for source, code in loaded.items()
            if isinstance(source, str) and isinstance(code, CodeType)}


def _save_cache() -> None:
    """The cache file with what this process compiled added (written whole, then renamed: a
    reader never sees half of it; of two processes saving at once, one's additions win)."""
    file = _cache_file()
    if file is None:
        return
    codes = {**_read_cache(), **_compiled_here}
    partial = file.with_name(f".{file.name}.{os.getpid()}")
    try:
        partial.write_bytes(MAGIC_NUMBER + marshal.dumps(codes))
        os.replace(partial, file)
    except OSError:
        with contextlib.suppress(OSError):  # at exit: no traceback for a cache not written
            partial.unlink(missing_ok=True)


# ---------------------------------------------------------------- __eq__, __repr__, __hash__


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


def _frozen_setattr(cls: type, names: tuple[str, ...]) -> Callable[[object, str, Any], None]:
    def __setattr__(self: object, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    return __setattr__


def _frozen_delattr(cls: type, names: tuple[str, ...]) -> Callable[[object, str], None]:
    def __delattr__(self: object, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    return __delattr__


def _hash(names: list[str]) -> Callable[[object], int]:
    values = _values(names)

    def __hash__(self: object) -> int:
        return hash(values(self))

    return __hash__
