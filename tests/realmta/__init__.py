"""Test helpers that drive real MTAs (Debian's packages, unpacked, never
installed) inside a throw-away namespace against a scripted SMTP peer and
DNS stub: debs (fetch + unpack), netns (the namespace), peer (SMTP), dns
(the stub), postfix (a private instance). Exim and Sendmail modules go
beside postfix.py and reuse the rest."""
