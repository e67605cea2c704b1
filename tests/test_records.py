"""authoring.records: its dataclasses answer ==, repr and hash as the standard library's do."""

from __future__ import annotations

import dataclasses
import math

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


@pytest.mark.parametrize(("frozen", "slots"), [(False, False), (True, False), (False, True), (True, True)])
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
