"""A full disk or a read-only file system: one readable line naming the path and the real cause,
no temp files left, the previous snapshot kept."""

from __future__ import annotations

import errno
import os
import subprocess

import duckdb
import pandas as pd
import pytest

from transforms.errors import WarehouseError
from warehouse import connect, publish_snapshot
from warehouse.db import SNAPSHOT_NAME, WAREHOUSE_NAME, replace_table
from warehouse.diskerrors import describe_message, describe_os_error


def _warehouse(folder, rows=10):
    path = folder / WAREHOUSE_NAME
    with connect(path) as con:
        con.execute("CREATE TABLE IF NOT EXISTS notes (n BIGINT, text VARCHAR)")
        replace_table(con, "notes", pd.DataFrame({"n": range(rows), "text": [f"regel {i} " * 20 for i in range(rows)]}))
    return path


def test_messages_name_the_real_cause(tmp_path):
    target = tmp_path / "snapshot.duckdb"
    assert describe_os_error(OSError(errno.ENOSPC, "No space left on device"), target).startswith(
        f"the disk is full: cannot write {target}")
    assert "mounted read-only" in describe_os_error(OSError(errno.EROFS, "Read-only file system"), target)
    assert "permissions" in describe_os_error(OSError(errno.EACCES, "Permission denied"), target)
    duck = 'IO Error: Cannot open file "/data/warehouse.duckdb": Read-only file system'
    assert describe_message(duck) == ("cannot write /data/warehouse.duckdb: the file system is mounted read-only; "
                                      "point data_dir to a writable folder")
    assert "in use by another aigrip process" in describe_message(
        'IO Error: Could not set lock on file "/d/w.duckdb": Conflicting lock is held in python (PID 12)')
    assert describe_message("Binder Error: column x not found") is None


def test_failed_publish_leaves_no_temp_files_and_keeps_the_old_snapshot(tmp_path, monkeypatch):
    path = _warehouse(tmp_path)
    publish_snapshot(path)
    before = (tmp_path / SNAPSHOT_NAME).read_bytes()
    real_replace = os.replace

    def disk_full(src, dst):
        if str(dst).endswith(SNAPSHOT_NAME):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(WarehouseError) as err:
        publish_snapshot(path)
    message = str(err.value)
    assert message.startswith(f"the disk is full: cannot publish the snapshot {tmp_path / SNAPSHOT_NAME}")
    assert "\n" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [SNAPSHOT_NAME, WAREHOUSE_NAME]
    assert (tmp_path / SNAPSHOT_NAME).read_bytes() == before


@pytest.fixture()
def tiny_disk(tmp_path):
    """A 2 MB tmpfs (needs root and mount rights; skipped elsewhere)."""
    mnt = tmp_path / "klein"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_disk_that_fills_during_the_snapshot(tiny_disk):
    path = _warehouse(tiny_disk, rows=1)
    with connect(path) as con:  # fill most of the rest of the disk with table data
        try:
            con.execute("CREATE TABLE filler AS SELECT range AS n, repeat('x', 200) || range AS t FROM range(4000)")
        except duckdb.Error:
            pass
    with open(tiny_disk / "ballast", "wb") as fh:  # and the last bytes with a plain file
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    with pytest.raises(WarehouseError) as err:
        publish_snapshot(path)
    assert "the disk is full" in str(err.value) and str(tiny_disk) in str(err.value) and "\n" not in str(err.value)
    assert not [p.name for p in tiny_disk.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


def test_read_only_file_system_is_not_called_in_use(tiny_disk):
    path = _warehouse(tiny_disk)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    with pytest.raises(WarehouseError) as err, connect(path):
        pass
    message = str(err.value)
    assert "read-only" in message and "in use" not in message and str(path) in message

