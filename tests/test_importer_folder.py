"""The importer's file stage (authoring.importer.folder): a folder of texts imported, each file
written or refused on its own, and the summary saying which and why."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from authoring.cli import app
from authoring.importer.folder import import_folder, text_files
from conftest import SEEDS, tracked

SEED_FILES = tracked(SEEDS, "*.txt")


def _run(*args):
    return CliRunner().invoke(app, ["import", *map(str, args)])


def _rows(stdout: str) -> dict[str, list[str]]:
    """The summary table's rows after its header and rule: file name → its other cells."""
    return {line.split()[0].rsplit("/", 1)[-1]: line.split()[1:] for line in stdout.splitlines()[2:]}


def _archive(tmp_path, *names):
    folder = tmp_path / "archive"
    folder.mkdir()
    for name, seed in zip(names, SEED_FILES, strict=False):
        shutil.copy(seed, folder / name)
    return folder


def test_a_folder_is_imported_into_an_output_folder_made_with_its_parents(tmp_path):
    archive = _archive(tmp_path, "a.txt", "b.txt")
    out = tmp_path / "not" / "yet" / "there"
    result = _run(archive, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml"]
    assert "2 of 2 imported into" in result.stderr


def test_existing_outputs_are_refused_one_by_one_and_overwritten_only_with_force(tmp_path):
    archive = _archive(tmp_path, "a.txt", "b.txt")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("mine\n")
    result = _run(archive, "-o", out, "-q")
    assert result.exit_code == 1
    rows = _rows(result.stdout)
    assert rows["a.txt"] == ["-", "exists", "(use", "--force)"]
    assert rows["b.txt"][0].isdigit()  # the other file is imported all the same
    assert (out / "a.yaml").read_text() == "mine\n"
    assert "1 of 2 imported into" in result.stderr
    again = _run(archive, "-o", out, "-q", "--force")
    assert again.exit_code == 0 and "2 of 2 imported" in again.stderr
    assert (out / "a.yaml").read_text().startswith("# Imported from ")


def test_a_file_that_cannot_be_imported_is_named_with_its_error_and_the_others_are_written(tmp_path):
    archive = _archive(tmp_path, "good.txt")
    (archive / "latin.txt").write_bytes("Dear friends,\n\nCaf\xe9 au lait.\n".encode("latin-1"))
    out = tmp_path / "out"
    result = _run(archive, "-o", out, "-q")
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if "latin.txt" in line)
    assert row.split(None, 2)[1:] == ["-", f"error: {archive / 'latin.txt'}:3: not UTF-8 text"]
    assert sorted(p.name for p in out.iterdir()) == ["good.yaml"]
    assert "1 of 2 imported into" in result.stderr


def test_the_library_refuses_an_existing_output_unless_told_to_overwrite(tmp_path):
    archive = _archive(tmp_path, "a.txt")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("mine\n")
    done = import_folder(text_files(archive), out, publication=None)
    assert [o.problem for o in done.outcomes] == ["exists (use --force)"] and done.failed == 1
    assert (out / "a.yaml").read_text() == "mine\n"
    forced = import_folder(text_files(archive), out, publication=None, force=True)
    assert forced.failed == 0 and (out / "a.yaml").read_text().startswith("# Imported from ")
