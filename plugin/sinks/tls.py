"""The TLS client context of the network sinks (syslog+tls, https), built
once at start from the sink's ``ca``, ``cert`` and ``key`` options so that
an unreadable or invalid file is a configuration error, not a delivery
failure at 3 a.m. Verification is always on: the system store, or only
``ca`` when given (a private SIEM CA should not widen what else we trust);
host names are checked; TLS 1.2 at least."""

from __future__ import annotations

import ssl

from . import Options


def client_context(o: Options) -> ssl.SSLContext:
    ca, cert, key = o.readable_file("ca"), o.readable_file("cert"), o.readable_file("key")
    try:
        ctx = ssl.create_default_context(cafile=ca)
    except (ssl.SSLError, OSError) as e:
        raise o.error("ca", f"cannot load {ca}: {describe(e)}") from None
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if key and not cert:
        raise o.error("cert", "a client key needs its certificate (cert=PATH)")
    if cert:
        try:
            ctx.load_cert_chain(cert, key)
        except (ssl.SSLError, OSError) as e:
            raise o.error("cert", f"cannot load client certificate {cert}: {describe(e)}") from None
    return ctx


def describe(e: BaseException) -> str:
    if isinstance(e, ssl.SSLCertVerificationError):
        return f"certificate verification failed ({e.verify_message})"
    return getattr(e, "strerror", None) or str(e) or type(e).__name__
