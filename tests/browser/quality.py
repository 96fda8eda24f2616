"""Checks the browser tests run on the pages they open, in the page itself (no script
of ours is served: the Content Security Policy stays as it is).

- `CONTRAST`: the contrast ratio of every visible text against its effective
  background (WCAG 2.1 AA: 4.5:1, 3:1 for large text), as `page.evaluate` returns it.
  The page fixture runs it on every page load (an init script reports through a
  binding) and again on each screenshot and at the end of the test.
- `VISIBLE_TEXT`: the text a reader sees, with where it stands.
- `NARROW_CELLS`: table cells holding text in a column narrower than a word.
"""

import re

#: Defines `window.__rlContrast()`; `CONTRAST_INIT` also runs it when a page has loaded
#: and hands the failures to the binding `__rlReportContrast`.
CONTRAST = r"""
(() => {
  const parse = (css) => {
    let m = css.match(/^rgba?\(([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = css.match(/^color\(srgb ([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[\s\/]+/).filter(Boolean).map(parseFloat);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    return null;
  };
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const describe = (el) => {
    const parts = [];
    for (let n = el; n && n !== document.body && parts.length < 3; n = n.parentElement) {
      let s = n.tagName.toLowerCase();
      if (n.id) s += "#" + n.id;
      const cls = [...n.classList].slice(0, 3).join(".");
      if (cls) s += "." + cls;
      parts.unshift(s);
    }
    return parts.join(" > ");
  };
  // The colour behind `el`: its own and its ancestors' backgrounds, composited over
  // the white canvas; null when a gradient or picture lies behind the text.
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (style.backgroundImage.includes("gradient")) return null;
      const colour = parse(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    let base = [255, 255, 255, 1];
    for (const layer of layers.reverse()) base = over(layer, base);
    return base;
  };
  const opacity = (el) => {
    let o = 1;
    for (let n = el; n; n = n.parentElement) o *= parseFloat(getComputedStyle(n).opacity);
    return o;
  };
  const hasText = (el) => {
    if (el.matches("select")) {
      return el.selectedOptions.length > 0 && el.selectedOptions[0].text.trim();
    }
    const field = "input:not([type=hidden],[type=checkbox],[type=radio],[type=range]"
      + ",[type=color],[type=file])";
    if (el.matches(field)) return (el.value || "").trim();
    for (const node of el.childNodes) {
      const text = node.nodeType === Node.TEXT_NODE ? node.textContent.trim() : "";
      if (text) return text;
    }
    return "";
  };
  const failures = [];
  const seen = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "NOSCRIPT", "OPTION", "TEMPLATE"].includes(el.tagName)) continue;
    const text = hasText(el);
    if (!text) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) continue;
    // Inactive controls are exempt (WCAG 1.4.3), and so is the label of one.
    if (el.closest(":disabled, .disabled, [aria-disabled=true]")) continue;
    if (el.closest("label")?.control?.disabled) continue;
    const style = getComputedStyle(el);
    const bg = background(el);
    const fg = parse(style.color);
    if (!bg || !fg) continue;
    const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity(el)], bg);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    const need = large ? 3 : 4.5;
    const got = ratio(shown, bg);
    if (got + 0.005 < need) {
      const where = describe(el);
      const key = where + style.color + bg.join();
      if (seen.has(key)) continue;
      seen.add(key);
      failures.push({
        where, text: text.slice(0, 40), ratio: Math.round(got * 100) / 100, need,
        fg: style.color, bg: "rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + ")",
      });
    }
  }
  return failures;
})
"""

CONTRAST_INIT = (
    "window.__rlContrast = "
    + CONTRAST
    + r""";
window.addEventListener("load", () => {
  // After site.js has painted the badges (deferred scripts run before "load").
  requestAnimationFrame(() => setTimeout(() => {
    if (window.__rlReportContrast) window.__rlReportContrast(location.href, window.__rlContrast());
  }, 0));
});
"""
)

