"""Run folders on disk: safe names, a rename that never replaces, a folder reserved before
and claimed after, temporary folders of dead writers cleaned up, damaged files named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.results import store
from sim.results.store import PendingFolder, RunFolderError


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("baseline", "baseline"),
        ("..", "run"),
        (".hidden", "hidden"),
        ("../../etc/x", "etc-x"),
        ("a b\tc\n", "a-b-c"),
        ("-rf", "rf"),
        ("a..b", "a.b"),
        ("怀化 陆港", "怀化-陆港"),
        ("", "run"),
    ],
)
def test_any_text_gives_a_visible_single_component_stem(text, stem):
    assert store.safe_stem(text) == stem


def test_a_long_name_is_cut_on_a_character_boundary():
    stem = store.safe_stem("怀" * 100)
    assert len(stem.encode()) <= store.STEM_BYTES
    assert stem == "怀" * (store.STEM_BYTES // 3)


@pytest.mark.parametrize("native", [True, False])
def test_rename_noreplace_never_replaces_a_folder_a_file_or_an_empty_folder(
    tmp_path, monkeypatch, native
):
    if not native:  # the mkdir-then-rename way, where renameat2 is missing
        monkeypatch.setattr(store, "_renameat2", None)
    src = tmp_path / "src"
    src.mkdir()
    (src / "x").write_text("new")
    for existing in ("empty", "full", "file"):
        dst = tmp_path / existing
        if existing == "file":
            dst.write_text("old")
        else:
            dst.mkdir()
            if existing == "full":
                (dst / "x").write_text("old")
        with pytest.raises(FileExistsError):
            store.rename_noreplace(src, dst)
        assert (src / "x").read_text() == "new"
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == []
    store.rename_noreplace(src, tmp_path / "free")
    assert (tmp_path / "free" / "x").read_text() == "new"
    assert not src.exists()


def test_a_reserved_folder_is_claimed_under_the_next_free_name_if_taken_meanwhile(tmp_path):
    dest = tmp_path / "run"
    first, second = PendingFolder.reserve(dest), PendingFolder.reserve(tmp_path / "other")
    second.dest = dest  # two writers aiming at one name
    for n, pending in enumerate((first, second)):
        (pending.tmp / "kpis.json").write_text(str(n))

    def finish(tmp: Path, final: Path) -> None:
        (tmp / "manifest.json").write_text(final.name)

    assert first.commit(finish) == dest
    assert second.commit(finish) == tmp_path / "run-2"
    assert (dest / "kpis.json").read_text() == "0"
    assert (tmp_path / "run-2" / "kpis.json").read_text() == "1"
    assert (tmp_path / "run-2" / "manifest.json").read_text() == "run-2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "run-2"]  # no lock, no temp


def test_an_existing_destination_is_refused_and_an_exact_claim_never_takes_another_name(
    tmp_path,
):
    (tmp_path / "run").mkdir()
    with pytest.raises(FileExistsError, match="never overwritten"):
        PendingFolder.reserve(tmp_path / "run")
    pending = PendingFolder.reserve(tmp_path / "new")
    (tmp_path / "new").mkdir()  # appears while it is written
    with pytest.raises(RunFolderError, match="appeared while writing"):
        pending.commit(exact=True)
    pending.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "run"]


def test_a_failed_fill_leaves_nothing_and_an_os_error_is_one_run_folder_error(tmp_path):
    def fill(tmp: Path) -> None:
        (tmp / "half").write_text("…")
        raise OSError(28, "No space left on device")

    with pytest.raises(RunFolderError) as caught:
        store.atomic_folder(tmp_path / "run", fill)
    assert str(caught.value) == f"{tmp_path / 'run'}: cannot write (No space left on device)"
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_folder_of_a_killed_writer_is_removed_by_the_next_and_a_live_one_kept(
    tmp_path,
):
    if store.fcntl is None:
        pytest.skip("no file locks on this system")
    unproven = tmp_path / ".other.tmp-0123abcd"  # no lock file: not known to be abandoned
    unproven.mkdir()
    script = (
        "import os, sys; from sim.results.store import PendingFolder; "
        "PendingFolder.reserve(sys.argv[1]); os._exit(0)"  # dies holding its folder
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "dead")], check=True)
    assert len(list(tmp_path.glob(".dead.tmp-*"))) == 1

    live = PendingFolder.reserve(tmp_path / "live")  # the next writer in the same folder
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.tmp.name, unproven.name])
    assert store.remove_abandoned(tmp_path) == []  # its writer is alive
    live.discard()
    assert [p.name for p in tmp_path.iterdir()] == [unproven.name]


def test_writing_names_the_folder_and_gives_pyarrow_disk_errors_their_meaning(tmp_path):
    full = r"/x: cannot write \(No space left on device\)$"
    with pytest.raises(RunFolderError, match=full), store.writing(tmp_path / "x"):
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left")
    with pytest.raises(RunFolderError, match="Read-only file system"), store.writing(tmp_path):
        raise OSError(30, os.strerror(30))
