// Ledger pages: small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // "Add a milestone" in the plan form: a copy of the formset's empty row, numbered as
  // the next row, added in place (no round trip; the server checks the rows on save).
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    if (button.hasAttribute("data-formset-bound")) { return; }
    button.setAttribute("data-formset-bound", "1");
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var n = parseInt(total.value, 10) || 0;
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(n)));
      total.value = String(n + 1);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input");
      if (first) { first.focus(); }
    });
  });
});
