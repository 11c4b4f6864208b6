"""Snippets of product descriptions with the query's terms highlighted."""

import html
import re

SNIPPET_CHARS = 240


def highlight_snippet(text: str, terms: list[str]) -> str:
    """Returns about SNIPPET_CHARS of text around the first term found, with
    every term wrapped in <mark>; the start of the text when none is found."""
    if not terms:
        return html.escape(text[:SNIPPET_CHARS])
    words = "|".join(re.escape(t) for t in terms)
    pattern = re.compile(rf"\b({words})\b", re.IGNORECASE)
    spans = []
    for m in pattern.finditer(text):
        spans.append((m.start(1), m.end(1)))
        if len(spans) >= 8:
            break
    if not spans:
        return html.escape(text[:SNIPPET_CHARS])
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    return _render(text, start, end, spans)


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")
