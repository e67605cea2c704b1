"""authoring.records: its dataclasses answer ==, repr and hash as the standard library's do."""

from __future__ import annotations

import dataclasses
import importlib.util
import marshal
import math
import sys

import pytest

from authoring import model, records


def _pair(frozen: bool = False, slots: bool = False):
    """The same class made by dataclasses and by records."""

    def declare(decorator):
        @decorator
        class Point:
            """A point."""

            x: float
            y: float = 0.0
            label: str = dataclasses.field(default="", compare=False)
            note: str = dataclasses.field(default="", repr=False)
            tags: list[str] = dataclasses.field(default_factory=list, hash=False)

        return Point

    return (declare(dataclasses.dataclass(frozen=frozen, slots=slots)),
            declare(records.dataclass(frozen=frozen, slots=slots)))


VALUES = [(1.0,), (1.0, 2.0), (1.0, 2.0, "a"), (1.0, 2.0, "b"), (1.0, 2.0, "a", "n"), (2.0,),
          (math.nan,), (1.0, 2.0, "", "", ["t"])]


@pytest.mark.parametrize(("frozen", "slots"), [(False, False), (True, False), (False, True)])
def test_equality_repr_and_hash_are_the_standard_librarys(frozen, slots):
    theirs, ours = _pair(frozen, slots)
    for a in VALUES:
        for b in VALUES:
            assert (ours(*a) == ours(*b)) == (theirs(*a) == theirs(*b)), (a, b)
            assert (ours(*a) != ours(*b)) == (theirs(*a) != theirs(*b)), (a, b)
        assert repr(ours(*a)) == repr(theirs(*a))
        if frozen:  # tags, a list, is left out of the hash (hash=False)
            assert hash(ours(*a)) == hash(theirs(*a))
    one, other = float("nan"), float("nan")
    for made in (ours, theirs):  # the same NaN object is equal to itself in a tuple, another is not
        assert made(one) == made(one) and made(one) != made(other)
    assert ours(1.0) != theirs(1.0) and ours(1.0).__eq__(theirs(1.0)) is NotImplemented
    assert ours(1.0) != (1.0, 0.0)
    if frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            ours(1.0).x = 2.0  # type: ignore[misc]
        assert hash(ours(1.0, 2.0, "a")) == hash(ours(1.0, 2.0, "b"))  # label not compared, not hashed
    else:
        with pytest.raises(TypeError, match="unhashable"):
            hash(ours(1.0))
    assert ours.__repr__.__qualname__ == theirs.__repr__.__qualname__
    assert ours.__repr__.__qualname__.endswith("<locals>.Point.__repr__")
    assert ours.__eq__.__qualname__ == theirs.__eq__.__qualname__


def test_a_frozen_class_with_slots_is_refused():
    with pytest.raises(TypeError, match="no frozen class with slots"):
        _pair(frozen=True, slots=True)


def test_a_subclass_compares_as_not_the_same_class():
    _, ours = _pair()

    class Sub(ours):  # type: ignore[misc,valid-type]
        pass

    assert ours(1.0) != Sub(1.0) and Sub(1.0) == Sub(1.0)
    assert repr(Sub(1.0)) == "test_a_subclass_compares_as_not_the_same_class.<locals>.Sub(x=1.0, y=0.0, " \
                             "label='', tags=[])"


def test_a_recursive_repr_shows_dots():
    @records.dataclass
    class Node:
        child: object = None

    node = Node()
    node.child = [node]
    assert repr(node) == "test_a_recursive_repr_shows_dots.<locals>.Node(child=[...])"


