"""``bouncewatch report``: terminal tables, state-dir input, and the HTML file
rendered by a real headless Chromium (Debian's package)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from statelog import at, delivery

from bouncewatch.plugin.report import Report, normalize_reason, render_text
from bouncewatch.plugin.report_html import render_html


def write_log(path: Path) -> None:
    lines = []
    for i in range(30):
        day = i / 3
        lines += delivery(at(day), f"S{i}", f"ok{i}@gmail.com", "sent", mx="gmail-smtp-in.l.google.com")
        if i % 3 == 0:
            lines += delivery(at(day, 5), f"H{i}", f"gone{i}@corp.example", "hard")
        if i % 4 == 0:
            lines += delivery(at(day, 9), f"B{i}", f"b{i}@other.example", "spamhaus")
        if i % 5 == 0:
            lines += delivery(at(day, 11), f"D{i}", f"d{i}@down.example", "timeout")
    lines += delivery(at(2), "T1", "bob@gamil.com", "nxdomain")
    path.write_text("\n".join(lines) + "\n")


def bw(*args):
    return subprocess.run([sys.executable, "-m", "bouncewatch", *args], capture_output=True, text=True, timeout=120)


def test_normalize_reason_masks_addresses_ids_and_ips():
    a = normalize_reason("host mx.a.example[192.0.2.1] said: 550 5.1.1 <bob@a.example>: user unknown; "
                         "id=1A2B3C4D5E (in reply to RCPT TO command)")
    b = normalize_reason("host mx.b.example[198.51.100.2] said: 550 5.1.1 <eve@b.example>: user unknown; "
                         "id=9F8E7D6C5B (in reply to RCPT TO command)")
    c = normalize_reason("delivery temporarily suspended: host mx.c.example[198.51.100.3] said: 550 5.1.1 "
                         "<ann@c.example>: user unknown; id=0A1B2C3D4E (in reply to RCPT TO command)")
    assert a == b == c == "550 5.1.1 <addr>: user unknown; <id> (in reply to RCPT TO command)"
    assert normalize_reason("host mx.a.example[192.0.2.1] refused to talk to me: 554 5.7.1 go away") == \
        normalize_reason("host mx.b.example[198.51.100.2] refused to talk to me: 554 5.7.1 go away") == \
        normalize_reason("SMTP error from remote mail server after initial connection: 554 5.7.1 go away") == \
        "554 5.7.1 go away (at the greeting)"
    assert normalize_reason("connect to mx.x[2001:db8::1]:25: Connection refused") == \
        "connect to <host>: Connection refused"
    assert normalize_reason("x" * 100_000 + "@" + "a." * 50_000)  # long hostile text: linear, bounded


def test_text_report(tmp_path):
    log = tmp_path / "mail.log"
    write_log(log)
    r = bw("report", str(log))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for title in ("Deliveries by status", "Failures by type", "Failures by category",
                  "Top receiving domains by deferrals", "Top receiving domains by bounces", "Top reasons",
                  "Blocklist hits", "By provider", "Timeline (daily)", "Likely typos in bad domains"):
        assert title in out
    status = out.split("Deliveries by status")[1].split("\n\n")[0]
    assert "sent          30" in status and "bounced       19" in status and "deferred       6" in status
    assert "spamhaus-zen     8" in out
    assert "bob@gamil.com" not in out and "gamil.com" in out and "gmail.com" in out
    # aligned: every row of a table is as wide as its rule line
    block = out.split("By provider\n===========\n")[1].split("\n\n")[0].splitlines()
    assert len({len(block[1])} | {len(x) for x in block[:1]}) == 1


def test_report_from_state_dir_matches_files(tmp_path):
    log = tmp_path / "mail.log"
    write_log(log)
    state = tmp_path / "state"
    assert bw("parse", "--state-dir", str(state), str(log)).returncode == 0
    from_files = bw("report", str(log)).stdout
    from_state = bw("report", "--state-dir", str(state))
    assert from_state.returncode == 0, from_state.stderr
    cut = lambda t: t.split("Deliveries by status")[1].split("Top reasons")[0]  # noqa: E731
    assert cut(from_state.stdout) == cut(from_files)
    assert "Suppressed addresses: 11" in from_state.stdout  # 10 hard + the typo domain
    assert "Alerts" in from_state.stdout and "blocklisted" in from_state.stdout


def test_html_is_self_contained(tmp_path):
    log = tmp_path / "mail.log"
    write_log(log)
    out = tmp_path / "r.html"
    assert bw("report", str(log), "--html", str(out)).returncode == 0
    html = out.read_text()
    assert "<script" not in html and 'src="http' not in html and "href=\"http" not in html
    assert html.count("<svg") >= 5 and "<rect" in html


def _event(status: str, category: str, typ: str, provider: str | None) -> dict:
    return {"status": status, "timestamp": "2026-11-20T10:00:00+00:00", "recipient_domain": "example.org",
            "reason": "x", "classification": {"type": typ, "category": category, "provider": provider}}


def test_failure_tables_hold_failures_only():
    """Sendmail's msp hands mail to the local MTA (status handed_over,
    category delivered, type none): nothing was refused, so it is no
    failure; the failure tables' shares add up to their whole, and a
    provider seen only in hand-overs gets no row of zeros."""
    r = Report()
    for ev in ([_event("handed_over", "delivered", "none", "gmail")] * 5
               + [_event("bounced", "bad_mailbox", "hard", "yahoo")] * 3
               + [_event("removed", "removed_by_admin", "other", None)]):
        r.add(ev)
    assert r.types == {"hard": 3, "other": 1} and "delivered" not in r.categories
    assert r.failures() == 4
    out = render_text(r)
    types = out.split("Failures by type")[1].split("\n\n")[0]
    assert "75.0%" in types and "25.0%" in types
    providers = out.split("By provider")[1].split("\n\n")[0]
    assert "yahoo" in providers and "gmail" not in providers


def test_multiline_reply_prefixes_are_folded():
    reason = ("host gmail-smtp-in.l.google.com[192.0.2.7] said: 550-5.7.1 [192.0.2.1 12] Our system has "
              "detected that this 550-5.7.1 message is likely unsolicited mail. 550 5.7.1 "
              "https://support.google.com/mail/answer/188131 x1si123456abc.12 - gsmtp (in reply to end of DATA command)")
    assert normalize_reason(reason) == (  # cut at 160 characters
        "550 5.7.1 [<ip> 12] Our system has detected that this message is likely unsolicited mail. "
        "https://support.google.com/... <id> - gsmtp (in reply to END OF DATA …")


def test_one_reply_is_one_row_whichever_mta_logged_it():
    """Postfix's, Exim's (old and new wording, a multi-line reply as Exim
    writes it) and Sendmail's reasons for one reply group together, and
    Exim's lead-in does not fill the column."""
    postfix = ("host mx.a.example[192.0.2.1] said: 550-5.1.1 <bob@a.example>: no such user 550 5.1.1 "
               "see https://a.example/help?id=1 (in reply to RCPT TO command)")
    exim = ("SMTP error from remote mail server after RCPT TO:<eve@b.example>: "
            "550-5.1.1 <eve@b.example>: no such user\\n550 5.1.1 see https://a.example/help?id=2")
    exim_old = ("SMTP error from remote mail server after RCPT TO:<ann@c.example>: host mx.c.example "
                "[198.51.100.3]: 550-5.1.1 <ann@c.example>: no such user\\n550 5.1.1 see https://a.example/x")
    want = "550 5.1.1 <addr>: no such user see https://a.example/... (in reply to RCPT TO command)"
    assert normalize_reason(postfix) == normalize_reason(exim) == normalize_reason(exim_old) == want
    deferred = normalize_reason("host mx.a.example[192.0.2.1] said: 451 4.7.1 Greylisted, try again in 300 "
                                "seconds (in reply to RCPT TO command)")
    assert deferred == normalize_reason("SMTP error from remote mail server after RCPT TO:<x@y.example>: "
                                        "451 4.7.1 Greylisted, try again in 300 seconds")
    # Sendmail names no command: its row is the reply's own
    assert normalize_reason("Deferred: 451 4.7.1 Greylisted, try again in 300 seconds") == \
        "451 4.7.1 Greylisted, try again in 300 seconds"
    # a reason with no reply keeps its words
    assert normalize_reason("retry timeout exceeded") == "retry timeout exceeded"
    assert normalize_reason("Host or domain name not found. Name service error for name=a.example type=MX: "
                            "Host not found, try again").startswith("Host or domain name not found.")


