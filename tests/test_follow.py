"""The tail-follower in-process, step by step: rotation, copytruncate,
compressed backfill, Postfix's own logrotate, half lines, missing files,
restarts from a checkpoint. No timing: each step writes, then reads."""

from __future__ import annotations

import gzip
import os
import shutil
import sys
from collections import Counter

import pytest

from bouncewatch.plugin import follow as fmod
from bouncewatch.plugin.follow import FileFollower, FileSource


def L(n: int) -> str:
    return (f"Nov 20 10:00:{n % 60:02d} mx postfix/smtp[{n}]: Q{n:06X}: to=<r{n}@ex.example>, "
            f"relay=mx.ex.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.2.0, status=deferred "
            f"(host mx.ex.example[192.0.2.1] said: 450 4.2.0 Greylisted (in reply to RCPT TO command))\n")


def append(path, *ns: int) -> None:
    with open(path, "a") as f:
        f.write("".join(L(n) for n in ns))


class Run:
    """A follower and what it has handed out, committed as the agent would."""

    def __init__(self, path, saved=None, from_start=False):
        self.logs: list[str] = []
        self.f = FileFollower(str(path), Counter(), self.logs.append)
        self.f.restore(saved, from_start)
        self.got: list[tuple[str, str]] = []  # (file, line)

    def drain(self, polls: int = 3) -> list[int]:
        """Poll and read until nothing more comes; the numbers of the lines read."""
        out = []
        for _ in range(polls):
            self.f.poll()
            while (c := self.f.next_chunk(100)) is not None:
                for text, _off in c.lines:
                    out.append(int(text.split("[", 1)[1].split("]", 1)[0]))
                    self.got.append((os.path.basename(c.path), text))
                self.f.commit(c)
        return out


@pytest.fixture(autouse=True)
def no_grace(monkeypatch):
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 0.0)
    monkeypatch.setattr(fmod, "UNMOVED_GRACE", 0.0)  # a rotated file's writer has moved on at once


def test_first_run_starts_at_end_unless_from_start(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log)
    assert r.drain() == []
    append(log, 3)
    assert r.drain() == [3]
    assert Run(log, from_start=True).drain() == [1, 2, 3]


def test_half_written_line_is_held_until_its_newline(tmp_path):
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log)
    line = L(7)
    with open(log, "a") as f:
        f.write(line[:50])
    assert r.drain() == []
    with open(log, "a") as f:
        f.write(line[50:])
    assert r.drain() == [7]
    assert r.got[0][1] == line.rstrip("\n")


def test_first_run_at_end_skips_a_half_line_only_to_its_end(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1)
    with open(log, "a") as f:
        f.write(L(2)[:30])
    r = Run(log)
    with open(log, "a") as f:
        f.write(L(2)[30:])
    assert r.drain() == [2]


