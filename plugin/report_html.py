"""The report as one self-contained HTML file: inline CSS, charts drawn here
as inline SVG (no script, no CDN, no fonts to fetch), so it opens offline,
in a mail attachment, or from a ticket.

Every chart is a plain function of numbers to SVG text; bars carry a
``<title>`` so hovering shows the exact count.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Sequence

from .report import FAILED, STATUS_ORDER, TOP, Report, _status_key, fmt_time, pct

COLORS = {"sent": "#2ca02c", "deferred": "#ff7f0e", "bounced": "#d62728", "expired": "#9467bd",
          "removed": "#7f7f7f", "hard": "#d62728", "soft": "#ff7f0e", "other": "#1f77b4", "none": "#2ca02c"}
BAR = "#4e79a7"

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;
color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666} .grid{display:grid;grid-template-columns:1fr 1fr;gap:8px 32px}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
th{background:#f6f6f6} td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:22px} .legend span{margin-right:14px} .sw{display:inline-block;width:10px;height:10px;margin-right:4px}
svg text{font:11px system-ui,sans-serif;fill:#333} code{font-size:12px}
@media (max-width:800px){.grid{grid-template-columns:1fr}}
"""


def render_html(r: Report, title: str = "bouncewatch report") -> str:
    unit, buckets = r.timeline()
    total = sum(r.status.values())
    fails = r.failures()
    span = f"{fmt_time(r.first)} – {fmt_time(r.last)}" if r.first is not None else "no timestamps"
    out: list[str] = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<div class="meta">{total} delivery events, {escape(span)}'
        + (f"<br>sources: {escape(r.source_line())}" if r.sources else "") + "</div>",
        '<div class="cards">',
    ]
    for label, n, color in (("delivered", r.status["sent"], COLORS["sent"]),
                            ("deferred", r.status["deferred"], COLORS["deferred"]),
                            ("bounced", r.status["bounced"], COLORS["bounced"]),
                            ("expired", r.status["expired"], COLORS["expired"]),
                            ("hard failures", r.types["hard"], COLORS["hard"])):
        out.append(f'<div class="card" style="border-top:4px solid {color}"><b>{n}</b>{escape(label)}'
                   f' <span class="meta">{pct(n, total)}</span></div>')
    if r.suppressed is not None:
        out.append(f'<div class="card"><b>{r.suppressed}</b>suppressed addresses</div>')
    out.append("</div>")

    series = [s for s in ("sent", "deferred", "bounced", "expired") if any(c[s] for _, c in buckets)]
    out.append(f"<h2>Timeline ({'hourly' if unit == 'hour' else 'daily'})</h2>")
    out.append(_legend(series))
    out.append(stacked_bars([fmt_time(t, unit) for t, _ in buckets], [[c[s] for s in series] for _, c in buckets],
                            [COLORS[s] for s in series], series))

    out.append('<div class="grid"><div>')
    out.append("<h2>Failures by type</h2>")
    out.append(hbars([(t, n) for t, n in r.types.most_common()], colors=COLORS, total=fails))
    out.append("<h2>Deliveries by status</h2>")
    out.append(_table(["status", "events", "share"],
                      [(s, r.status[s], pct(r.status[s], total)) for s in sorted(r.status, key=_status_key)],
                      (1, 2)))
    out.append("</div><div>")
    out.append("<h2>Failures by category</h2>")
    out.append(hbars(r.categories.most_common(), total=fails))
    out.append("</div></div>")

    out.append('<div class="grid"><div>')
    out.append("<h2>Top domains by deferrals</h2>")
    out.append(hbars([(d or "(none)", c["deferred"]) for d, c in r.top_domains("deferred")],
                     colors={"": COLORS["deferred"]}))
    out.append("</div><div>")
    out.append("<h2>Top domains by bounces</h2>")
    out.append(hbars([(d or "(none)", c["bounced"]) for d, c in r.top_domains("bounced")],
                     colors={"": COLORS["bounced"]}))
    out.append("</div></div>")

    out.append("<h2>By provider</h2>")
    out.append(_table(["provider", "sent", "deferred", "bounced", "expired", "hard", "soft", "other", "failed"],
                      [(p, c["sent"], c["deferred"], c["bounced"], c["expired"], c["hard"], c["soft"], c["other"],
                        pct(sum(c[s] for s in FAILED), sum(c[s] for s in STATUS_ORDER)))
                       for p, c in r.provider_rows()], range(1, 9)))
    out.append("<h2>Top reasons</h2>")
    out.append(_table(["events", "category", "reason (addresses, ids, IPs masked)"],
                      [(n, r.reason_category.get(k, ""), _Code(k)) for k, n in r.reasons.most_common(TOP)], (0,)))
    if r.blocklists:
        out.append("<h2>Blocklist hits</h2>")
        out.append(_table(["blocklist", "hits", "receivers", "first", "last"],
                          [(b, v["hits"], ", ".join(sorted(v["receivers"]))[:200], fmt_time(v["first"]),
                            fmt_time(v["last"]))
                           for b, v in sorted(r.blocklists.items(), key=lambda x: -x[1]["hits"])], (1,)))
    if r.suggestions:
        out.append("<h2>Likely typos in bad domains</h2>")
        out.append(_table(["domain", "meant", "bounces"],
                          [(d, s, n) for (d, s), n in r.suggestions.most_common(TOP)], (2,)))
    if r.alerts:
        out.append("<h2>Alerts</h2>")
        out.append(_table(["time", "alert", "summary"],
                          [(a.get("timestamp") or "-", a.get("alert"), a.get("summary", "")) for a in r.alerts]))
    out.append('<p class="meta">Generated by bouncewatch. Self-contained: no scripts, no external resources.</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


class _Code(str):
    """A cell rendered as <code>."""


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Iterable[int] = ()) -> str:
    num = set(numeric)
    h = "".join(f"<th>{escape(x)}</th>" for x in headers)
    body = []
    for row in rows:
        cells = []
        for i, c in enumerate(row):
            text = f"<code>{escape(str(c))}</code>" if isinstance(c, _Code) else escape(str(c))
            cells.append(f'<td class="n">{text}</td>' if i in num else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="meta">none</td></tr>')
    return f"<table><thead><tr>{h}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _legend(series: Sequence[str]) -> str:
    return '<div class="legend">' + "".join(
        f'<span><i class="sw" style="background:{COLORS[s]}"></i>{escape(s)}</span>' for s in series) + "</div>"


def _nice_max(v: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at least v."""
    if v <= 0:
        return 1
    p = 1.0
    while p * 10 <= v:
        p *= 10
    for m in (1, 2, 5, 10):
        if m * p >= v:
            return m * p
    return 10 * p


def stacked_bars(labels: Sequence[str], values: Sequence[Sequence[int]], colors: Sequence[str],
                 names: Sequence[str], width: int = 1060, height: int = 260) -> str:
    """A stacked column chart: one column per label, one segment per series."""
    if not labels:
        return '<p class="meta">no timestamps</p>'
    left, bottom, top = 48, 40, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    ymax = _nice_max(max((sum(v) for v in values), default=0))
    n = len(labels)
    slot = plot_w / n
    bw = max(1.0, slot * 0.8)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}">']
    for i in range(5):  # grid and y ticks
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_num(ymax * i / 4)}</text>')
    every = max(1, round(n / 12))
    for i, (label, vals) in enumerate(zip(labels, values)):
        x = left + i * slot + (slot - bw) / 2
        y = top + plot_h
        for v, color, name in zip(vals, colors, names):
            if v <= 0:
                continue
            h = plot_h * v / ymax
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{color}">'
                         f"<title>{escape(label)}: {v} {escape(name)}</title></rect>")
        if i % every == 0:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle">'
                         f"{escape(label[5:] if len(label) > 10 else label)}</text>")
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#888"/>')
    parts.append("</svg>")
    return "".join(parts)


def hbars(items: Sequence[tuple[str, int]], colors: dict[str, str] | None = None, total: int | None = None,
          width: int = 520) -> str:
    """Horizontal bars, one per (label, value), longest first as given."""
    items = [(k, v) for k, v in items if v][:TOP]
    if not items:
        return '<p class="meta">none</p>'
    colors = colors or {}
    row, label_w = 20, 170
    height = row * len(items) + 6
    vmax = max(v for _, v in items)
    bar_w = width - label_w - 80
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}">']
    for i, (k, v) in enumerate(items):
        y = 3 + i * row
        w = max(1.0, bar_w * v / vmax)
        color = colors.get(k) or colors.get("") or BAR
        share = f" ({pct(v, total)})" if total else ""
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(_clip(k, 26))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{color}">'
                     f"<title>{escape(k)}: {v}{share}</title></rect>")
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{v}{escape(share)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _num(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 or v == int(v) else f"{v:.1f}"


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"

