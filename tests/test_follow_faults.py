"""The follower's guarantees under faults, measured (issue 4):

* 20,000 delivery lines at ~2,000 lines/s while the log is rotated eight
  times (rename+create and copytruncate alternately) and the follower is
  killed with SIGKILL three times, staying down more than a second each
  time while writing and rotating go on: no line lost, and every line read
  twice carries the same event_id.
* Latency from append to the file sink, p99 <= 250 ms at 50 and 5,000
  lines/s; RSS flat while streaming; idle CPU near zero.

Figures are printed (run with -s to see them).

Below those, the compound rotation schedules the chaos campaign
(a process-level campaign of real follow runs, kill -9 included; not kept
in the tree: it needs the bench logs) found, each replayed step by step in-process with
the harness of test_follow.py: no timing, so they cannot be flaky.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import time
from collections import defaultdict

import psutil
import pytest

from bouncewatch.plugin import follow as fmod
from followkit import Follower, SinkReader, Writer, percentile
from test_follow import L, Run, append


@pytest.fixture(autouse=True)
def _reap():
    yield
    Follower.reap()


@pytest.mark.slow
def test_no_loss_through_rotations_and_sigkill(tmp_path):
    log, out, state = tmp_path / "mail.log", tmp_path / "events.jsonl", tmp_path / "state"
    total = 20_000
    step = total // 9
    rotations = {step * k: ("rename" if k % 2 else "copytruncate") for k in range(1, 9)}
    log.touch()
    fol = Follower(log, out, state)
    fol.start()
    time.sleep(1.0)  # first run starts at the end of the (empty) log
    w = Writer(log, total, 2000.0, rotations)
    t0 = time.monotonic()
    w.start()
    downs = []
    for at in (2.0, 4.5, 7.0):
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        fol.kill()
        down = time.monotonic()
        time.sleep(1.2)
        fol.start()
        downs.append(time.monotonic() - down)
    assert w.done.wait(60), "writer did not finish"
    assert w.error is None, w.error
    write_secs = time.monotonic() - t0
    sink = SinkReader(out)
    complete = sink.wait_for(total, 30)
    rc = fol.stop()
    sink.poll()

    ids = defaultdict(set)
    count = defaultdict(int)
    for e in sink.events:
        n = int(e["recipient"][1:e["recipient"].index("@")])
        ids[n].add(e["event_id"])
        count[n] += 1
    lost = sorted(set(range(total)) - set(ids))
    unexpected = sorted(set(ids) - set(range(total)))
    dup_lines = sum(1 for n in count if count[n] > 1)
    dup_events = sum(count.values()) - len(count)
    differing = [n for n, s in ids.items() if len(s) > 1]
    rotated = sorted(p.name for p in tmp_path.glob("mail.log.*"))
    print(f"\n[faults] {total} lines written in {write_secs:.1f}s, {len(rotated)} rotations, "
          f"3 SIGKILLs (down {', '.join(f'{d:.2f}s' for d in downs)}): lost={len(lost)} "
          f"duplicated_lines={dup_lines} duplicate_events={dup_events} "
          f"dups_with_other_event_id={len(differing)} broken_sink_lines={sink.broken} exit={rc}")
    errs = fol.errors()
    assert "Traceback" not in errs, errs[-3000:]
    assert len(rotated) == 8
    assert not lost, f"{len(lost)} lines lost, first {lost[:10]}; follower said:\n{errs[-3000:]}"
    assert complete
    assert not unexpected
    assert not differing, f"duplicates with different event_ids: {differing[:10]}"
    assert sink.broken <= 3  # at most one line cut short per SIGKILL
    assert rc == 0


def _stream(tmp_path, rate: float, seconds: float, whole_messages: bool = True):
    log, out, state = tmp_path / "mail.log", tmp_path / "events.jsonl", tmp_path / "state"
    log.touch()
    fol = Follower(log, out, state)
    fol.start()
    time.sleep(1.0)
    # deliveries; with whole_messages each comes with the 6 other lines of its message
    total = int(rate * seconds / (7 if whole_messages else 1))
    w = Writer(log, total, rate, whole_messages=whole_messages)
    sink = SinkReader(out)
    proc = psutil.Process(fol.proc.pid)
    rss = []
    w.start()
    next_sample = time.monotonic() + 0.5
    while not w.done.is_set():
        sink.poll()
        if time.monotonic() >= next_sample:
            rss.append(proc.memory_info().rss)
            next_sample += 0.5
        time.sleep(0.002)
    assert w.error is None, w.error
    end = time.monotonic() + 15
    while len(sink.events) < total and time.monotonic() < end:
        sink.poll()
        time.sleep(0.002)
    rss.append(proc.memory_info().rss)
    lat = []
    for e, t in zip(sink.events, sink.arrived):
        n = int(e["recipient"][1:e["recipient"].index("@")])
        lat.append(t - w.written_at[n])
    return fol, sink, lat, rss, proc, total


# whole=False: every line a delivery (an event each). whole=True: a busy
# relay's log, where a delivery line comes with six others (connect, client,
# cleanup, qmgr from/removed, disconnect). 5,000 lines/s of nothing but
# deliveries is not asserted: classification alone then needs most of a
# core, which this shared test machine does not always have (see the report
# in README.md for the figures measured when it does).
@pytest.mark.slow
@pytest.mark.parametrize("rate,seconds,whole", [(50, 4.0, False), (5000, 3.0, True)])
def test_latency_p99(tmp_path, rate, seconds, whole):
    fol, sink, lat, rss, proc, total = _stream(tmp_path, rate, seconds, whole)
    try:
        assert len(sink.events) == total
        p50, p99, mx = (percentile(lat, 50), percentile(lat, 99), max(lat))
        lines = total * (7 if whole else 1)
        print(f"\n[latency] {rate} log lines/s for {seconds:.0f}s ({total} deliveries in {lines} lines): p50={p50 * 1000:.1f}ms "
              f"p99={p99 * 1000:.1f}ms max={mx * 1000:.1f}ms")
        assert p99 <= 0.250
    finally:
        assert fol.stop() == 0


@pytest.mark.slow
def test_rss_flat_and_idle_cpu(tmp_path):
    # Messages leave the queue ("removed") as on a real server, so the
    # correlator's tables stay at their working size.
    fol, sink, lat, rss, proc, total = _stream(tmp_path, 5000, 8.0)
    try:
        assert len(sink.events) == total
        warm = rss[2]  # after the first second of streaming
        growth = rss[-1] - warm
        time.sleep(1.0)
        c0 = sum(proc.cpu_times()[:2])
        time.sleep(4.0)
        idle = (sum(proc.cpu_times()[:2]) - c0) / 4.0 * 100
        print(f"\n[resources] 5000 lines/s for 8s: RSS after 1s {warm / 2**20:.1f}MiB, at end "
              f"{rss[-1] / 2**20:.1f}MiB (growth {growth / 2**20:+.1f}MiB over {len(rss)} samples, "
              f"max {max(rss) / 2**20:.1f}MiB); idle CPU {idle:.2f}% over 4s")
        assert growth < 8 * 2**20
        assert idle < 2.0
    finally:
        assert fol.stop() == 0


@pytest.fixture
def no_grace(monkeypatch):
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 0.0)
    monkeypatch.setattr(fmod, "UNMOVED_GRACE", 0.0)  # a rotated file's writer has moved on at once


def _age(path, secs: float) -> None:
    """Sets ``path``'s mtime ``secs`` into the past: the order of rotated
    files is by mtime, which a fast test would otherwise leave to chance."""
    t = time.time() - secs
    os.utime(path, (t, t))


def _gzip_in_place(src, dst) -> None:
    """gzip(1) half done: the .gz written under its final name, its mtime
    not yet set back to the source's, the source not yet removed."""
    with open(src, "rb") as a, gzip.open(dst, "wb") as b:
        shutil.copyfileobj(a, b)


