"""What the HTML pages share: escaping, the page frame and its stylesheet.

Every string that reaches a page goes through ``esc``: terminal escape sequences and control
characters are dropped (``reports.render.text.clean``), then ``& < > " '`` are escaped. A phone
supplies model names, version names, installer names and folder paths, and any of them may hold
markup. The Content-Security-Policy forbids scripts and every request, so a page works offline and
can fetch nothing even if something slipped through.
"""

from __future__ import annotations

import html

from reports.i18n import Lang
from reports.render.text import clean

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def esc(value: object) -> str:
    """``value`` as text safe inside an HTML element or a quoted attribute."""
    return html.escape(clean(str(value)), quote=True)


def page(lang: Lang, title: str, body: str, style: str = "") -> bytes:
    """One self-contained document: inline CSS (``STYLE``, then ``style``), no script, no
    external asset."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang.value}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}{style}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    ).encode()


STYLE = """
:root{--ink:#1d2433;--muted:#5b6475;--line:#d8dde6;--bg:#f5f7fa;--card:#fff;
--fail:#b42318;--fail-bg:#fdecea;--pass:#1a7f37;--pass-bg:#e6f4ea;--warn:#9a6700;--warn-bg:#fff4d6;
--manual:#2956a8;--manual-bg:#e8effb;--na:#6b7280;--na-bg:#f0f1f3}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 "Segoe UI","Helvetica Neue",
"DejaVu Sans",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 32px 48px}main.wide{max-width:1500px}
h1{font-size:24px;margin:0 0 2px}
h2{font-size:17px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--ink)}
h3{font-size:15px;margin:0}
.sub{color:var(--muted);margin:0}
.masthead{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;
border-bottom:4px solid var(--ink);padding-bottom:10px}
.brand{font-weight:700;letter-spacing:.06em;color:var(--muted);font-size:12px;text-transform:uppercase}
.overview{display:grid;grid-template-columns:1.4fr 1fr;gap:16px;margin-top:18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:14px 16px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.verdict{border-radius:6px;padding:14px 16px;border:1px solid}
.verdict .label{font-size:12px;text-transform:uppercase;letter-spacing:.06em}
.verdict .text{font-size:20px;font-weight:700;margin:2px 0 6px}
.verdict.non_compliant{background:var(--fail-bg);border-color:var(--fail);color:var(--fail)}
.verdict.compliant{background:var(--pass-bg);border-color:var(--pass);color:var(--pass)}
.verdict.incomplete{background:var(--warn-bg);border-color:var(--warn);color:var(--warn)}
.score{font-size:15px;color:var(--ink)}
.counts{display:flex;flex-wrap:wrap;gap:6px;margin-top:10px}
.note{color:var(--warn);font-weight:600}
table{width:100%;border-collapse:collapse;background:var(--card);font-size:13px}
th,td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}
td.num{white-space:nowrap}td.app{min-width:150px}td.data{min-width:250px;width:32%}
.path .leaf{color:var(--ink)}
.path{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:11.5px;color:var(--muted);
overflow-wrap:anywhere}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;
white-space:nowrap;border:1px solid transparent}
.s-fail,.s-failed{color:var(--fail);background:var(--fail-bg);border-color:#f3b8b1}
.s-pass{color:var(--pass);background:var(--pass-bg);border-color:#b5dfc1}
.s-unknown,.s-error{color:var(--warn);background:var(--warn-bg);border-color:#f0d48a}
.s-manual{color:var(--manual);background:var(--manual-bg);border-color:#b9cbef}
.s-informational,.s-attested{color:#4b5563;background:#eef2f7;border-color:#cfd6e0}
.s-not_applicable,.s-waived{color:var(--na);background:var(--na-bg);border-color:#d9dbe0}
.sev{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.check{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--na);
border-radius:6px;padding:12px 16px;margin:10px 0;break-inside:avoid}
.check.w-fail{border-left-color:var(--fail)}.check.w-pass{border-left-color:var(--pass)}
.check.w-unknown,.check.w-error{border-left-color:var(--warn)}
.check.w-manual{border-left-color:var(--manual)}.check.w-informational{border-left-color:#8a94a6}
.check header{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.check .id{font-family:"DejaVu Sans Mono",Consolas,monospace;font-weight:700}
.check .ref{color:var(--muted);font-size:12.5px;margin:4px 0}
.check .why{margin:6px 0}
.outcomes{list-style:none;padding:0;margin:8px 0}
.outcomes>li{padding:6px 0;border-top:1px dashed var(--line)}
.outcomes .about{font-weight:600}
.outcomes ul{margin:4px 0 0 18px;padding:0}
.src{color:var(--muted);font-size:12px}
.fix{background:#f8fafc;border:1px solid var(--line);border-radius:4px;padding:8px 12px;margin-top:8px}
.fix ol{margin:4px 0 0 18px;padding:0}
.fine{columns:2;list-style:none;padding:0;margin:8px 0}
.fine li{break-inside:avoid;padding:2px 0}
.attest table td{height:44px}
.attest .box{width:16px;height:16px;border:1.5px solid var(--ink);display:inline-block}
.sign{border-bottom:1px solid var(--ink);min-width:140px;height:28px}
footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}
.grid td.cell{text-align:center;font-weight:700;padding:4px 2px;min-width:30px}
.grid th.v{writing-mode:vertical-rl;transform:rotate(180deg);font-family:"DejaVu Sans Mono",monospace;
font-size:11.5px;padding:6px 2px}
@page{size:A4;margin:14mm 12mm 16mm}
@media print{body{background:#fff;font-size:9.5pt}table{font-size:8.5pt}main{max-width:none;padding:0}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
h2{break-after:avoid}.card,.check,tr{break-inside:avoid}
.attest{break-before:page}.grid{font-size:9pt}}
@media screen and (max-width:760px){.overview{grid-template-columns:1fr}.fine{columns:1}}
"""
