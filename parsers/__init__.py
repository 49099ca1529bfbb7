"""Pure parsers: a log line (str) -> record or None. No I/O, no plugin imports."""