def test_rename_rotation_drains_the_old_file_first(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    append(log, 2, 3)                   # written before the rotation, not read yet
    os.rename(log, tmp_path / "mail.log.1")
    append(log, 4)
    assert r.drain() == [2, 3, 4]
    assert [g[0] for g in r.got] == ["mail.log"] * 3 + ["mail.log"]  # old file keeps its name in events


def test_copytruncate_recovers_unread_lines_from_the_copy(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    append(log, 3, 4)                   # written, not read yet
    shutil.copyfile(log, tmp_path / "mail.log.1")
    os.truncate(log, 0)
    append(log, 5, 6, 7, 8, 9)          # regrown past the old offset before we look
    assert r.drain() == [3, 4, 5, 6, 7, 8, 9]
    assert [g[0] for g in r.got[2:4]] == ["mail.log.1", "mail.log.1"]


def test_copytruncate_copy_already_compressed(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    append(log, 2)
    with open(log, "rb") as src, gzip.open(tmp_path / "mail.log.1.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.truncate(log, 0)
    append(log, 3)
    assert r.drain() == [2, 3]


def test_truncation_without_a_copy_is_reported(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    r.drain()
    os.truncate(log, 0)
    append(log, 2)
    assert r.drain() == [2]
    assert any("no rotated copy" in m for m in r.logs)


def test_from_start_backfills_compressed_rotations_in_order(tmp_path):
    log = tmp_path / "mail.log"
    for name, ns, age in (("mail.log.3.gz", (1, 2), 400), ("mail.log.2.gz", (3,), 300),
                          ("mail.log.1", (4, 5), 200), ("mail.log", (6,), 0)):
        p = tmp_path / name
        data = "".join(L(n) for n in ns).encode()
        p.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        t = os.stat(p).st_mtime - age
        os.utime(p, (t, t))
    (tmp_path / "mail.log.bak").write_text(L(99))   # not a rotation suffix
    (tmp_path / "mail.logger").write_text(L(98))
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2, 3, 4, 5, 6]


def test_postfix_logrotate_while_down_resumes_inside_the_gz(tmp_path):
    """``postfix logrotate``: maillog_file renamed with a date suffix, then
    gzipped (maillog_file_compressor); postlogd reopens a new file."""
    log = tmp_path / "postfix.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    saved = r.f.state()
    r.f.close()
    append(log, 3)                                   # we are down now
    rotated = tmp_path / "postfix.log.20261123-024800"
    os.rename(log, rotated)
    with open(rotated, "rb") as src, gzip.open(str(rotated) + ".gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.unlink(rotated)
    append(log, 4)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [3, 4]


def test_restart_after_several_rotations_reads_the_ones_in_between(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    saved = r.f.state()
    r.f.close()
    append(log, 2)
    os.rename(log, tmp_path / "mail.log.1")          # rename rotation
    append(log, 3)
    shutil.copyfile(log, tmp_path / "mail.log.2")    # copytruncate (siblings shifted by hand)
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.3")
    os.rename(tmp_path / "mail.log.2", tmp_path / "mail.log.1")
    for name, age in (("mail.log.3", 100), ("mail.log.1", 50)):
        t = os.stat(tmp_path / name).st_mtime - age
        os.utime(tmp_path / name, (t, t))
    os.truncate(log, 0)
    append(log, 4)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [2, 3, 4]


def test_restart_resumes_exactly_at_the_checkpoint(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    r.drain()
    saved = r.f.state()
    append(log, 3)
    r.f.close()
    assert Run(log, saved=saved).drain() == [3]


def test_inode_reuse_is_not_mistaken_for_our_file(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    r.drain()
    saved = r.f.state()
    r.f.close()
    os.unlink(log)
    append(log, 3)          # a new file; the inode may well be the same number
    saved_ino = saved["tails"][-1]["ino"]
    r2 = Run(log, saved=saved)
    assert r2.drain() == [3], (saved_ino, os.stat(log).st_ino)


def test_file_that_disappears_and_comes_back(tmp_path):
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.unlink(log)
    assert r.drain() == []
    append(log, 2)
    assert r.drain() == [2]


def test_directory_not_there_yet(tmp_path):
    log = tmp_path / "later" / "sub" / "mail.log"
    r = Run(log, from_start=False)
    assert r.drain() == []
    assert any("does not exist yet" in m for m in r.logs)
    log.parent.mkdir(parents=True)
    append(log, 1, 2)        # appeared after we started: read from its start
    assert r.drain() == [1, 2]
    assert any("reading it now" in m for m in r.logs)


def test_glob_picks_up_new_files_and_skips_rotations(tmp_path):
    append(tmp_path / "a.log", 1)
    append(tmp_path / "a.log.1", 50)
    logs: list[str] = []
    src = FileSource(str(tmp_path / "*.log*"), Counter(), logs.append)
    src.start({}, from_start=True)
    assert sorted(src.followers) == [str(tmp_path / "a.log")]
    append(tmp_path / "b.log", 2)
    src._next_glob = 0
    src.poll()
    got = []
    while (c := src.next_chunk(10)) is not None:
        got += [t.split("[", 1)[1].split("]")[0] for t, _ in c.lines]
        c.owner.commit(c)
    assert sorted(got) == ["1", "2", "50"]  # a.log's rotation is backfilled through a.log


def test_overlong_partial_line_is_held_then_skipped(tmp_path):
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log)
    with open(log, "a") as f:
        f.write("x" * 70_000)
    assert r.drain() == []
    with open(log, "a") as f:
        f.write("tail of the long line\n" + L(5))
    assert r.drain() == [5]
    assert r.f.counts["too_long"] == 1


def test_writer_still_on_the_renamed_file_is_not_lost(tmp_path, monkeypatch):
    """A syslog daemon writes to the renamed file until its HUP: we keep
    reading it for DRAIN_GRACE after the new file appeared."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    append(log, 2)                               # logrotate's create; nobody writes here yet
    assert r.drain() == [2]
    append(tmp_path / "mail.log.1", 3)           # rsyslog, not HUP'd yet
    assert r.drain() == [3]
    assert len(r.f.draining) == 1
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 0.0)
    assert r.drain() == [] and r.f.draining == []


def test_writer_slow_to_reopen_is_waited_for_while_the_live_file_is_empty(tmp_path, monkeypatch):
    """Fuzzer seed 6127: the writer went on with the renamed file after it
    had been idle longer than DRAIN_GRACE (its HUP came late), and a stop
    followed. The file had been let go, so its last lines were in no
    checkpoint, and gzip took it while we were down: lost, without a word.
    A rotated file idle at its end is let go only once its writer has moved
    on (the live file has lines), or after UNMOVED_GRACE."""
    monkeypatch.setattr(fmod, "UNMOVED_GRACE", 300.0)
    clock = [1000.0]
    monkeypatch.setattr(fmod.time, "monotonic", lambda: clock[0])
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()                                  # logrotate's create
    assert r.drain() == [] and len(r.f.draining) == 1
    clock[0] += 60                               # idle far beyond DRAIN_GRACE: the writer has not reopened
    assert r.drain() == [] and len(r.f.draining) == 1
    append(tmp_path / "mail.log.1", 2)           # its late lines
    saved = r.f.state()                          # a stop now: the rotated file is in the checkpoint
    assert [t["offset"] for t in saved["tails"] if not t.get("live")] == [len(L(1))]
    assert r.drain() == [2]
    append(log, 3)                               # the HUP: the writer is on the live file now
    assert r.drain() == [3]
    assert r.drain() == [] and r.f.draining == []  # idle, and its writer gone: let go
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    log.rename(tmp_path / "mail.log.1")
    log.touch()
    assert r.drain() == [] and len(r.f.draining) == 1
    clock[0] += 301                              # a writer that never reopens is not waited for forever
    assert r.drain() == [] and r.f.draining == []


def test_empty_live_file_rotated_and_compressed_while_down_keeps_later_rotations(tmp_path):
    """Chaos seed 2: the checkpoint named a live file that was still empty
    (no fingerprint to know a copy by). While we were down it was rotated
    and compressed (a new inode), and the next files were rotated after it.
    On start, the files rotated after it must be read, not skipped."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()                                          # logrotate's create
    assert r.drain() == [] and r.f.draining == []
    saved = r.f.state()
    r.f.close()
    # down: rotate the empty file, compress it (gzip keeps its mtime), more rotations
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.3")
    os.rename(log, tmp_path / "mail.log.2")
    with open(tmp_path / "mail.log.2", "rb") as src, gzip.open(tmp_path / "mail.log.2.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    st = os.stat(tmp_path / "mail.log.2")
    os.utime(tmp_path / "mail.log.2.gz", ns=(st.st_atime_ns, st.st_mtime_ns))
    held = open(tmp_path / "mail.log.2", "rb")          # its inode must not be reused below
    os.unlink(tmp_path / "mail.log.2")
    append(log, 2)
    os.rename(log, tmp_path / "mail.log.1")
    append(log, 3)
    for name, age in (("mail.log.3", 300), ("mail.log.2.gz", 200), ("mail.log.1", 100)):
        t = os.stat(tmp_path / name).st_mtime - age
        os.utime(tmp_path / name, (t, t))
    r2 = Run(log, saved=saved)
    assert r2.drain() == [2, 3]
    held.close()


@pytest.mark.parametrize("rotated_before", [False, True])
def test_empty_live_file_copytruncated_while_down_is_read_from_its_copy(tmp_path, rotated_before):
    """Chaos seed 13: the checkpoint named a live file that was still empty.
    While we were down it was written, copied and truncated (copytruncate),
    written again. Its inode and (empty) fingerprint still match, so we
    resumed it at 0: the lines in the copy were lost, silently."""
    log = tmp_path / "mail.log"
    if rotated_before:
        append(tmp_path / "mail.log.1", 9)
        t = os.stat(tmp_path / "mail.log.1").st_mtime - 100
        os.utime(tmp_path / "mail.log.1", (t, t))
    log.touch()
    r = Run(log)
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    append(log, 1)
    if rotated_before:
        os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    shutil.copyfile(log, tmp_path / "mail.log.1")
    os.truncate(log, 0)
    append(log, 2)
    assert Run(log, saved=saved).drain() == [1, 2]


def test_rotation_after_a_quiet_file_does_not_reread_its_predecessor(tmp_path, monkeypatch):
    """Chaos seed 29: the writer kept writing to the renamed file until its
    HUP while the new file stayed empty, so the old file is the newer by
    mtime. At the next rotation the old file (already read, let go) sorted
    after the quiet one and was read again from its start: every event
    twice, with attempts counted again."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()                                       # logrotate's create; nobody writes here yet
    assert r.drain() == []
    append(tmp_path / "mail.log.1", 2)                # the writer, not HUP'd yet
    t = os.stat(tmp_path / "mail.log.1").st_mtime
    os.utime(log, (t - 10, t - 10))                   # the quiet new file is older by mtime
    assert r.drain() == [2]
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 0.0)
    assert r.drain() == [] and r.f.draining == []     # let go
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    os.rename(log, tmp_path / "mail.log.1")
    append(log, 3)
    assert r.drain() == [3]


def test_copytruncate_of_a_file_we_had_not_read_yet_is_noticed(tmp_path):
    """Chaos seed 24: just after a copytruncate (our file empty, nothing
    read, no fingerprint) it was written and copytruncated again before we
    looked. Same inode, not shorter than our offset 0, no head to compare:
    the truncation went unnoticed and the lines in the second copy were lost."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    shutil.copyfile(log, tmp_path / "mail.log.1")
    os.truncate(log, 0)
    assert r.drain() == []
    append(log, 2)                                   # not read before the next copytruncate
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    shutil.copyfile(log, tmp_path / "mail.log.1")
    os.truncate(log, 0)
    append(log, 3)
    assert r.drain() == [2, 3]


def test_predecessor_compressed_while_we_look_at_it_is_not_read_again(tmp_path, monkeypatch):
    """Chaos seeds 49 and 108: the live file was renamed to .1 and gzip
    replaced .1 by .1.gz just while the follower listed the rotated files
    to note which one preceded the new live file. .1 was gone when its head
    was read, so the older .2 was taken instead; the new file being empty,
    every file 'after .2' was then read: .1.gz again from its start."""
    log = tmp_path / "mail.log"
    append(tmp_path / "mail.log.1", 0)
    t = os.stat(tmp_path / "mail.log.1").st_mtime - 100
    os.utime(tmp_path / "mail.log.1", (t, t))
    append(log, 1)
    r = Run(log, from_start=False)
    append(log, 2)
    assert r.drain() == [2]
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    real_read_head = fmod.read_head

    def gzip_meanwhile(path, *a):
        if path.endswith("mail.log.1") and not os.path.exists(path + ".gz"):
            with open(path, "rb") as src, gzip.open(path + ".gz", "wb") as dst:
                shutil.copyfileobj(src, dst)
            st = os.stat(path)
            os.utime(path + ".gz", ns=(st.st_atime_ns, st.st_mtime_ns))
            os.unlink(path)
        return real_read_head(path, *a)

    monkeypatch.setattr(fmod, "read_head", gzip_meanwhile)
    assert r.drain() == []
    assert r.drain() == []


def test_live_file_rotated_while_we_open_it_is_not_its_own_predecessor(tmp_path, monkeypatch):
    """Chaos seed 214: the new live file was renamed away (the next
    rotation) between our open and our look at the rotated files, and was
    taken as its own predecessor. When the file before it turned out the
    newer by mtime (the writer still on it), that file was 'rotated after'
    the live one at its rotation, and read again."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    real = fmod.rotated_siblings
    t = os.stat(log).st_mtime

    def rotate_meanwhile(path):
        if sys._getframe(1).f_code.co_name == "_newest_rotated" and not os.path.exists(str(log) + ".2"):
            os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
            os.rename(log, tmp_path / "mail.log.1")
            log.touch()
            os.utime(tmp_path / "mail.log.2", (t - 20, t - 20))
            os.utime(tmp_path / "mail.log.1", (t - 10, t - 10))
        return real(path)

    monkeypatch.setattr(fmod, "rotated_siblings", rotate_meanwhile)
    r.f.poll()                                   # notices the first rotation, opens the new file
    while (c := r.f.next_chunk(100)) is not None:
        r.f.commit(c)
    assert r.f.draining == []                    # the first file is read and let go
    os.utime(tmp_path / "mail.log.2", (t, t))    # and turns out the newer (its writer's last line)
    assert r.drain() == []
    append(log, 2)
    assert r.drain() == [2]


def test_files_reopened_on_start_are_read_oldest_first(tmp_path):
    """Chaos seed 202: the checkpoint named an empty rotated file (no
    fingerprint) being drained; it was deleted and its inode reused by the
    newest rotated file. Reopened by inode first, that newest file was read
    before the older ones found after it: lines out of order, so deliveries
    missed their message's details (message_id None)."""
    log = tmp_path / "mail.log"
    for name, n, age in (("mail.log.2", 1, 200), ("mail.log.1", 2, 100), ("mail.log", 3, 0)):
        append(tmp_path / name, n)
        t = os.stat(tmp_path / name).st_mtime - age
        os.utime(tmp_path / name, (t, t))
    st1, st2 = os.stat(tmp_path / "mail.log.1"), os.stat(tmp_path / "mail.log.2")
    head2 = (tmp_path / "mail.log.2").read_bytes()
    saved = {"tails": [
        {"path": str(log), "offset": 0, "dev": st1.st_dev, "ino": st1.st_ino,   # the reused inode
         "fp_len": 0, "fp": fmod._fp(b""), "at_end": True},
        {"path": str(log), "offset": 0, "dev": st2.st_dev, "ino": st2.st_ino,
         "fp_len": len(head2), "fp": fmod._fp(head2), "live": True}]}
    assert Run(log, saved=saved).drain() == [1, 2, 3]


def test_stopped_while_the_log_was_missing_reads_what_was_rotated_meanwhile(tmp_path):
    """Chaos seed 304: stopped between a rotation's rename (or a removal) and
    the new file's creation, the checkpoint had no live file. The new file
    appeared, was written and rotated while we were down; on start only the
    newest file was read, from 0, and the rotated one skipped."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")           # not created again yet
    assert r.drain() == [] and r.f.current is None
    saved = r.f.state()
    r.f.close()
    append(log, 2)
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    os.rename(log, tmp_path / "mail.log.1")
    append(log, 3)
    for name, age in (("mail.log.2", 200), ("mail.log.1", 100)):
        t = os.stat(tmp_path / name).st_mtime - age
        os.utime(tmp_path / name, (t, t))
    assert Run(log, saved=saved).drain() == [2, 3]


def test_a_gz_still_being_written_does_not_stop_the_start(tmp_path):
    """gzip(1) writes mail.log.1.gz under its final name as it compresses:
    its head cannot be read yet (EOFError, not an OSError). Looking for our
    file among the rotated ones must pass over it, not raise."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    saved = r.f.state()
    r.f.close()
    append(log, 2)
    os.rename(log, tmp_path / "mail.log.1")
    (tmp_path / "mail.log.2.gz").write_bytes(gzip.compress(os.urandom(4096))[:200])   # being written
    append(log, 3)
    assert Run(log, saved=saved).drain() == [2, 3]


def test_rotated_file_gone_while_down_is_said_even_if_read_to_its_end(tmp_path, monkeypatch):
    """Chaos seeds 66, 402: a file removed (or rotated) while its writer
    still had it open; we had read it to its end, were killed within the
    drain grace, and the file was gone on start. The writer's last lines
    in it are lost for everybody, but that must be said, not silent."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    append(log, 2)
    assert r.drain() == [2] and len(r.f.draining) == 1
    saved = r.f.state()
    r.f.close()
    os.unlink(tmp_path / "mail.log.1")
    r2 = Run(log, saved=saved)
    assert r2.drain() == []
    assert any("is gone (read to its end, byte" in m for m in r2.logs), r2.logs


def test_files_rotated_while_the_log_was_missing_are_read_when_it_returns(tmp_path):
    """Chaos seed 415: the log was removed; before we saw its new file, it
    was created, written and rotated away, and another created. We opened
    the newest from 0 and never read the one rotated in between."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.unlink(log)
    assert r.drain() == [] and r.f.current is None
    append(log, 2)
    os.rename(log, tmp_path / "mail.log.1")
    append(log, 3)
    t = os.stat(tmp_path / "mail.log.1").st_mtime - 100
    os.utime(tmp_path / "mail.log.1", (t, t))
    assert r.drain() == [2, 3]


def test_file_read_only_while_draining_is_known_by_its_content(tmp_path, monkeypatch):
    """Chaos seed 512: the live file, empty when opened (no fingerprint),
    was removed and read to its end through our descriptor, as a rotated
    file; its fingerprint was never widened, so the checkpoint knew it by
    its inode only. On start the inode had been reused by the recreated
    log: reopened as the old file at the old offset (a line cut in two)
    and read again as the live file: every line twice."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log)
    append(log, 1)
    os.rename(log, tmp_path / "away")           # removed, as far as the follower can tell
    assert r.drain() == [1] and r.f.current is None
    saved = r.f.state()
    r.f.close()
    with open(tmp_path / "away", "w") as f:     # the same inode with other content: a reused inode
        f.write(L(22) + L(33))
    os.rename(tmp_path / "away", log)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [22, 33]
    assert r2.f.counts["unterminated_last_line"] == 0


def test_predecessor_being_compressed_is_not_read_again(tmp_path):
    """Chaos seed 523 (gzip writing the .gz in place): after a rename
    rotation the new log was still empty when gzip had written
    mail.log.1.gz (its mtime not yet set back, so the newest file) and not
    yet removed mail.log.1. The .gz counted as rotated after the
    predecessor and was read from its start: every line again."""
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    t = os.stat(tmp_path / "mail.log.1").st_mtime - 100
    os.utime(tmp_path / "mail.log.1", (t, t))
    os.utime(log, (t, t))
    assert r.drain() == []
    with open(tmp_path / "mail.log.1", "rb") as src, gzip.open(tmp_path / "mail.log.1.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)                 # gzip done writing, source not removed yet
    assert r.drain() == []
