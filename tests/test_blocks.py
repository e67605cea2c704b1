"""The block registry: every story type has one home that declares each of its parts."""

from __future__ import annotations

import dataclasses
import inspect

from authoring import blocks, checks, schema, structure
from authoring.paths import templates_dir


def test_every_registered_block_declares_each_part():
    registry = blocks.registry()
    assert list(registry)[:5] == ["header", "news", "promo", "feature", "text"]  # messages list them so
    for key, block in registry.items():
        assert block.key == key
        assert dataclasses.is_dataclass(block.model) and "path" in {f.name for f in dataclasses.fields(
            block.model)}, key
        assert (templates_dir() / "email" / f"{block.partial}.mjml.j2").is_file(), key
        for part in (block.text, block.emit, block.fields, block.links, block.summary):
            assert callable(part), (key, part)
        assert block.checks, f"{key} declares no checks"
        for name, block_check in block.checks.items():
            assert callable(block_check), (key, name)
        if block.shorthand is not None:
            assert block.shorthand in {f.name for f in dataclasses.fields(block.model)}, key
        assert blocks.of(block.model.__new__(block.model)) is block


def test_every_story_key_the_schema_knows_is_registered():
    story = schema.issue_schema()["$defs"]["Story"]["oneOf"]
    keys = {key for option in story for key in option["properties"]}
    assert keys == set(blocks.registry())
    assert len(story) == len(blocks.registry())


def test_block_checks_run_under_names_the_checks_module_knows_or_after_them():
    names = {name for block in blocks.registry().values() for name in block.checks}
    assert {"labels", "headlines", "empty"} <= names
    assert "block-checks" in checks.REGISTRY.checks


def test_the_stages_never_test_a_story_class():
    """No isinstance chains over block types: the stages ask the registry."""
    from authoring.importer import emit
    from authoring.render import html, text

    classes = [block.model.__name__ for block in blocks.registry().values()]
    for module in (checks, html, text, emit, schema, structure):
        source = inspect.getsource(module)
        for name in classes:
            assert f"isinstance(story, model.{name}" not in source, (module.__name__, name)
            assert f"model.{name}:" not in source, (module.__name__, name)
