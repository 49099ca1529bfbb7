"""Where is this machine's MTA log? Used when ``follow`` gets no PATH.

In order: the log a running MTA is configured to write (Postfix's
``maillog_file``, Exim's ``log_file_path``), then the syslog files the
distributions use, then the journal. The answer says how it was found, so
the operator can tell a guess from a fact.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field

SYSLOG_FILES = ("/var/log/mail.log", "/var/log/maillog", "/var/log/exim4/mainlog",
                "/var/log/exim/main.log", "/var/log/exim/mainlog")
JOURNAL = "journal:"
# What journalctl's "No journal files were opened due to insufficient
# permissions" asks of the operator.
JOURNAL_READERS = "run as root, or as a member of group adm or systemd-journal"


@dataclass
class Found:
    """``paths`` empty: nothing found; ``tried`` says what was looked at, and
    its last item why the journal was not taken."""
    paths: list[str]
    why: str
    tried: list[str] = field(default_factory=list)


def running_mtas() -> list[str]:
    """Names of MTAs with a running process (psutil)."""
    try:
        import psutil
    except ImportError:
        return []
    seen = []
    for p in psutil.process_iter(["name", "exe", "cmdline"]):
        try:
            name = p.info["name"] or ""
            exe = p.info["exe"] or ""
            cmd = " ".join(p.info["cmdline"] or [])
        except Exception:
            continue
        if name == "master" and ("postfix" in exe or "postfix" in cmd):
            mta = "postfix"
        elif name in ("exim4", "exim"):
            mta = "exim"
        elif name in ("sendmail", "sm-mta") or cmd.startswith("sendmail:"):
            mta = "sendmail"
        else:
            continue
        if mta not in seen:
            seen.append(mta)
    return seen


def _run(argv: list[str]) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def postfix_log() -> str | None:
    """``maillog_file`` when Postfix logs to a file itself (postlogd)."""
    return _run(["postconf", "-h", "maillog_file"]) or None


def exim_log() -> str | None:
    """The main log from Exim's ``log_file_path`` (``%s`` -> ``main``);
    None when it logs to syslog only."""
    for exe in ("exim4", "exim"):
        out = _run([exe, "-bP", "log_file_path"])
        if out is None:
            continue
        value = out.split("=", 1)[1].strip() if "=" in out else ""
        for part in value.split(":"):
            part = part.strip()
            if part and part != "syslog":
                return part.replace("%s", "main")
        if value:
            return None
        return "/var/log/exim4/mainlog" if exe == "exim4" else "/var/log/exim/main.log"
    return None


def journal_mail() -> str | None:
    """None when the journal holds mail records (SYSLOG_FACILITY=2), else why
    not, as the operator should read it: a user outside the groups that may
    read the system journal gets an error from journalctl, not an empty
    answer, and must not be told there is no mail."""
    exe = shutil.which("journalctl")
    if exe is None:
        return "no journalctl"
    try:
        r = subprocess.run([exe, "-q", "-n", "1", "-o", "cat", "SYSLOG_FACILITY=2"],
                           capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"journalctl did not answer ({e})"
    if r.returncode == 0:
        return None if r.stdout.strip() else "the journal has no mail records"
    err = (r.stderr.strip().splitlines() or [f"exit status {r.returncode}"])[-1].rstrip(".")
    if "insufficient permissions" in err:
        return f"the journal cannot be read by this user ({err}): {JOURNAL_READERS}"
    return f"journalctl failed: {err}"


def find_mta_log() -> Found:
    tried: list[str] = []
    for mta in running_mtas():
        path = postfix_log() if mta == "postfix" else exim_log() if mta == "exim" else None
        if path:
            how = "postconf -h maillog_file" if mta == "postfix" else "exim -bP log_file_path"
            if os.path.exists(path):
                return Found([path], f"{mta} is running and writes {path} ({how})", tried)
            tried.append(f"{path} ({how}; not there yet)")
            return Found([path], f"{mta} is running and will write {path} ({how}); waiting for it",
                         tried)
    for path in SYSLOG_FILES:
        if os.path.isfile(path):
            return Found([path], f"found {path}", tried)
        tried.append(path)
    why_not = journal_mail()
    if why_not is None:
        return Found([JOURNAL], "no log file; the journal has mail records (SYSLOG_FACILITY=2)", tried)
    tried.append(why_not)
    return Found([], "no MTA log found", tried)
