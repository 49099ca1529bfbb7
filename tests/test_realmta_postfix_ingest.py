"""Returned mail through Debian's real Postfix into ``bouncewatch ingest-mail``,
configured exactly as contrib/postfix/ingest-mail.md says (its master.cf,
main.cf and transport blocks are read from the document, only paths and the
pipe's user put in): a VERP sender, a recipient the scripted peer refuses
with 550 5.1.1, the non-delivery report Postfix itself writes, routed to the
pipe, and the event ingest-mail makes of it.

This is the path the log cannot show: Postfix's own bounce message as
ingest-mail receives it (flags=DRXq, ${original_recipient}, the null sender).

Needs root (namespaces, the postfix account) and the Debian package;
skips with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import time
from pathlib import Path

import pytest

from realmta.postfix import PostfixInstance, available
from realmta.scenarios import BY_NAME, NAMESERVER, World, unpacked_or_skip

pytestmark = [pytest.mark.realmta, pytest.mark.slow]

DOC = Path(__file__).resolve().parent.parent / "contrib" / "postfix" / "ingest-mail.md"
DOMAIN = BY_NAME["user_unknown"].domain   # the peer answers 550 5.1.1 for every recipient there
PIPE_USER = "nobody"


def blocks(doc: str) -> dict[str, str]:
    """The document's fenced blocks, each by the last text line before it."""
    out: dict[str, str] = {}
    label, body = "", None
    for line in doc.splitlines():
        if line.startswith("```"):
            if body is None:
                body = []
            else:
                out[label] = "".join(x + "\n" for x in body)
                body = None
        elif body is not None:
            body.append(line)
        elif line.strip():
            label = line.strip()
    return out


def settings_of(block: str) -> dict[str, str]:
    return {k.strip(): v.strip() for k, v in (x.split("=", 1) for x in block.splitlines()
                                              if x.strip() and not x.lstrip().startswith("#"))}


def test_postfix_bounce_through_the_documented_pipe(tmp_path: Path) -> None:
    tree, _ = unpacked_or_skip("postfix", lambda tree, _libs: available(tree))
    bw = shutil.which("bouncewatch", path=str(Path(os.sys.executable).parent))
    assert bw, "the bouncewatch console script beside this Python"
    doc = blocks(DOC.read_text())
    master = doc["## master.cf"]
    main = settings_of(doc["## main.cf"])
    transport = doc["`/etc/postfix/transport` (then `postmap /etc/postfix/transport`):"]
    world = World().start_or_skip()
    try:
        pf = PostfixInstance(world.ns, tree, nameserver=NAMESERVER)
        state = pf.base / "bouncewatch"
        state.mkdir()
        nobody = pwd.getpwnam(PIPE_USER)
        os.chown(state, nobody.pw_uid, nobody.pw_gid)
        for path in (Path(os.sys.executable), Path(bw), Path(__file__)):  # the interpreter, the venv, the code
            world.ns.reachable(path, pf.base / "reachable")
        r = world.ns.run(["runuser", "-u", PIPE_USER, "--", bw, "--version"], check=False)
        if r.returncode != 0:
            pytest.skip(f"{PIPE_USER} cannot run {bw} (the checkout is not readable to other users): "
                        + (r.stderr or r.stdout).strip()[-200:])
        # the document's blocks, with this test's paths and pipe user
        master = (master.replace("user=bouncewatch", f"user={PIPE_USER}")
                  .replace("/usr/local/bin/bouncewatch", bw).replace("/var/lib/bouncewatch", str(state)))
        (pf.base / "transport").write_text(transport)
        main["transport_maps"] = main["transport_maps"].replace("hash:/etc/postfix/transport",
                                                                f"texthash:{pf.base / 'transport'}")
        pf.settings.update(main)
        pf.master_cf = "".join(x + "\n" for x in master.splitlines() if not x.startswith("#"))
        try:
            pf.start()
            message = f"From: <bounces@bounces.example.org>\nTo: <u1@{DOMAIN}>\nSubject: list mail\n\nbody\n"
            pf.command("sendmail", "-i", "-XV", "-f", "bounces@bounces.example.org", "--", f"u1@{DOMAIN}",
                       input=message)
            verp = f"bounces+u1={DOMAIN}@bounces.example.org"
            pf.wait_for(lambda lines: any(f"to=<{verp}>, relay=bouncewatch" in x and "status=sent" in x
                                          for x in lines),
                        60, "the bounce delivered through the bouncewatch pipe")
            events_file = state / "mail-events.jsonl"
            deadline = time.monotonic() + 10
            while not (events_file.exists() and events_file.read_text().strip()):
                assert time.monotonic() < deadline, "ingest-mail wrote no event"
                time.sleep(0.1)
            events = [json.loads(x) for x in events_file.read_text().splitlines()]
            log = pf.log_text()
        finally:
            pf.close()
    finally:
        world.close()
    assert f"to=<u1@{DOMAIN}>" in log and "status=bounced" in log
    assert len(events) == 1, events
    e = events[0]
    assert (e["recipient"], e["status"], e["dsn"]) == (f"u1@{DOMAIN}", "bounced", "5.1.1"), e
    assert e["classification"]["category"] == "bad_mailbox" and e["classification"]["type"] == "hard", e
