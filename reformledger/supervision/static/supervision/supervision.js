// Supervision pages: small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // A search box above a long checklist of tasks hides the ones that do not match.
  document.querySelectorAll("[data-picker-search]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-picker-search"));
    if (!list) { return; }
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      list.querySelectorAll(".form-check").forEach(function (row) {
        var input = row.querySelector("input");
        var hit = !words || row.textContent.toLowerCase().indexOf(words) !== -1;
        row.hidden = !hit && !(input && input.checked);
      });
    });
  });

  // "Add a row" of a formset: copy its empty form, numbered as the next row.
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) { return; }
    button.addEventListener("click", function () {
      var n = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(n));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(n + 1);
    });
  });

  // The print button of the printable order.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