@pytest.mark.parametrize("frozen", [False, True])
def test_methods_the_class_body_defines_are_kept_and_the_hash_follows_as_the_standard_librarys(frozen):
    def declare(decorator, body: str):
        space: dict = {}
        exec(f"class Named:\n    name: str\n{body}", space)  # the same body for both decorators
        return decorator(frozen=frozen)(space["Named"])

    bodies = ["    def __eq__(self, other): return True\n",
              "    def __repr__(self): return 'named'\n",
              "    def __eq__(self, other): return True\n    __hash__ = object.__hash__\n",
              "    __hash__ = None\n",
              "    pass\n"]
    for body in bodies:
        theirs, ours = declare(dataclasses.dataclass, body), declare(records.dataclass, body)
        assert (ours("a") == ours("b")) == (theirs("a") == theirs("b")), body
        assert repr(ours("a")).split(".")[-1] == repr(theirs("a")).split(".")[-1], body
        assert (ours.__hash__ is None) == (theirs.__hash__ is None), body
        if theirs.__hash__ is not None and theirs.__hash__ is not object.__hash__:
            assert hash(ours("a")) == hash(theirs("a")) == hash(("a",)), body
        assert (ours.__hash__ is object.__hash__) == (theirs.__hash__ is object.__hash__), body


def test_the_model_is_made_by_records_and_compares_by_value():
    image = model.Image(alt="a", src=model.Url("x.png"), path=("letter",))
    assert image == model.Image(alt="a", src=model.Url("x.png"))  # path is not compared
    assert repr(image) == "Image(alt='a', src='x.png', href=None, width=None)"
    assert model.Image.__dataclass_params__.eq is False  # the shared method, not a generated one
    with pytest.raises(TypeError):
        hash(image)


# ---------------------------------------------------------------- __init__, __doc__ and frozen


def _declare_both(body: str, frozen: bool = False):
    """The class ``body`` (the lines after ``class Named:``) made by dataclasses and by records."""
    made = []
    for decorator in (dataclasses.dataclass(frozen=frozen), records.dataclass(frozen=frozen)):
        space: dict = {"dataclasses": dataclasses}
        exec(f"class Named:\n{body}", space)
        made.append(decorator(space["Named"]))
    return made


FIELDS = ("    a: int\n    b: str = 'x'\n    c: list = dataclasses.field(default_factory=list)\n"
          "    d: 'Later' = None\n")


@pytest.mark.parametrize("frozen", [False, True])
def test_init_signature_defaults_factories_and_doc_are_the_standard_librarys(frozen):
    import inspect

    theirs, ours = _declare_both(FIELDS, frozen)
    assert inspect.signature(ours) == inspect.signature(theirs)
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))
    assert "b: 'str' = 'x', c: 'list' = <factory>" in str(inspect.signature(ours))  # (annotations: text here)
    assert ours.__init__.__annotations__ == theirs.__init__.__annotations__
    assert ours.__init__.__qualname__ == theirs.__init__.__qualname__ == "Named.__init__"
    assert ours.__doc__ == theirs.__doc__ and ours.__doc__.startswith("Named(a: 'int', b: 'str' = 'x'")
    one, two = ours(1), ours(1)
    assert (one.a, one.b, one.c, one.d) == (1, "x", [], None) and one.c is not two.c  # a new list each
    given = [1]
    assert ours(1, "y", given, 2).c is given
    for args, kwargs in [((), {}), ((1, 2, 3, 4, 5), {}), ((1,), {"e": 1}), ((1,), {"a": 2})]:
        with pytest.raises(TypeError) as theirs_error:
            theirs(*args, **kwargs)
        with pytest.raises(TypeError) as ours_error:
            ours(*args, **kwargs)
        assert str(ours_error.value) == str(theirs_error.value)
    if frozen:
        for made in (ours, theirs):
            with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'a'"):
                made(1).a = 2
            with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'z'"):
                made(1).z = 2  # not a field: still the class's own instance
            with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'b'"):
                del made(1).b
    else:
        one.a = 5
        assert one.a == 5


def test_a_field_named_self_and_the_wrong_order_are_answered_as_dataclasses_does():
    theirs, ours = _declare_both("    self: int\n    other: int = 0\n")
    assert ours(self=1).self == theirs(self=1).self == 1
    for decorator in (dataclasses.dataclass, records.dataclass):
        with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
            decorator(type("Bad", (), {"__annotations__": {"a": int, "b": int}, "a": 0}))