def test_file_being_compressed_after_its_rename_is_not_read_again(tmp_path, no_grace):
    """Chaos seed 609: a copytruncate, then a compress rotation. The live
    file (read from 0 after the copytruncate) was renamed to .1 and gzip
    was writing .1.gz, newer by mtime, when we noticed the rename. Files
    rotated after ours are read from their start; .1.gz counted as one
    (it is no copy of the file before ours, which is all that was checked):
    168 events twice."""
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    shutil.copyfile(log, tmp_path / "mail.log.1")     # copytruncate
    os.truncate(log, 0)
    _age(tmp_path / "mail.log.1", 30)
    append(log, 3, 4)
    assert r.drain() == [3, 4]
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")   # compress rotation
    os.rename(log, tmp_path / "mail.log.1")
    _age(tmp_path / "mail.log.1", 20)
    log.touch()
    _age(log, 10)
    _gzip_in_place(tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz")
    assert r.drain() == []
    append(log, 5)
    assert r.drain() == [5]


@pytest.mark.parametrize("after", [(3,), (3, 4, 5)], ids=["shorter", "longer"])
def test_file_truncated_then_renamed_before_we_looked_is_read_from_0(tmp_path, no_grace, after):
    """Chaos seed 625: the live file was truncated, written again and
    renamed away (a rotation) between two of our looks. Only the rename
    was seen: the file was drained from our old offset, past its new
    end (shorter) or into the middle of its new lines (longer), and the
    lines written after the truncation were lost without a word."""
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    os.truncate(log, 0)
    append(log, *after)
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    append(log, 9)
    assert r.drain() == [*after, 9]
    assert any("no rotated copy" in m for m in r.logs), r.logs
    # said once: the file is not gone, only its copy was not found
    assert len(r.logs) == 1, r.logs


def _gzip(src, dst) -> None:
    """gzip(1) done: the .gz with the source's mtime, the source removed."""
    _gzip_in_place(src, dst)
    st = os.stat(src)
    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.unlink(src)


def test_empty_rotated_file_compressed_while_down_is_read(tmp_path, monkeypatch):
    """Chaos seed 626: a delaycompress rotation, then a compress rotation
    with the writer not yet HUP'd, then a stop. The checkpoint named the
    file between them as being drained, empty (nothing read, no
    fingerprint). While we were down the writer added two lines to it and
    gzip replaced it with .1.gz: a new inode, and no head to know it by.
    The start passed over it in silence, and the two lines were lost."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    os.rename(log, tmp_path / "mail.log.1")             # delaycompress rotation
    log.touch()
    assert r.drain() == []
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")   # compress rotation
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    _age(tmp_path / "mail.log.2", 30)
    _age(tmp_path / "mail.log.1", 20)
    _age(log, 10)
    assert r.drain() == []
    saved = r.f.state()
    assert [t["fp_len"] > 0 for t in saved["tails"] if not t.get("live")] == [True, False]
    r.f.close()
    append(tmp_path / "mail.log.1", 3, 4)                # the writer, not HUP'd yet
    _gzip(tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz")
    append(log, 5)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [3, 4, 5]



@pytest.mark.parametrize("gzip_done", [False, True], ids=["gzip-at-work", "gzip-done"])
def test_file_copytruncated_then_compressed_before_we_looked(tmp_path, no_grace, gzip_done):
    """Chaos seed 628: a copytruncate, a line written, then a compress
    rotation, all between two of our looks, gzip writing .1.gz of the
    truncated file when we looked. The line after the truncation was lost:
    the renamed file was drained from our offset in its old content. Read
    from 0 now (the seed 625 fix), it must not be read a second time from
    .1.gz, newest by mtime but a copy of the file we read through our fd."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    append(log, 2)                                     # not read before the copytruncate
    shutil.copyfile(log, tmp_path / "mail.log.1")
    os.truncate(log, 0)
    append(log, 3)
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")   # compress rotation
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    _age(tmp_path / "mail.log.2", 30)
    _age(tmp_path / "mail.log.1", 20)
    _age(log, 10)
    if gzip_done:
        _gzip(tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz")
        assert r.drain() == [2, 3]
    else:
        _gzip_in_place(tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz")
        assert r.drain() == [2, 3]
        _gzip(tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz")
    append(log, 4)
    assert r.drain() == [4]
    assert not any("no rotated copy" in m for m in r.logs), r.logs


def _gzip_part(src, dst, n: int) -> None:
    """gzip(1) at work on ``src``: the first ``n`` bytes of it compressed
    and flushed under the final name, the rest not written yet."""
    import zlib
    c = zlib.compressobj(6, zlib.DEFLATED, 31)            # gzip framing
    with open(src, "rb") as a, open(dst, "wb") as b:
        b.write(c.compress(a.read(n)) + c.flush(zlib.Z_SYNC_FLUSH))


def test_copy_being_compressed_is_read_as_its_source(tmp_path, no_grace):
    """Chaos seeds 707, 708, 727 (copytruncate + compress): gzip was
    writing .1.gz of the copy, its source .1 still there. The half-written
    .gz, newest and with the copy's head, was taken for the copy: seeking
    to our offset in it failed and the unread lines were lost (707); or,
    its head not readable yet when we looked for the copy but readable
    when we opened the files after the copy, it was read from its start
    besides the copy (708: 76 events twice). A .gz beside its source is
    gzip at work; the source is read, through our descriptor to its end."""
    log = tmp_path / "mail.log"
    append(log, *range(1, 7))
    r = Run(log, from_start=True)
    assert r.drain() == list(range(1, 7))
    append(log, 7)                                     # not read before the copytruncate
    shutil.copyfile(log, tmp_path / "mail.log.1")
    os.truncate(log, 0)
    append(log, 8)
    _age(tmp_path / "mail.log.1", 10)
    _gzip_part(tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz", 1100)   # head only
    assert os.path.getsize(tmp_path / "mail.log.1") > 1500
    assert r.drain() == [7, 8]
    _gzip(tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz")               # gzip done
    append(log, 9)
    assert r.drain() == [9]
    assert not any("no rotated copy" in m or "cannot read" in m for m in r.logs), r.logs


def test_empty_rotated_file_whose_inode_the_live_file_reused(tmp_path, monkeypatch):
    """Chaos seeds 705, 712 (rotations while down): the checkpoint named an
    empty rotated file being drained, known by its inode alone; gzip
    removed it while we were down and the new live file got its inode. On
    start that entry was reopened on the live file, which was then opened
    as the live file too: every line of it twice. (Inode reuse is up to
    the kernel: the checkpoint is given the live file's inode here.)"""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    empty = [t for t in saved["tails"] if t.get("live")][0]
    assert empty["fp_len"] == 0
    os.rename(log, tmp_path / "mail.log.2")            # rotated while down, then removed by gzip
    os.unlink(tmp_path / "mail.log.2")
    append(log, 2, 3)                                  # the new live file, with the inode reused
    st = os.stat(log)
    saved["tails"] = [t for t in saved["tails"] if not t.get("live")] + [
        {**empty, "live": False, "path": str(tmp_path / "mail.log.1"), "ino": st.st_ino},
        {**empty, "ino": 0, "prev": None}]               # a live file gone meanwhile
    assert Run(log, saved=saved).drain() == [2, 3]


def test_half_line_at_the_end_of_a_rotated_file_is_waited_for(tmp_path, no_grace, monkeypatch):
    """Chaos seed 715: the writer left half a line in the log for 2.5 s
    and was HUP'd only after finishing it, the log renamed meanwhile. The
    renamed file, idle at its end for the drain grace (2 s), was let go
    with its half line handed out as a line: one event cut short (no
    reply text), the rest of the line never read. A rotated file ending in
    half a line gets PARTIAL_GRACE; after that, its writer is taken for
    gone and the half line is handed out as before."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    line2 = L(2)
    with open(log, "a") as f:
        f.write(line2[:80])                              # half of it
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    assert r.drain() == []
    assert len(r.f.draining) == 1
    with open(tmp_path / "mail.log.1", "a") as f:
        f.write(line2[80:])                              # finished, then HUP'd
    append(log, 3)
    assert r.drain() == [2, 3]
    assert r.got[1][1] == line2.rstrip("\n")
    assert r.f.counts["unterminated_last_line"] == 0
    with open(log, "a") as f:
        f.write(L(4)[:80])                               # a writer that never finishes
    os.rename(log, tmp_path / "mail.log.2")
    log.touch()
    assert r.drain() == []
    monkeypatch.setattr(fmod, "PARTIAL_GRACE", 0.0)
    assert r.drain() == [4] and r.f.draining == []
    assert r.f.counts["unterminated_last_line"] == 1


def test_unread_empty_predecessor_whose_inode_a_newer_file_reused(tmp_path, monkeypatch):
    """Chaos seed 753 (rename rotations of empty files, then four rotations
    while down): the live file, empty and unread, was noted to follow an
    empty file (known by its inode alone), itself unread and being
    drained. While we were down gzip removed that file and a newer one got
    its inode: on start it passed for the predecessor, and only the files
    after it were read. The two in between, the live file among them, were
    lost (32 events). An unread predecessor without a fingerprint now
    stands for the one before it. (The inode reuse is written into the
    checkpoint: which inode a new file gets is up to the kernel.)"""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")            # a: read; c: the new, empty file
    log.touch()
    assert r.drain() == []
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    os.rename(log, tmp_path / "mail.log.1")            # c rotated, empty; d: the new, empty file
    log.touch()
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    c = next(t for t in saved["tails"] if not t.get("live") and t["fp_len"] == 0)
    d = next(t for t in saved["tails"] if t.get("live"))
    assert d["prev"]["ino"] == c["ino"] and d["offset"] == c["offset"] == 0
    append(log, 2)                                      # while down: d written, rotated
    os.rename(tmp_path / "mail.log.2", tmp_path / "mail.log.3")
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    os.rename(log, tmp_path / "mail.log.1")
    _gzip(tmp_path / "mail.log.2", tmp_path / "mail.log.2.gz")   # c compressed and removed
    append(log, 3)                                      # e, with c's inode (see above)
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    os.rename(log, tmp_path / "mail.log.1")
    append(log, 4)                                      # f, the live file now
    for age, name in ((50, "mail.log.3"), (40, "mail.log.2.gz"), (30, "mail.log.2"), (20, "mail.log.1")):
        _age(tmp_path / name, age)
    e_ino = os.stat(tmp_path / "mail.log.1").st_ino
    c["ino"] = d["prev"]["ino"] = e_ino
    assert Run(log, saved=saved).drain() == [2, 3, 4]


def test_empty_file_removed_with_its_writer_on_it_is_said(tmp_path, monkeypatch):
    """Chaos seed 737: the live file was removed while its writer, not yet
    HUP'd, kept writing to it; we had read nothing of it (empty when we
    checkpointed) and were killed. On start it was gone, with the writer's
    lines: lost for everybody, but said, as for a file we had read from."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    assert r.drain() == []
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)        # the writer
    os.unlink(log)
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    os.write(fd, L(2).encode())                         # into the removed file
    os.close(fd)
    append(log, 3)                                      # the writer's HUP: a new file
    r2 = Run(log, saved=saved)
    assert r2.drain() == [3]
    assert any("is gone" in m and "could not be read" in m for m in r2.logs), r2.logs
    # said as it was: empty when we stopped, not "read up to byte 0" of
    # lines that were not there
    assert any("(empty when we stopped)" in m for m in r2.logs), r2.logs
    assert not any("byte 0" in m for m in r2.logs), r2.logs


@pytest.mark.parametrize("head", [False, True], ids=["empty", "unread-line"])
def test_live_file_removed_while_down_with_nothing_read_is_said(tmp_path, monkeypatch, head):
    """Found reviewing chaos seed 816 (a remove, then a kill -9 before a
    checkpoint): the checkpoint's live file, nothing of it read (empty, or
    a line not read yet), was removed with its writer's lines in it before
    the start. The files rotated after its predecessor were read (it may
    have been among them) and nothing was said: those lines were lost
    without a word, unlike a file we had read some of (seed 737's rule)."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    assert r.drain() == []
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)        # the writer, HUP'd onto it
    if head:
        os.write(fd, L(2).encode())
        r.f.poll()                                      # seen (fingerprinted), not read yet
    saved = r.f.state()
    live = next(t for t in saved["tails"] if t.get("live"))
    assert live["offset"] == 0 and (live["fp_len"] > 0) == head
    r.f.close()
    os.write(fd, L(3).encode())
    os.unlink(log)                                      # removed
    os.write(fd, L(4).encode())
    append(log, 5)                                      # the writer HUP'd onto a new file (made
    os.close(fd)                                        # first: not on the removed file's inode)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [5]
    assert any("is gone" in m and "could not be read" in m for m in r2.logs), r2.logs


def test_live_file_with_nothing_read_rotated_while_down_is_not_said_gone(tmp_path, monkeypatch):
    """The other side of the test above: the checkpoint's live file,
    nothing of it read, renamed while we were down (found by its inode),
    or compressed (a new inode, empty when saved: taken to be among the
    files rotated after its predecessor). Read, and no word of a loss."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, tmp_path / "mail.log.1")
    log.touch()
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    append(log, 2)
    os.rename(tmp_path / "mail.log.1", tmp_path / "mail.log.2")
    os.rename(log, tmp_path / "mail.log.1")
    _gzip(tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz")
    append(log, 3)
    _age(tmp_path / "mail.log.2", 20)
    _age(tmp_path / "mail.log.1.gz", 10)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [2, 3]
    assert not any("is gone" in m for m in r2.logs), r2.logs


def test_unread_empty_predecessor_reopened_on_a_start_keeps_its_own(tmp_path, monkeypatch):
    """Chaos seed 880 (--secs 12: three rename rotations of empty files,
    a kill -9, the live file removed, a kill -9, four rotations while
    down): the live file went missing with an empty file, known by its
    inode alone, as its predecessor; that file was one of the rotated files
    the start before had reopened from the checkpoint, which kept no
    predecessor for it. While we were down gzip removed it and a newer file
    got its inode: on start it passed for the predecessor, and its
    predecessor could not be walked back to (seed 753's rule needs it).
    The file rotated before the newer one, the live file of the time, was
    lost without a word (13 events). A reopened rotated file now keeps the
    predecessor the checkpoint gave it. (The inode reuse is written into
    the checkpoint, as in seed 753's test.)"""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1)                                      # a
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, p(".1"))
    log.touch()                                         # x1, empty
    assert r.drain() == []
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    log.touch()                                         # x2, empty
    assert r.drain() == []
    os.rename(p(".2"), p(".3"))
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    append(log, 2)                                      # b
    for age, s in ((60, ".3"), (50, ".2"), (40, ".1")):
        _age(p(s), age)
    assert r.drain() == [2]
    saved = r.f.state()
    r.f.close()
    r2 = Run(log, saved=saved)                          # a, x1, x2 reopened from the checkpoint
    assert r2.drain() == []
    os.unlink(log)                                      # b removed
    assert r2.drain() == []
    saved = r2.f.state()
    r2.f.close()
    x2 = os.stat(p(".1")).st_ino
    append(log, 3, 4)                                   # while down: c, the new live file
    os.rename(p(".3"), p(".4"))
    os.rename(p(".2"), p(".3"))
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    append(log, 5)                                      # d
    _gzip(p(".2"), p(".2.gz"))                          # x2 compressed and removed
    os.rename(p(".4"), p(".5"))
    os.rename(p(".3"), p(".4"))
    os.rename(p(".2.gz"), p(".3.gz"))
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    append(log, 6)                                      # e, the live file now
    for age, s in ((30, ".2"), (20, ".1")):
        _age(p(s), age)
    d = os.stat(p(".1")).st_ino                         # d, with x2's inode (see above)
    for t in saved["tails"]:
        for ident in (t, t.get("prev")):
            if isinstance(ident, dict) and ident["ino"] == x2:
                ident["ino"] = d
    r3 = Run(log, saved=saved)
    assert r3.drain() == [3, 4, 5, 6]


def test_file_renamed_empty_then_written_and_compressed_is_read_once(tmp_path, monkeypatch):
    """Chaos seed 876 (--secs 12: a delaycompress rotation, then a compress
    rotation before the writer's HUP): the live file was renamed while
    still empty, its writer then HUP'd onto it, wrote its lines and gzip
    replaced it before we had read any of them. The new live file, empty,
    had the file before as its predecessor (newer by mtime than the empty
    one); the .gz, rotated after that, was not known for a copy of the file
    we were reading through our descriptor, whose fingerprint was still
    that of an empty file: read from its start besides it (13 events twice
    in one run). An open file's fingerprint is widened before its copies
    are looked for."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1)                                      # a
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, p(".1"))
    log.touch()                                         # b, empty
    assert r.drain() == []
    os.rename(p(".1"), p(".2"))                         # compress rotation, b still empty
    os.rename(log, p(".1"))
    log.touch()                                         # c
    _age(p(".1"), 20)
    _age(p(".2"), 10)                                   # a's writer HUP'd only now
    r.f.poll()                                          # b retired, c live after a
    append(p(".1"), 2, 3)                               # b's writer, HUP'd onto it
    _gzip(p(".1"), p(".1.gz"))
    assert r.drain() == [2, 3]
    append(log, 4)
    assert r.drain() == [4]


def test_empty_rotated_file_compressed_while_down_does_not_take_the_live_one_from_0(tmp_path, monkeypatch):
    """Chaos seed 906 (a delaycompress rotation of an empty file, a kill -9,
    then compress rotations while down): the checkpoint named an empty
    rotated file, nothing read of it, and the live file, read up to byte
    347,809, rotated after it. gzip replaced the empty file while we were
    down: its copy, with no head to know it by, was looked for among every
    file rotated after its predecessor, and the checkpoint's live file,
    renamed since, was one of them: read from its start, 347,809 bytes
    again (661 events twice, 256 of them with the correlation counted
    twice: attempt + 1). A file another entry of the checkpoint names by
    its head is read from that entry's offset, never as such a copy."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1)                                      # p
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, p(".1"))
    log.touch()                                         # e, empty
    assert r.drain() == []
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    append(log, 2, 3)                                   # x
    _age(p(".2"), 30)
    _age(p(".1"), 20)
    assert r.drain() == [2, 3]
    saved = r.f.state()
    r.f.close()
    e = next(t for t in saved["tails"] if not t.get("live") and t["fp_len"] == 0)
    assert e["offset"] == 0 and "prev" in e
    append(log, 4)                                      # while down: x written, e compressed,
    _gzip(p(".1"), p(".1.gz"))                          # x rotated
    os.rename(p(".2"), p(".3"))
    os.rename(p(".1.gz"), p(".2.gz"))
    os.rename(log, p(".1"))
    _age(p(".1"), 10)
    append(log, 5)                                      # y
    r2 = Run(log, saved=saved)
    assert r2.drain() == [4, 5]


def test_rotated_file_opened_empty_is_checkpointed_with_its_head(tmp_path, monkeypatch):
    """Chaos seed 936 (the live file removed, then a compress rotation
    before the writer's HUP): the file the writer created at its HUP was
    renamed while still empty, and opened by us among the files rotated
    while the log was missing. It was checkpointed by its inode alone
    (empty when opened, nothing read of it yet) though its writer had
    filled it meanwhile; gzip replaced it while we were down, and on start
    nothing knew it: passed over in silence, its unread lines lost. A
    checkpoint now takes the head of every open file as it is then."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1)                                      # p
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, p(".1"))
    append(log, 2)                                      # r
    assert r.drain() == [2]
    os.unlink(log)                                      # removed
    assert r.drain() == []
    log.touch()                                         # c, at the writer's HUP
    os.rename(p(".1"), p(".2"))                         # a compress rotation, c still empty
    os.rename(log, p(".1"))
    log.touch()                                         # d
    _age(p(".2"), 20)
    r.f.poll()                                          # d live; c opened among the rotated files
    append(p(".1"), 3, 4)                               # c's writer, not HUP'd yet
    saved = r.f.state()                                 # before c is read from
    r.f.close()
    _gzip(p(".1"), p(".1.gz"))                          # while down
    append(log, 5)
    assert Run(log, saved=saved).drain() == [3, 4, 5]


def test_predecessor_noted_empty_is_checkpointed_with_its_head(tmp_path, monkeypatch):
    """Chaos seed 991 (a truncation, then a rename and a delaycompress
    rotation while down): the live file, empty when checkpointed, had as
    its predecessor a file noted while empty (by its inode alone), which
    its writer filled afterwards and we read, and gzip replaced later. On
    start neither was known any more: the files after the predecessor
    (the live file, compressed, and the one after it) were passed over in
    silence (66 events). A predecessor that is an open file is saved with
    that file's head as it is then."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1)                                      # a
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, p(".1"))
    log.touch()                                         # b, empty
    assert r.drain() == []
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    log.touch()                                         # c, after b (empty when noted)
    _age(p(".2"), 50)
    _age(p(".1"), 40)
    assert r.drain() == []
    append(p(".1"), 2)                                  # b's writer, not HUP'd yet
    c = r.f.next_chunk(100)                             # read before a look at c again
    assert [int(t.split("[", 1)[1].split("]", 1)[0]) for t, _ in c.lines] == [2]
    r.f.commit(c)
    saved = r.f.state()
    r.f.close()
    live = next(t for t in saved["tails"] if t.get("live"))
    assert live["offset"] == 0 and live["prev"]["fp_len"] > 0
    _age(p(".1"), 40)
    _gzip(p(".1"), p(".1.gz"))                          # while down: b compressed,
    append(log, 3)                                      # c written, rotated, compressed
    os.rename(p(".2"), p(".3"))
    os.rename(p(".1.gz"), p(".2.gz"))
    os.rename(log, p(".1"))
    _age(p(".1"), 30)
    _gzip(p(".1"), p(".1.gz"))
    append(log, 4)                                      # d
    assert Run(log, saved=saved).drain() == [3, 4]


def test_copytruncate_after_a_chunk_cut_short_reads_the_new_content(tmp_path):
    """Found by the in-process interleaving fuzzer (tests/followfuzz.py):
    a chunk cut short by its line limit leaves the rest of what the
    buffered reader read in its buffer. The file was then copytruncated
    and written again; read from 0, the new content was served from that
    buffer: lines of the old content a second time (they were also read
    from the copy), then the new lines from the wrong offset (lost, or cut
    in the middle). A truncated file is read through a new buffer."""
    log = tmp_path / "mail.log"
    append(log, 1, 2, 3)
    r = Run(log, from_start=True)
    c = r.f.next_chunk(1)                              # line 1; 2 and 3 stay buffered
    assert [t.split("[", 1)[1].split("]", 1)[0] for t, _ in c.lines] == ["1"]
    r.f.commit(c)
    shutil.copyfile(log, tmp_path / "mail.log.1")     # copytruncate
    _age(tmp_path / "mail.log.1", 10)
    os.truncate(log, 0)
    append(log, 40, 41, 42, 43)                        # more than there was
    assert r.drain() == [2, 3, 40, 41, 42, 43]


def test_empty_copy_whose_inode_a_newer_copy_reused_is_no_predecessor(tmp_path, monkeypatch):
    """Chaos seed 1142 (a copytruncate of the empty live file, a stop,
    then a delaycompress and a copytruncate while down): the checkpoint had
    the live file, empty and unread, after the empty copy (both known by
    their inode alone), that copy being drained. While we were down the
    live file was written and rotated, gzip removed the empty copy, and the
    next copytruncate's copy got its inode: on start that copy, newer than
    the live file, passed for its predecessor, and only the files after it
    were read. The live file's lines (34 events) were lost without a word.
    A predecessor known by its inode alone and found after the file it
    came before is not taken for it. (The inode reuse is written into the
    checkpoint: which inode a new file gets is up to the kernel.)"""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    log.touch()                                         # a, empty
    r = Run(log, from_start=True)
    assert r.drain() == []
    shutil.copyfile(log, p(".1"))                       # copytruncate of a, empty: c
    os.truncate(log, 0)
    _age(p(".1"), 50)
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    c = next(t for t in saved["tails"] if not t.get("live"))
    a = next(t for t in saved["tails"] if t.get("live"))
    assert a["prev"]["ino"] == c["ino"] and a["offset"] == c["offset"] == a["fp_len"] == c["fp_len"] == 0
    append(log, 1, 2)                                   # while down: a written,
    os.rename(p(".1"), p(".2"))                         # delaycompress: a rotated,
    os.rename(log, p(".1"))
    log.touch()                                         # b
    _gzip(p(".2"), p(".2.gz"))                          # c compressed and removed
    append(log, 3)
    os.rename(p(".2.gz"), p(".3.gz"))                   # copytruncate of b: its copy d
    os.rename(p(".1"), p(".2"))                         # gets c's inode (see above)
    shutil.copyfile(log, p(".1"))
    os.truncate(log, 0)
    append(log, 4)
    for age, name in ((40, ".3.gz"), (30, ".2"), (20, ".1")):
        _age(p(name), age)
    d_ino = os.stat(p(".1")).st_ino
    c["ino"] = a["prev"]["ino"] = d_ino
    assert Run(log, saved=saved).drain() == [1, 2, 3, 4]


def _nums(chunk) -> list[int]:
    return [int(t.split("[", 1)[1].split("]", 1)[0]) for t, _ in chunk.lines]


def test_copytruncate_of_an_unread_file_between_look_and_read(tmp_path, no_grace):
    """Found by the in-process interleaving fuzzer: the live file, empty
    at our last look, was written, copytruncated and written again before
    we read from it (the follower busy with another file's chunks reads
    without looking in between). Nothing read and no fingerprint: the
    truncation shows in the file only as a copy beside it, which was looked
    for at the next look, and by then we had read the new lines and had a
    fingerprint: the copy's lines were lost without a word. The copies are
    looked for when the first lines of such a file are read, too."""
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    append(log, 1, 2)
    shutil.copyfile(log, tmp_path / "mail.log.1")     # copytruncate before we read
    _age(tmp_path / "mail.log.1", 10)
    os.truncate(log, 0)
    append(log, 3)
    got = []
    while (c := r.f.next_chunk(100)) is not None:     # no look in between
        got += _nums(c)
        r.f.commit(c)
    assert got + r.drain() == [1, 2, 3]


def test_copytruncate_of_an_unread_file_before_a_checkpoint(tmp_path, no_grace):
    """Found by the in-process interleaving fuzzer: the live file, empty
    at our last look, was written, copytruncated and written again, and a
    checkpoint came before our next look. The checkpoint takes the head of
    every open file, and with it the live file had a fingerprint (of its
    new content): at the next look its copy was no longer looked for, and
    the copy's lines were lost without a word. A checkpoint looks for the
    copies of an unread live file before it takes its head."""
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    append(log, 1, 2)
    shutil.copyfile(log, tmp_path / "mail.log.1")     # copytruncate before we read
    _age(tmp_path / "mail.log.1", 10)
    os.truncate(log, 0)
    append(log, 3)
    saved = r.f.state()
    assert r.drain() == [1, 2, 3]
    r.f.close()
    assert Run(log, saved=saved).drain() == [1, 2, 3]


def test_copytruncate_of_an_unread_file_known_by_half_a_line(tmp_path, no_grace):
    """Found by the in-process interleaving fuzzer: the live file held
    only half a line when we looked (nothing read, a fingerprint of fewer
    bytes than a copy is known by), then its writer finished the line and
    it was copytruncated and written again. The truncation was seen (the
    head changed), but the copy could not be told by so short a head, and
    with nothing read no loss was said: its lines were lost without a
    word. With nothing read, every file rotated after its predecessor is
    its copy, as when it had no fingerprint at all."""
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    with open(log, "a") as f:
        f.write(L(1)[:20])
    assert r.drain() == []                             # half a line: held, its head taken
    with open(log, "a") as f:
        f.write(L(1)[20:])
    append(log, 2)
    shutil.copyfile(log, tmp_path / "mail.log.1")     # copytruncate
    _age(tmp_path / "mail.log.1", 10)
    os.truncate(log, 0)
    append(log, 3)
    assert r.drain() == [1, 2, 3]


def test_rotated_files_of_the_same_mtime_are_read_in_rotation_order_on_start(tmp_path, monkeypatch):
    """Chaos seed 1170 (three delaycompress rotations while down, the
    writer fast enough that two files got the same mtime, the kernel's
    clock being coarse): on start the file after the checkpoint's live
    one was opened first (among the files rotated after an empty entry's
    predecessor), the live one after it (from its offset); sorted by
    mtime alone, equal, they kept that order. A delivery line was read
    before its message's arrival line: its event came without size and
    Message-ID. Ties are broken as in rotated_siblings (a higher .N is
    older)."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1)                                      # a
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(log, p(".1"))
    log.touch()                                         # b, empty
    assert r.drain() == []
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    log.touch()                                         # c
    _age(p(".2"), 60)
    _age(p(".1"), 50)
    append(log, 2)
    assert r.drain() == [2]
    saved = r.f.state()
    r.f.close()
    append(log, 3)                                      # while down: c written,
    os.rename(p(".2"), p(".3"))                         # rotated (b compressed),
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    append(log, 4)                                      # d
    _gzip(p(".2"), p(".2.gz"))
    os.rename(p(".3"), p(".4"))                         # and rotated again
    os.rename(p(".2.gz"), p(".3.gz"))
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    append(log, 5)                                      # e
    t = time.time_ns() - 10 * 10**9
    os.utime(p(".2"), ns=(t, t))                        # c and d: the same mtime
    os.utime(p(".1"), ns=(t, t))
    assert Run(log, saved=saved).drain() == [3, 4, 5]


def test_empty_rotated_file_whose_inode_a_copy_of_the_live_one_got(tmp_path, monkeypatch):
    """Found by the in-process interleaving fuzzer: the checkpoint named
    an empty rotated file being drained (known by its inode alone) and the
    live file, read partway. While we were down gzip removed the empty one
    and a copytruncate of the live file made a copy that got its inode: on
    start the copy passed for the empty file and was read from 0, besides
    being the live file's copy (read from its offset): the lines read
    before the stop, twice. A file whose head another entry of the
    checkpoint is known by is that entry's copy, not an entry known by its
    inode alone. (The inode reuse is written into the checkpoint.)"""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    log.touch()                                         # a, empty
    r = Run(log, from_start=True)
    assert r.drain() == []
    os.rename(log, p(".1"))                             # compress rotation of a
    log.touch()                                         # b
    _gzip(p(".1"), p(".1.gz"))
    _age(p(".1.gz"), 50)
    append(log, 1, 2)
    assert r.drain() == [1, 2]
    saved = r.f.state()
    r.f.close()
    a = next(t for t in saved["tails"] if not t.get("live"))
    assert a["offset"] == a["fp_len"] == 0
    append(log, 3)                                      # while down: b written,
    os.rename(p(".1.gz"), p(".2.gz"))                   # copytruncated: its copy c
    shutil.copyfile(log, p(".1"))                       # gets a's inode (see above)
    _age(p(".1"), 40)
    os.truncate(log, 0)
    append(log, 4)
    a["ino"] = os.stat(p(".1")).st_ino
    assert Run(log, saved=saved).drain() == [3, 4]


def test_live_file_reopened_on_start_takes_the_files_read_since_as_predecessor(tmp_path, no_grace):
    """Found by the in-process interleaving fuzzer: the live file, nothing
    read of it, was reopened on start and the files rotated after its
    predecessor while we were down (a copytruncate's copy) were read. It
    kept the checkpoint's predecessor, and when it was copytruncated again
    with still nothing read of it, every file after that predecessor was
    taken for its copy: the first copy, read and let go meanwhile, was
    read again (in one run). Once the files after it are read, the newest
    rotated file is its predecessor."""
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    shutil.copyfile(log, p(".1"))                       # copytruncate: a
    _age(p(".1"), 50)
    os.truncate(log, 0)
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    append(log, 2)                                      # while down: copytruncate: c
    os.rename(p(".1"), p(".2"))
    shutil.copyfile(log, p(".1"))
    _age(p(".1"), 40)
    os.truncate(log, 0)
    with open(log, "a") as f:
        f.write(L(3)[:100])                             # half a line
    r2 = Run(log, saved=saved)
    assert r2.drain() == [2]                            # c read and let go
    with open(log, "a") as f:
        f.write(L(3)[100:])
    os.rename(p(".2"), p(".3"))                         # copytruncate again
    os.rename(p(".1"), p(".2"))
    shutil.copyfile(log, p(".1"))
    _age(p(".1"), 30)
    os.truncate(log, 0)
    append(log, 4)
    assert r2.drain() == [3, 4]


def test_empty_copy_whose_inode_the_live_files_next_copy_got_is_no_predecessor(tmp_path, monkeypatch):
    """Found by the in-process interleaving fuzzer (seed 1142's case, one
    step further): the empty copy named as the live file's predecessor
    lost its inode to the next copy of the live file itself, not to a
    file after it. Found by its inode, the predecessor was that copy, with
    nothing after it: the copy's lines (all of the live file's, nothing
    of it read) were lost. A file with the live file's head is its copy,
    whatever inode it has."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    shutil.copyfile(log, p(".1"))                       # copytruncate, empty: c
    os.truncate(log, 0)
    _age(p(".1"), 50)
    r.f.poll()                                          # c opened
    append(log, 1, 2)
    r.f.poll()                                          # the live file's head taken, nothing read
    saved = r.f.state()
    r.f.close()
    c = next(t for t in saved["tails"] if not t.get("live"))
    live = next(t for t in saved["tails"] if t.get("live"))
    assert live["offset"] == 0 and live["fp_len"] >= fmod.FP_MIN_ALONE and live["prev"]["ino"] == c["ino"]
    append(log, 3)                                      # while down: c compressed,
    _gzip(p(".1"), p(".1.gz"))
    os.rename(p(".1.gz"), p(".2.gz"))                   # copytruncate: d gets c's inode
    shutil.copyfile(log, p(".1"))
    _age(p(".1"), 40)
    os.truncate(log, 0)
    append(log, 4)
    c["ino"] = live["prev"]["ino"] = os.stat(p(".1")).st_ino
    assert Run(log, saved=saved).drain() == [1, 2, 3, 4]


def test_truncated_unread_file_with_a_head_is_known_by_it_not_by_its_predecessor(tmp_path, no_grace):
    """Found by the in-process interleaving fuzzer: the live file, nothing
    read of it but with a head, was copytruncated; its predecessor was an
    empty file known by its inode alone, removed by gzip, whose inode the
    copy got. Looked for as everything rotated after that predecessor, the
    copy passed for the predecessor and nothing was read: the live file's
    lines were lost without a word. A file with a head is looked for by
    it; only one without a usable head (half a line) by its predecessor.
    (The inode reuse is written into the follower's state.)"""
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    append(log, 1, 2)
    r.f.poll()                                          # its head taken, nothing read
    assert r.f.current.offset == 0 and r.f.current.ident.fp_len >= fmod.FP_MIN_ALONE
    shutil.copyfile(log, p(".1"))                       # copytruncate: c
    _age(p(".1"), 10)
    os.truncate(log, 0)
    append(log, 3)
    st = os.stat(p(".1"))
    r.f.current.prev = fmod.Identity(st.st_dev, st.st_ino)   # an empty predecessor's inode, now c's
    assert r.drain() == [1, 2, 3]


def test_truncation_without_a_copy_of_a_file_seen_but_unread_is_said(tmp_path, no_grace):
    """Chaos seed 1212 (a compress rotation, then `> exim_mainlog` 0.3 s
    later while we were still draining the rotated file): the new live
    file had been seen (its head taken) but nothing of it read when it was
    truncated without a copy. Its 194 KB were lost, which cannot be
    helped, but without a word: the loss was said only when some of the
    file had been read. A head we saw and did not read is said too."""
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    append(log, 1, 2)
    r.f.poll()                                          # its head taken, nothing read
    os.truncate(log, 0)
    append(log, 3)
    assert r.drain() == [3]
    assert any("no rotated copy" in m for m in r.logs), r.logs


def _gzip_pending_after_copytruncate(tmp_path):
    """Lines 1 read; then 2 copied to mail.log.1 (copytruncate), 3 and 4
    written to the live file, and gzip writing mail.log.1.gz beside the copy,
    not finished. -> (the Run, the path of the copy, the path of its .gz)."""
    log = tmp_path / "mail.log"
    copy, gz = tmp_path / "mail.log.1", tmp_path / "mail.log.1.gz"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    append(log, 2)
    shutil.copyfile(log, copy)                          # copytruncate
    _age(copy, 10)
    os.truncate(log, 0)
    append(log, 3, 4)
    _gzip_in_place(copy, gz)                            # gzip, not finished
    return r, copy, gz


def test_copy_whose_gzip_finishes_while_we_list_is_found(tmp_path, no_grace, monkeypatch):
    """Found by the in-process interleaving fuzzer (the writer's steps run
    inside the follower's system calls): copytruncate + compress, and gzip
    finished between our listing of the directory and our look at the
    copy. The copy was gone, and its .gz, written beside it, had been left
    out of the listing as gzip's work in progress: neither was read, its
    lines lost. A file that vanishes while we list means listing again."""
    r, copy, gz = _gzip_pending_after_copytruncate(tmp_path)
    real_stat = os.stat
    pending = [True]

    def stat(path, *a, **k):
        if pending and os.fspath(path) == str(copy):
            pending.clear()
            st = real_stat(copy)                     # gzip finishes now
            os.utime(gz, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.unlink(copy)
        return real_stat(path, *a, **k)
    monkeypatch.setattr(fmod.os, "stat", stat)
    assert r.drain() == [2, 3, 4]
    assert not pending


def test_copy_whose_gzip_finishes_before_we_open_it_is_found(tmp_path, no_grace, monkeypatch):
    """The same race one step later (the fuzzer found both): gzip finished
    between our look at the copy and our opening it. "cannot read this
    rotated file: No such file or directory", and the lines in its .gz
    were lost. A file gone when opened means listing again too."""
    r, copy, gz = _gzip_pending_after_copytruncate(tmp_path)
    real_open_log = fmod.open_log
    pending = [True]

    def open_log(path):
        if pending and os.fspath(path) == str(copy):
            pending.clear()
            st = os.stat(copy)                       # gzip finishes now
            os.utime(gz, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.unlink(copy)
        return real_open_log(path)
    monkeypatch.setattr(fmod, "open_log", open_log)

    def read_head(path, st=None):
        with real_open_log(path) as f:
            return f.read(fmod.FP_MAX)
    monkeypatch.setattr(fmod, "read_head", read_head)
    assert r.drain() == [2, 3, 4]
    assert not pending and not any("cannot read" in m for m in r.logs), r.logs


def test_copy_after_an_empty_copy_that_gzip_replaced_is_read(tmp_path, monkeypatch):
    """Found by the in-process interleaving fuzzer: a copytruncate (with
    compress) of the empty live file, then, the live file written but not
    yet looked at again, another copytruncate. The live file's predecessor
    was the empty copy, known by its inode alone; gzip had replaced it, so
    it was not found among the rotated files and the new copy after it was
    not looked for: its lines were lost without a word. We still had the
    empty copy open: the files after it by mtime are the ones after it."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    shutil.copyfile(log, p(".1"))                       # copytruncate of the empty file: c
    os.truncate(log, 0)
    _age(p(".1"), 20)
    _gzip_in_place(p(".1"), p(".1.gz"))
    assert r.drain() == []                              # c opened, empty
    st = os.stat(p(".1"))                               # gzip done
    os.utime(p(".1.gz"), ns=(st.st_atime_ns, st.st_mtime_ns))
    os.unlink(p(".1"))
    append(log, 1, 2)
    os.rename(p(".1.gz"), p(".2.gz"))                   # copytruncate again: d
    shutil.copyfile(log, p(".1"))
    _age(p(".1"), 10)
    os.truncate(log, 0)
    append(log, 3)
    assert r.drain() == [1, 2, 3]


def test_copytruncate_while_we_look_for_copies_after_a_first_read(tmp_path, no_grace, monkeypatch):
    """Found by the in-process interleaving fuzzer: the first lines of the
    live file were read, and while we looked for copies of it made before
    (see above) it was copytruncated and written again. The copy was found
    and read first, and the live file read again from 0: through the
    buffer that still held its old content, the old lines a second time,
    then the new ones from the wrong offset. It is read again through a
    new buffer."""
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    append(log, 1, 2)
    real = fmod.rotated_siblings
    pending = [True]

    def siblings(path):
        if pending:
            pending.clear()
            shutil.copyfile(log, tmp_path / "mail.log.1")   # copytruncate, now
            _age(tmp_path / "mail.log.1", 10)
            os.truncate(log, 0)
            append(log, 3, 4, 5)
        return real(path)
    monkeypatch.setattr(fmod, "rotated_siblings", siblings)
    got = []
    while (c := r.f.next_chunk(1)) is not None:       # the first read (2 stays buffered), the look
        got += _nums(c)
        r.f.commit(c)
    assert not pending
    assert got + r.drain() == [1, 2, 3, 4, 5]


def test_empty_predecessor_compressed_is_found_by_its_mtime(tmp_path, no_grace):
    """Found by the in-process interleaving fuzzer (seed 901): the live
    file, unread, followed an empty copy we had drained and let go, known
    by its inode alone. gzip replaced the copy (a new inode, the copy's
    mtime), and the live file, written meanwhile, was copytruncated: its
    predecessor was found nowhere, so the new copy after it was not looked
    for, and its lines were lost without a word. An empty file is known by
    its mtime too, which gzip gives the .gz: that is where it went."""
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(p(".2"), 1)
    p(".1").touch()                                     # c: an empty copy
    log.touch()
    for age, f in ((30, p(".2")), (20, p(".1")), (10, log)):
        _age(f, age)
    r = Run(log, from_start=True)
    assert r.drain() == [1]                             # c opened, drained, let go
    assert not r.f.draining
    append(log, 2, 3)                                   # not looked at yet
    os.rename(p(".2"), p(".3"))
    _gzip(p(".1"), p(".2.gz"))                          # c compressed
    shutil.copyfile(log, p(".1"))                       # copytruncate of the live file
    _age(p(".1"), 5)
    os.truncate(log, 0)
    append(log, 4)
    assert r.drain() == [2, 3, 4]


def test_live_file_compressed_before_a_checkpoint_is_not_its_own_predecessor(tmp_path, no_grace):
    """Found by the in-process interleaving fuzzer (seed 1271): the live
    file, empty and unread, was renamed away, written by its writer before
    its HUP and compressed, all before we looked again; then a checkpoint.
    It looks for copies of an unread live file, and took the newest
    rotated file, the .gz of that very file, for its predecessor: the next
    start read what came after it, and its line was lost."""
    log = tmp_path / "mail.log"
    append(p1 := tmp_path / "mail.log.1", 1)
    _age(p1, 30)
    log.touch()
    _age(log, 20)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.rename(p1, tmp_path / "mail.log.2")              # a compress rotation, not seen yet
    os.rename(log, p1)
    log.touch()
    append(p1, 2)                                       # the writer, not HUP'd yet
    _age(p1, 10)
    _gzip(p1, tmp_path / "mail.log.1.gz")
    saved = r.f.state()
    r.f.close()
    append(log, 3)
    assert Run(log, saved=saved).drain() == [2, 3]


def test_empty_predecessor_whose_inode_the_live_file_got_is_found_by_its_mtime(tmp_path, monkeypatch):
    """Found by the in-process interleaving fuzzer (seed 498): the
    checkpoint named an empty copy being drained, known by its inode
    alone, as the predecessor of the live file, unread. While we were
    down the live file was written and copytruncated, gzip replaced the
    empty copy, and a rotation created a live file that got its inode.
    On start neither the empty copy nor the predecessor was found: the
    file it had been ("read up to byte 0", said wrongly) was gone, and the
    copy rotated after it was lost. The .gz with its mtime is it. (The
    inode reuse is written into the checkpoint, as above.)"""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    shutil.copyfile(log, p(".1"))                       # copytruncate with nothing new: b
    os.truncate(log, 0)
    _age(p(".1"), 30)
    assert r.drain() == []
    os.rename(p(".1"), p(".2"))
    shutil.copyfile(log, p(".1"))                       # copytruncate of the empty file: c
    os.truncate(log, 0)
    _age(p(".2"), 30)
    _age(p(".1"), 20)
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    c = next(t for t in saved["tails"] if not t.get("live") and t["fp_len"] == 0)
    live = next(t for t in saved["tails"] if t.get("live"))
    assert live["prev"]["ino"] == c["ino"] and live["offset"] == 0
    append(log, 2)                                      # while down
    os.rename(p(".2"), p(".3"))
    _gzip(p(".1"), p(".2.gz"))                          # c compressed and removed
    shutil.copyfile(log, p(".1"))                       # copytruncate
    os.truncate(log, 0)
    for a, b in ((".3", ".4"), (".2.gz", ".3.gz"), (".1", ".2")):
        os.rename(p(a), p(b))
    os.rename(log, p(".1"))                             # a rename rotation
    log.touch()                                         # with c's inode (see above)
    _age(p(".2"), 10)
    _age(p(".1"), 5)
    append(log, 3)
    c["ino"] = live["prev"]["ino"] = os.stat(log).st_ino
    r2 = Run(log, saved=saved)
    assert r2.drain() == [2, 3]
    assert not any("gone" in m for m in r2.logs), r2.logs


def _without_mtime(x):
    """A checkpoint's sources as version 1 wrote them: no mtime."""
    if isinstance(x, dict):
        return {k: _without_mtime(v) for k, v in x.items() if k != "mtime"}
    if isinstance(x, list):
        return [_without_mtime(v) for v in x]
    return x


def test_version_1_checkpoint_is_read_after_an_upgrade(tmp_path, monkeypatch):
    """A checkpoint written by the version before (1: a file followed
    while empty known by its inode alone) is read, and its files known as
    they were then: after rotations while the service was down for the
    upgrade, every line is read once. Version 2 only adds the mtime."""
    from bouncewatch.plugin.checkpoint import VERSION, CheckpointStore
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    os.rename(log, p(".1"))                             # rotated, a new file, then rotated empty
    log.touch()
    append(log, 3)
    assert r.drain() == [3]
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    log.touch()
    for age, f in ((30, p(".2")), (20, p(".1")), (10, log)):
        _age(f, age)
    assert r.drain() == []
    saved = r.f.state()
    r.f.close()
    assert any("mtime" in t for t in saved["tails"]) and VERSION == 2
    state = tmp_path / "state"
    state.mkdir()
    (state / "follow-checkpoint.json").write_text(json.dumps(
        {"version": 1, "sources": {str(log): _without_mtime(saved)}}))
    store = CheckpointStore(state)
    store.lock()
    loaded = store.load()[str(log)]
    append(log, 4)                                      # while down: d written, rotated, compressed
    os.rename(p(".2"), p(".3"))
    os.rename(p(".1"), p(".2"))
    os.rename(log, p(".1"))
    log.touch()
    _age(p(".1"), 5)
    _gzip(p(".1"), p(".1.gz"))
    append(log, 5)
    r2 = Run(log, saved=loaded)
    assert r2.drain() == [4, 5]
    assert not r2.logs, r2.logs


def test_copy_made_between_our_looks_for_copies_of_an_unread_file_is_read(tmp_path, no_grace, monkeypatch):
    """Found by the in-process interleaving fuzzer (seed 110, with writer
    steps inside our system calls): the live file, written but unread, was
    looked at for copies of it, and copytruncated after that listing. The
    newest rotated file, taken next as its predecessor, was that copy: its
    lines passed for read, and were lost without a word. The predecessor
    is one we have open, or the files after the old one are listed again."""
    log = tmp_path / "mail.log"
    old, copy = tmp_path / "mail.log-20261122", tmp_path / "mail.log-20261123"
    append(old, 1)
    _age(old, 30)
    log.touch()
    _age(log, 20)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    append(log, 2)
    real = fmod.rotated_siblings
    pending = [True]

    def siblings(path):
        out = real(path)
        if pending:                                     # copytruncate, after our listing
            pending.clear()
            shutil.copyfile(log, copy)
            _age(copy, 10)
            os.truncate(log, 0)
        return out
    monkeypatch.setattr(fmod, "rotated_siblings", siblings)
    r.f.poll()
    assert not pending
    append(log, 3)
    assert r.drain() == [2, 3]


def test_copytruncate_right_after_the_first_read_of_a_file_is_found(tmp_path, no_grace, monkeypatch):
    """Found by the in-process interleaving fuzzer (seed 611, with writer
    steps inside our system calls): the first lines of the live file (empty
    when opened) were read from 0, and the file was copytruncated before
    we took its head. The head taken was the truncated file's, empty: the
    copy could not be known by it, and the lines after what we had read
    were lost. The head is the one the lines were read from."""
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    append(log, 1, 2)
    real_read, real_refresh = fmod.Tail.read, fmod.Tail.refresh_fingerprint
    pending, armed = [True], []

    def read(self, *a, **k):
        out = real_read(self, *a, **k)
        armed.append(bool(out[0]))
        return out

    def refresh_fingerprint(self, *a):
        if pending and any(armed):                      # copytruncate, right after the read
            pending.clear()
            shutil.copyfile(log, tmp_path / "mail.log.1")
            _age(tmp_path / "mail.log.1", 10)
            os.truncate(log, 0)
        return real_refresh(self, *a)
    monkeypatch.setattr(fmod.Tail, "read", read)
    monkeypatch.setattr(fmod.Tail, "refresh_fingerprint", refresh_fingerprint)
    c = r.f.next_chunk(1)
    got = []
    while c is not None:
        got += _nums(c)
        r.f.commit(c)
        c = r.f.next_chunk(1)
    assert not pending
    append(log, 3)
    assert got + r.drain() == [1, 2, 3]


def test_copy_whose_gzip_finishes_before_we_read_its_head_is_found(tmp_path, no_grace, monkeypatch):
    """The same race between the two above (seed 446): gzip finished
    between our listing and our reading of the copy's head, to know it by.
    The copy was found nowhere ("is gone after truncation", "no rotated
    copy") and the lines in its .gz were lost. A file gone when its head is
    read means listing again too."""
    r, copy, gz = _gzip_pending_after_copytruncate(tmp_path)
    real_read_head = fmod.read_head
    pending = [True]

    def read_head(path, *a):
        if pending and os.fspath(path) == str(copy):
            pending.clear()
            st = os.stat(copy)                       # gzip finishes now
            os.utime(gz, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.unlink(copy)
        return real_read_head(path, *a)
    monkeypatch.setattr(fmod, "read_head", read_head)
    assert r.drain() == [2, 3, 4]
    assert not pending and not r.logs, r.logs


def test_file_renamed_while_we_read_its_head_is_not_taken_for_another(tmp_path, no_grace, monkeypatch):
    """Found by the in-process interleaving fuzzer (seed 134, with writer
    steps inside our system calls): a rename rotation between our listing
    of the rotated files and our reading of the newest one's head, to note
    it as the live file's predecessor. Its name was the live file's by
    then: the predecessor noted had the inode of one and the head of the
    other, and the next start took the wrong one for it (there, 25 lines
    passed over; here, the older file read again). A head is read only of
    the file that was listed."""
    import sys
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(p(".1"), 1)
    _age(p(".1"), 30)
    log.touch()
    _age(log, 20)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    append(log, 2)                                      # not read yet
    real_read_head = fmod.read_head
    pending = [True]

    def read_head(path, *a):
        if pending and sys._getframe(1).f_code.co_name == "_newest_rotated":
            pending.clear()                             # a rename rotation, now
            os.rename(p(".1"), p(".2"))
            os.rename(log, p(".1"))
            log.touch()
        return real_read_head(path, *a)
    monkeypatch.setattr(fmod, "read_head", read_head)
    saved = r.f.state()
    r.f.close()
    assert not pending
    append(log, 3)
    assert Run(log, saved=saved).drain() == [2, 3]


def test_file_gone_while_down_is_said_once_when_the_files_are_listed_again(tmp_path, monkeypatch):
    """What a sysadmin reads, once and true: the file we were reading was
    gone on start, and a file rotated after its predecessor was gone when
    we opened it (gzip done), which means listing again. Each pass said
    "... is gone ...; reading the files rotated after it", twice for one
    loss. It is said by the pass that is not run again."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(p(".1"), 1)
    _age(p(".1"), 30)
    append(log, 2)
    _age(log, 25)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    saved = r.f.state()
    r.f.close()
    os.rename(p(".1"), p(".2"))                         # while down: ours deleted, C rotated after
    os.unlink(log)
    append(p(".1"), 3)
    _age(p(".1"), 20)
    _gzip_in_place(p(".1"), p(".1.gz"))
    append(log, 4)
    real_open_log = fmod.open_log
    pending = [True]

    def open_log(path):
        if pending and os.fspath(path) == str(p(".1")):
            pending.clear()
            st = os.stat(p(".1"))                       # gzip finishes now
            os.utime(p(".1.gz"), ns=(st.st_atime_ns, st.st_mtime_ns))
            os.unlink(p(".1"))
        return real_open_log(path)
    monkeypatch.setattr(fmod, "open_log", open_log)

    def read_head(path, st=None):
        with real_open_log(path) as f:
            return f.read(fmod.FP_MAX)
    monkeypatch.setattr(fmod, "read_head", read_head)
    r2 = Run(log, saved=saved)
    assert not pending
    assert r2.drain() == [3, 4]
    assert [m for m in r2.logs if "is gone" in m] == [
        f"{log}: the file read up to byte {len(L(2))} is gone since the last checkpoint (deleted, or "
        f"rotated where we do not look); reading the files rotated after it and {log} from the start"], r2.logs


def test_empty_entry_and_its_compressed_copy_in_one_checkpoint_are_not_said_gone(tmp_path, monkeypatch):
    """Found by the in-process interleaving fuzzer (seed 387, on the first
    version of the empty file's mtime): the checkpoint named an empty file
    being drained and, opened since, its .gz. On start the empty file's
    entry reopened the .gz as its copy; the .gz's own entry then found its
    file open already and said it gone ("read up to byte 0"): it was being
    read. An entry whose file is open is not gone."""
    monkeypatch.setattr(fmod, "DRAIN_GRACE", 30.0)
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(p(".2"), 1)
    p(".1").touch()                                     # c: empty, being drained
    log.touch()
    for age, f in ((30, p(".2")), (20, p(".1")), (10, log)):
        _age(f, age)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    _gzip(p(".1"), p(".1.gz"))                          # c compressed
    saved = r.f.state()
    r.f.close()
    st = os.stat(p(".1.gz"))                            # as a follower that opened the .gz saved it
    gz = {"path": str(p(".1.gz")), "offset": 0, **fmod.Identity.of(st, b"").to_dict()}
    i = next(i for i, t in enumerate(saved["tails"]) if t["fp_len"] == 0 and not t.get("live"))
    saved["tails"].insert(i + 1, gz)
    append(log, 2)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [2]
    assert not r2.logs, r2.logs


@pytest.mark.parametrize("written", ["before", "during"])
def test_copytruncate_between_our_look_for_copies_and_our_taking_the_head(tmp_path, no_grace, monkeypatch,
                                                                          written):
    """Found by the in-process interleaving fuzzer (seeds 371, 701, with
    writer steps inside our system calls): the live file, unread and known
    by no head, was looked at for copies of it, then copytruncated and
    written again, then its head taken: the new content's. With a head, an
    unread file's copies are no longer looked for, and no change of it was
    seen: the copy's lines were lost without a word. The head is taken
    before the look; a copy made after it is then known by it. Written
    only during the look (seed 240), the file had no head before it: none
    is taken then, and the next look finds the copy."""
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    if written == "before":
        append(log, 1, 2)
    real = fmod.FileFollower._copies_of_unread
    pending = [True]

    def copies_of_unread(self, cur, offset):
        if pending and written == "during":
            append(log, 1, 2)
        out = real(self, cur, offset)
        if pending:                                     # copytruncate, right after our look
            pending.clear()
            shutil.copyfile(log, tmp_path / "mail.log.1")
            _age(tmp_path / "mail.log.1", 10)
            os.truncate(log, 0)
            append(log, 3)
        return out
    monkeypatch.setattr(fmod.FileFollower, "_copies_of_unread", copies_of_unread)
    r.f.poll()
    assert not pending
    assert r.drain() == [1, 2, 3]


def test_copytruncate_between_the_look_for_copies_and_the_head_a_checkpoint_takes(tmp_path, no_grace,
                                                                                  monkeypatch):
    """The same race at a checkpoint (fuzzer seed 291): it looks for the
    copies of an unread live file, then takes the head of every open file;
    a copytruncate in between gave the live file the head of its new
    content, and the copy was never looked for again: its lines were
    lost. The head is the one it had before the look. (A start from that
    checkpoint finds the copy: the files after the predecessor are read.)"""
    log = tmp_path / "mail.log"
    log.touch()
    r = Run(log, from_start=True)
    assert r.drain() == []
    append(log, 1, 2)
    real = fmod.FileFollower._copies_of_unread
    pending = [True]

    def copies_of_unread(self, cur, offset):
        out = real(self, cur, offset)
        if pending:                                     # copytruncate, right after the look
            pending.clear()
            shutil.copyfile(log, tmp_path / "mail.log.1")
            _age(tmp_path / "mail.log.1", 10)
            os.truncate(log, 0)
            append(log, 3)
        return out
    monkeypatch.setattr(fmod.FileFollower, "_copies_of_unread", copies_of_unread)
    saved = r.f.state()
    assert not pending
    assert r.drain() == [1, 2, 3]
    r.f.close()
    assert Run(log, saved=saved).drain() == [1, 2, 3]


def test_removed_live_file_with_no_rotated_file_before_it_reads_the_rotations_since(tmp_path, no_grace):
    """Fuzzer seed 30136 (--remove): the log had never been rotated when
    we checkpointed (no predecessor: "prev" is None), and while we were
    down it was removed, created again by its writer, written to, and
    rotated (compressed). On start the checkpoint's file is gone and it
    has no predecessor to find: we read only the new live file, and the
    lines in the compressed rotation were lost; the message even said
    "reading mail.log from the start", as if nothing else were unread.
    With no rotated file at the checkpoint, every rotated file now came
    after it."""
    log = tmp_path / "mail.log"
    p = lambda s: tmp_path / f"mail.log{s}"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    saved = r.f.state()
    (live,) = saved["tails"]
    assert live["prev"] is None                         # no file had been rotated
    r.f.close()
    os.unlink(log)                                      # while down: removed, created again ...
    append(log, 3, 4)
    _age(log, 30)
    os.rename(log, p(".1"))                             # ... and rotated, compressed
    _gzip(p(".1"), p(".1.gz"))
    append(log, 5)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [3, 4, 5]
    assert [m for m in r2.logs if "is gone" in m] == [
        f"{log}: the file read up to byte {len(L(1)) + len(L(2))} is gone since the last checkpoint (deleted, "
        f"or rotated where we do not look); reading the files rotated after it and {log} from the start"], r2.logs


def test_removed_live_file_with_nothing_rotated_since_says_only_the_live_file(tmp_path, no_grace):
    """The same start with no rotated file at all: only the live file is
    read, and the message names only it."""
    log = tmp_path / "mail.log"
    append(log, 1, 2)
    r = Run(log, from_start=True)
    assert r.drain() == [1, 2]
    saved = r.f.state()
    r.f.close()
    os.unlink(log)
    append(log, 3)
    r2 = Run(log, saved=saved)
    assert r2.drain() == [3]
    assert [m for m in r2.logs if "is gone" in m] == [
        f"{log}: the file read up to byte {len(L(1)) + len(L(2))} is gone since the last checkpoint (deleted, "
        f"or rotated where we do not look); reading {log} from the start"], r2.logs


def test_live_file_rotated_while_we_open_it_after_it_was_missing_is_read_once(tmp_path, no_grace, monkeypatch):
    """Fuzzer seeds 30102, 30254, 30288, 30467 (--remove): the log was
    missing (removed), came back, and was rotated (renamed to .1, a new
    one created) between our opening it and our listing the files
    rotated while it was missing. The file we had just opened was not
    ours yet when the list was read, so .1, the same file, was opened a
    second time to be drained: its lines came out twice in one run."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.unlink(log)
    assert r.drain() == []                              # missing: noted
    append(log, 2, 3)                                   # created again
    real = fmod.rotated_siblings
    pending = [True]

    def rotated_siblings(path):
        if pending:                                     # a rotation while we open it
            pending.clear()
            os.rename(log, tmp_path / "mail.log.1")
            append(log, 4)
        return real(path)
    monkeypatch.setattr(fmod, "rotated_siblings", rotated_siblings)
    assert r.drain() == [2, 3, 4]
    assert not pending


def test_file_deleted_while_read_and_not_read_to_its_end_is_said_on_stop(tmp_path, no_grace):
    """What is left of a file deleted while we had it open goes with our
    descriptor: no start can read it. A stop (not a kill -9) says how much,
    instead of nothing."""
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    with open(log, "ab") as w:                          # a writer with the file open
        os.unlink(log)                                  # deleted (rm), then written before its HUP
        w.write(L(2).encode())
    r.f.close()
    assert r.logs == [f"{log}: deleted while we read it, {len(L(2))} bytes after byte {len(L(1))} not read "
                      "when we stopped; they could not be read"], r.logs


def test_file_deleted_and_read_to_its_end_stops_without_a_word(tmp_path, no_grace):
    log = tmp_path / "mail.log"
    append(log, 1)
    r = Run(log, from_start=True)
    assert r.drain() == [1]
    os.unlink(log)
    r.f.close()
    assert r.logs == []
