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