def test_a_subclass_of_a_frozen_record_is_frozen_for_its_own_fields_only():
    _, ours = _pair(frozen=True)

    class Sub(ours):  # type: ignore[misc,valid-type]
        pass

    sub = Sub(1.0)
    sub.extra = 1  # type(self) is not the class, and "extra" is no field: as dataclasses allows
    with pytest.raises(dataclasses.FrozenInstanceError):
        sub.x = 2.0


# ---------------------------------------------------------------- the cache of compiled __init__ code


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(records, "_codes", None)
    monkeypatch.setattr(records, "_compiled_here", {})
    return tmp_path / "cache" / "authoring" / "records"


def _compiles(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = compile
    monkeypatch.setattr("builtins.compile",
                        lambda source, *a, **k: seen.append(source) or real(source, *a, **k))
    return seen


def _fresh_process(monkeypatch) -> None:
    """What a new process starts with: nothing read or compiled yet."""
    monkeypatch.setattr(records, "_codes", None)
    monkeypatch.setattr(records, "_compiled_here", {})


def test_init_code_is_compiled_once_then_read_from_the_cache(fresh_cache, monkeypatch):
    seen = _compiles(monkeypatch)
    _pair()
    assert len(seen) == 1 and "def __init__(self,x:_type_x,y:_type_y=_dflt_y," in seen[0]
    records._save_cache()
    (saved,) = fresh_cache.iterdir()
    assert saved.name == f"init-{sys.implementation.cache_tag}.marshal"
    _fresh_process(monkeypatch)
    seen.clear()
    _, ours = _pair()
    assert seen == [] and ours(1.0).y == 0.0  # from the cache, working
    _fresh_process(monkeypatch)

    @records.dataclass
    class Point:  # another field: another source, compiled
        x: float
        z: float = 1.0

    assert len(seen) == 1 and Point(1.0).z == 1.0


@pytest.mark.parametrize("damage", [b"", b"garbage", importlib.util.MAGIC_NUMBER + b"\x00\x01",
                                    b"\x00\x00\x00\x00" + marshal.dumps({}),
                                    importlib.util.MAGIC_NUMBER + marshal.dumps(["not", "a", "dict"]),
                                    importlib.util.MAGIC_NUMBER + marshal.dumps({"source": "not code"})])
def test_a_damaged_or_foreign_cache_file_is_compiled_anew(fresh_cache, monkeypatch, damage):
    _pair()
    records._save_cache()
    (saved,) = fresh_cache.iterdir()
    saved.write_bytes(damage)
    _fresh_process(monkeypatch)
    seen = _compiles(monkeypatch)
    _, ours = _pair()
    assert len(seen) == 1 and ours(2.0).x == 2.0


def test_without_a_trusted_cache_folder_nothing_is_read_or_written(fresh_cache, monkeypatch):
    fresh_cache.parent.parent.mkdir(parents=True)
    fresh_cache.parent.mkdir(mode=0o777)
    fresh_cache.parent.chmod(0o777)  # another user could plant code there: not used
    fresh_cache.mkdir()
    planted = fresh_cache / f"init-{sys.implementation.cache_tag}.marshal"
    planted.write_bytes(importlib.util.MAGIC_NUMBER + marshal.dumps({}))
    before = planted.read_bytes()
    seen = _compiles(monkeypatch)
    _pair()
    records._save_cache()
    assert len(seen) == 1 and planted.read_bytes() == before


def test_a_cache_file_that_cannot_be_written_is_left_without_an_error(fresh_cache, monkeypatch):
    _pair()
    fresh_cache.mkdir(parents=True, exist_ok=True)
    (fresh_cache / f"init-{sys.implementation.cache_tag}.marshal").mkdir()  # in the way
    records._save_cache()  # at exit: would print a traceback if it raised
    name = f"init-{sys.implementation.cache_tag}.marshal"
    assert [path.name for path in fresh_cache.iterdir()] == [name]  # no partial file left