def test_many_sources_are_summed_up():
    r = Report()
    r.sources = [f"/var/log/mail.log.{i}" for i in range(40)]
    assert r.source_line() == ("/var/log/mail.log.0, /var/log/mail.log.1, /var/log/mail.log.2, "
                               "/var/log/mail.log.3 and 36 more")
    r.sources = r.sources[:5]
    assert r.source_line().endswith("mail.log.3, /var/log/mail.log.4")


def test_empty_report():
    r = Report()
    text = render_text(r)
    assert "0 delivery events" in text and "nothing to report" in text and "Failures by type" not in text
    assert "no timestamps" in render_html(r)


# -- headless Chromium -------------------------------------------------------------------
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                        "-o", "DPkg::Lock::Timeout=120", "chromium"], capture_output=True, timeout=900)
        return shutil.which("chromium")
    return None


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


@pytest.mark.slow
def test_html_renders_in_headless_chromium(tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium (apt-get install chromium failed or not root)")
    log = tmp_path / "mail.log"
    write_log(log)
    html = tmp_path / "report.html"
    assert bw("report", str(log), "--html", str(html)).returncode == 0
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}"]
    url = html.as_uri()
    dom = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True, timeout=180)
    if dom.returncode != 0 or "<svg" not in dom.stdout:
        pytest.skip(f"chromium could not run here: {dom.stderr.strip()[-300:]}")
    assert dom.stdout.count("<svg") >= 5 and dom.stdout.count("<rect") >= 20
    shot = tmp_path / "shot.png"
    subprocess.run(flags + [f"--screenshot={shot}", "--window-size=1200,1400", "--hide-scrollbars", url],
                   capture_output=True, timeout=180)
    assert shot.exists() and shot.stat().st_size > 5000
    width, bpp, rows = _png_pixels(shot.read_bytes())
    seen = {}
    for name, rgb in (("bounced", (0xD6, 0x27, 0x28)), ("sent", (0x2C, 0xA0, 0x2C)), ("bar", (0x4E, 0x79, 0xA7))):
        seen[name] = sum(1 for row in rows for x in range(0, width * bpp, bpp)
                         if abs(row[x] - rgb[0]) < 8 and abs(row[x + 1] - rgb[1]) < 8 and abs(row[x + 2] - rgb[2]) < 8)
    assert all(n > 200 for n in seen.values()), seen  # the charts' bars were painted
    colors = {row[x:x + 3] for row in rows[::10] for x in range(0, width * bpp, bpp * 10)}
    assert len(colors) > 20  # not a blank page