#: Every visible text of the page (and the placeholder of an empty field), with the
#: element it stands in.
VISIBLE_TEXT = r"""
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest("script, style, noscript, template, option")) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const cls = el.className ? "." + String(el.className).split(" ")[0] : "";
    out.push([text, el.tagName.toLowerCase() + cls]);
  }
  for (const el of document.querySelectorAll("select, input[placeholder], textarea[placeholder]")) {
    if (!el.checkVisibility()) continue;
    if (el.tagName === "SELECT") {
      if (el.selectedOptions.length) out.push([el.selectedOptions[0].text.trim(), "select"]);
    } else if (!el.value) out.push([el.placeholder, "placeholder"]);
  }
  return out;
}
"""

#: Table cells that hold text in a column narrower than a word (narrower than 2.5em),
#: and cells, buttons, badges and labels whose text wraps to one or two characters a line.
NARROW_CELLS = r"""
() => {
  const out = [];
  for (const cell of document.querySelectorAll("td, th, .btn, .badge, label, .nav-link")) {
    if (!cell.checkVisibility()) continue;
    const text = cell.innerText.trim();
    if (!text) continue;
    const style = getComputedStyle(cell);
    const em = parseFloat(style.fontSize);
    const width = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // Lines of text: the tops of the text's line boxes, a line apart.
    const tops = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
    }
    tops.sort((a, b) => a - b);
    let lines = 0;
    let last = -Infinity;
    for (const top of tops) if (top - last > 0.6 * em) { lines += 1; last = top; }
    const chars = text.replace(/\s+/g, "").length;
    const narrow = cell.matches("td, th") && width < 2.5 * em && chars > 2;
    const shredded = lines > 1 && chars / lines <= 2;
    if (narrow || shredded) {
      const where = cell.closest("[data-testid]")?.dataset.testid || cell.tagName.toLowerCase();
      out.push({ where, text: text.slice(0, 30), width: Math.round(width), em, lines });
    }
  }
  return out;
}
"""


# --- English and codes on a Chinese page ------------------------------------------

#: Latin words a Chinese page may show: names of formats, standards and the language
#: switch, units of measure.
ALLOWED_WORDS = {
    "English",
    "Excel",
    "Word",
    "PDF",
    "CSV",
    "API",
    "TOTP",
    "SHA-256",
    "SM3",
    "UTC",
    "ABCDE",
    "KB",
    "MB",
    "GB",
    "km",
    "ECharts",
}
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/@:+]*")
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z_]+\.[a-z_]+$|^(None|True|False|nan)$")
_UNIT_CODE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
_FILE = re.compile(r"\.(pdf|txt|docx?|xlsx?|csv|png|jpe?g|zip)$", re.I)
_HEX = re.compile(r"^[0-9a-f]{16,}$")
#: A file's extension after a name in Chinese ("办法.txt" reads as the token "txt").
_EXTENSIONS = {"pdf", "txt", "doc", "docx", "xls", "xlsx", "csv", "png", "jpg", "jpeg", "zip"}


def foreign_words(text: str, *, names: frozenset[str] = frozenset()) -> list[str]:
    """The tokens of `text` a Chinese reader should not meet: raw codes (snake_case,
    `task.created`, None/True/False) always; other Latin words unless allowed — formats
    and units, unit and task codes (HZ-FGJ, A–E), file names, hashes, addresses and
    paths, and `names` (account names where a page lists accounts)."""
    found = []
    for token in _TOKEN.findall(text):
        token = token.rstrip(".:/-")
        if not token:
            continue
        if token in names or _FILE.search(token) or token.lower() in _EXTENSIONS:
            continue
        if _CODE.match(token):
            found.append(token)
            continue
        if (
            len(token) == 1
            or token in ALLOWED_WORDS
            or "/" in token
            or _UNIT_CODE.match(token)
            or _HEX.match(token)
            or "@" in token
            or token.startswith(("http:", "https:"))
        ):
            continue
        found.append(token)
    return found
