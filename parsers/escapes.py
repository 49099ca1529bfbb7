"""Octal escapes of non-ASCII bytes (``\\320\\237``) -> UTF-8 text.

Exim (``string_printing``) and Sendmail (its syslog lines) both write the
bytes of a UTF-8 reply as backslash-octal escapes. Decoding them gives rules the receiver's own words (a Russian
"mailbox does not exist" is only matched as Cyrillic text). One decoder for
both, so both MTAs read the same way.
"""

from __future__ import annotations

import re

# "\\\\" is matched too, so an escaped backslash followed by digits
# ("\\\\320") is skipped as a unit and never read as an octal escape.
_OCTAL = re.compile(r"\\\\|(?:\\[2-3][0-7][0-7])+")


def unescape(text: str) -> str:
    """Runs of octal escapes of bytes 0x80-0xFF that form valid UTF-8 become
    that text; runs that are not valid UTF-8 stay escaped (nothing is lost),
    and ``\\\\`` and control-character escapes are left alone."""
    if "\\2" not in text and "\\3" not in text:
        return text  # no escape of a byte 0x80-0xFF: nothing to decode (a literal "\\n" is common)
    return _OCTAL.sub(_octal_run, text)


def _octal_run(m: re.Match[str]) -> str:
    run = m[0]
    if run == "\\\\":
        return run
    try:
        return bytes(int(run[k + 1:k + 4], 8) for k in range(0, len(run), 4)).decode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return run
