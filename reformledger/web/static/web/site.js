// Reform Ledger: small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // Submit a filter form as soon as a select changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.requestSubmit(); });
  });
  // Ask before an act that cannot be taken back silently.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("submit", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
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
  // Dark text on light colours (a yellow C), white on the rest.
  function readableOn(hex) {
    var m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) { return "#fff"; }
    var n = parseInt(m[1], 16);
    var r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
    return (0.299 * r + 0.587 * g + 0.114 * b) > 170 ? "#212529" : "#fff";
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
