/**
 * The site's page frame, stylesheet and page script. Everything is local: system fonts only,
 * plotly.js from assets/, no request leaves the site.
 *
 * @module
 */
import { escapeHtml } from "./markdown.ts";

/** A link to a neighbouring page. */
export interface NavLink {
  href: string;
  title: string;
}

/** What one page needs besides its body. */
export interface PageFrame {
  title: string;
  /** The path from this page to the site root: "" at the top, "../../" two folders down. */
  root: string;
  previous?: NavLink;
  next?: NavLink;
  /** Load plotly.js and the script that draws the figures. */
  plots?: boolean;
}

function nav(frame: PageFrame, where: string): string {
  if (!frame.previous && !frame.next) return "";
  const link = (l: NavLink | undefined, rel: string, arrow: string) =>
    l
      ? `<a rel="${rel}" class="${rel}" href="${escapeHtml(l.href)}">${arrow} ${
        escapeHtml(l.title)
      }</a>`
      : `<span class="${rel}"></span>`;
  return `<nav class="pager ${where}" aria-label="Previous and next notebook">` +
    `${link(frame.previous, "prev", "←")}<a href="${frame.root}index.html">Contents</a>` +
    `${link(frame.next, "next", "→")}</nav>`;
}

/** A whole HTML page around `body`. */
export function page(frame: PageFrame, body: string): string {
  const scripts = frame.plots
    ? `<script src="${frame.root}assets/plotly.min.js" defer></script>\n` +
      `<script src="${frame.root}assets/site.js" defer></script>\n`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(frame.title)}</title>
<link rel="stylesheet" href="${frame.root}assets/style.css">
${scripts}</head>
<body>
<header class="site"><a href="${frame.root}index.html">${escapeHtml(SITE_TITLE)}</a></header>
${nav(frame, "top")}
<main>
${body}
</main>
${nav(frame, "bottom")}
</body>
</html>
`;
}

/** The name at the top of every page. */
export const SITE_TITLE = "Language models from scratch, in TypeScript";

/**
 * Draws each plotly figure from the JSON next to it. When plotly.js did not load or a figure
 * fails, the PNG inside the figure's `<noscript>` is shown instead.
 */
export const SITE_JS = `"use strict";
(function () {
  function showPng(fig) {
    if (fig.querySelector(".plot-fallback")) return;
    var ns = fig.querySelector("noscript");
    var div = document.createElement("div");
    div.className = "plot-fallback";
    div.innerHTML = ns ? ns.textContent : "";
    fig.appendChild(div);
  }
  // The notebooks write titles as strings (plotly.js 1 and 2 style); plotly.js 3 reads only
  // { text }, and would draw the figures without their titles.
  function titlesAsObjects(v) {
    if (Array.isArray(v)) { v.forEach(titlesAsObjects); return v; }
    if (v && typeof v === "object") {
      for (var k in v) {
        if (k === "title" && typeof v[k] === "string") v[k] = { text: v[k] };
        else titlesAsObjects(v[k]);
      }
    }
    return v;
  }
  // One figure per task, so that the page shows and scrolls while the rest are drawn.
  var figs = document.querySelectorAll("figure.plotly-output");
  var next = 0;
  function drawNext() {
    if (next >= figs.length) return;
    var fig = figs[next++];
    var done = function () { setTimeout(drawNext, 0); };
    try {
      var f = titlesAsObjects(JSON.parse(fig.querySelector("script.plotly-figure").textContent));
      var layout = Object.assign({ autosize: true }, f.layout || {});
      window.Plotly.newPlot(fig.querySelector(".plotly-target"), f.data, layout,
        { responsive: true, displaylogo: false })
        .catch(function (e) { console.warn("plot drawn as PNG:", e); showPng(fig); })
        .then(done);
    } catch (e) {
      console.warn("plot drawn as PNG:", e);
      showPng(fig);
      done();
    }
  }
  drawNext();
})();
`;

/** The stylesheet: a readable column, code and outputs set apart, wide things scroll. */
export const STYLE_CSS = `:root {
  --fg: #1d1f23; --muted: #5b6270; --bg: #ffffff; --code-bg: #f5f6f8; --border: #dde1e6;
  --link: #0b5cad; --out-bg: #fcfcfd; --accent: #e8eef7;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--fg); background: var(--bg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
a { color: var(--link); }
header.site { padding: .6rem 1rem; border-bottom: 1px solid var(--border); background: var(--accent); }
header.site a { color: var(--fg); font-weight: 600; text-decoration: none; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
nav.pager {
  max-width: 60rem; margin: 0 auto; padding: .6rem 1.25rem; display: flex; gap: 1rem;
  justify-content: space-between; font-size: .92rem;
}
nav.pager .next { text-align: right; }
nav.pager > * { flex: 1; }
nav.pager > a:nth-child(2) { flex: 0 0 auto; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.6rem 0 .6rem; }
h1 { font-size: 2rem; }
h2 { font-size: 1.45rem; border-bottom: 1px solid var(--border); padding-bottom: .2rem; }
a.anchor { visibility: hidden; text-decoration: none; color: var(--muted); font-weight: normal; }
h1:hover a.anchor, h2:hover a.anchor, h3:hover a.anchor, h4:hover a.anchor { visibility: visible; }
code, pre, .prompt {
  font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .86rem;
}
:not(pre) > code { background: var(--code-bg); padding: .05rem .3rem; border-radius: 3px; }
pre { overflow-x: auto; padding: .7rem .9rem; line-height: 1.45; margin: .5rem 0; }
.cell.markdown pre { background: var(--code-bg); border-radius: 4px; }
.cell.code { margin: 1rem 0; position: relative; }
.cell.code .prompt { color: var(--muted); font-size: .75rem; margin-bottom: .15rem; }
pre.source { background: var(--code-bg); border: 1px solid var(--border); border-radius: 4px; }
.outputs { border-left: 3px solid var(--border); padding-left: .8rem; margin-top: .4rem; }
.outputs pre { background: var(--out-bg); padding: .3rem .5rem; }
.outputs pre.stderr { background: #fff6f4; }
.outputs pre.error { background: #fdecea; color: #8a1c12; }
.outputs img { max-width: 100%; height: auto; }
.outputs .html { overflow-x: auto; }
.table-wrap { overflow-x: auto; margin: .6rem 0; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid var(--border); padding: .25rem .55rem; vertical-align: top; }
th { background: var(--code-bg); }
.outputs table { font-size: .85rem; }
.math {
  font-family: "DejaVu Serif", Georgia, "Times New Roman", serif; font-style: italic;
  background: #f3f0fa; color: #3b2a6b; border-radius: 3px; padding: 0 .25rem;
}
.math.display { display: block; text-align: center; margin: .6rem 0; padding: .4rem; }
figure.plotly-output { margin: .5rem 0; overflow-x: auto; }
blockquote { margin: .6rem 0; padding: .1rem 1rem; border-left: 4px solid var(--border); color: var(--muted); }
ul.toc { padding-left: 0; list-style: none; }
ul.toc > li { margin: .9rem 0; }
ul.toc > li > a { font-size: 1.15rem; font-weight: 600; }
ul.toc ul { margin: .3rem 0; padding-left: 1.2rem; font-size: .93rem; columns: 2 18rem; }
.source-page pre { background: var(--code-bg); border: 1px solid var(--border); border-radius: 4px; }
.muted { color: var(--muted); }
`;
