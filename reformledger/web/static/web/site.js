// Reform Ledger: small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // Submit a filter form as soon as a select changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.requestSubmit(); });
  });
  // Ask before an act that cannot be taken back silently.
  document.querySelectorAll("form[data-confirm]").forEach(function (el) {
    el.addEventListener("submit", function (ev) {
      if (ev.submitter && ev.submitter.hasAttribute("data-confirm")) { return; }  // asked below
      if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
  // A form with several acts (sign, approve, reject) asks the question of the button
  // that sent it; asked first (capture), so a refusal stops everything after it.
  document.addEventListener("submit", function (ev) {
    var button = ev.submitter;
    if (!button || !button.hasAttribute("data-confirm")) { return; }
    if (!window.confirm(button.getAttribute("data-confirm"))) {
      ev.preventDefault();
      ev.stopPropagation();
    }
  }, true);
  // A decisive act is sent once: after a confirmed submit (the listener above asks first, on the
  // form itself, so a cancelled one arrives here already prevented) its buttons are
  // disabled and a second submit is dropped. The server refuses a repeat anyway.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !form.matches || !form.matches("form[data-submit-once]")) { return; }
    if (form.getAttribute("data-submitted")) { ev.preventDefault(); return; }
    form.setAttribute("data-submitted", "1");
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    });
  });

});

// Tabs remember themselves in the address (#plan, #history), so a redirect after
// an act, a reload or a shared link opens the tab the user was on.
document.addEventListener("DOMContentLoaded", function () {
  var tabs = document.querySelectorAll("[data-bs-toggle=tab][data-bs-target^='#tab-']");
  if (!tabs.length || !window.bootstrap) { return; }
  tabs.forEach(function (btn) {
    btn.addEventListener("shown.bs.tab", function () {
      history.replaceState(null, "", "#" + btn.getAttribute("data-bs-target").slice(5));
    });
  });
  var wanted = window.location.hash.slice(1);
  if (wanted) {
    var btn = document.querySelector("[data-bs-target='#tab-" + CSS.escape(wanted) + "']");
    if (btn) { window.bootstrap.Tab.getOrCreateInstance(btn).show(); }
  }
});

// Badges whose colour is data (statuses, an office's own grade colours) carry it in
// data-colour; painting it here keeps style attributes out of the markup (the CSP
// allows none). Content htmx swaps in is painted as it arrives.
(function () {
  // The text colour that reads on `hex` (WCAG 2.1 AA, 4.5:1): white, else the page's
  // dark grey, else black — one of white and black always reaches 4.58:1.
  function luminance(hex) {
    var n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }).reduce(function (sum, v, i) { return sum + v * [0.2126, 0.7152, 0.0722][i]; }, 0);
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function readableOn(hex) {
    if (!/^#[0-9a-f]{6}$/i.test(hex || "")) { return "#fff"; }
    if (contrast(hex, "#ffffff") >= 4.5) { return "#fff"; }
    if (contrast(hex, "#212529") >= 4.5) { return "#212529"; }
    return contrast(hex, "#ffffff") >= contrast(hex, "#000000") ? "#fff" : "#000";
  }
  function paint(root) {
    var found = root.querySelectorAll ? Array.from(root.querySelectorAll("[data-colour]")) : [];
    if (root.matches && root.matches("[data-colour]")) { found.push(root); }
    found.forEach(function (el) {
      var colour = el.getAttribute("data-colour");
      if (!/^#[0-9a-f]{6}$/i.test(colour || "")) { return; }
      el.style.backgroundColor = colour;
      el.style.color = readableOn(colour);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.addEventListener("htmx:load", function (ev) { paint(ev.target); });
})();
