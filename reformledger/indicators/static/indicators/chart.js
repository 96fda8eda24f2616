// An indicator's chart: the target path (dashed) against the actuals, per period,
// drawn from the JSON its page carries (json_script: the CSP forbids inline scripts).
// The table beside the chart holds the same numbers; the chart is a view of them.
(function () {
  "use strict";

  if (!window.echarts) { return; }
  var el = document.querySelector("[data-indicator-chart]");
  var source = el && document.getElementById(el.getAttribute("data-indicator-chart"));
  if (!source) { return; }
  var d = JSON.parse(source.textContent);
  var font = window.getComputedStyle(document.body).fontFamily;
  // Tooltips are canvas rich text, never HTML; "{", "}" and "|" mean something there.
  function plain(text) { return String(text).replace(/[{}|]/g, " "); }
  function shown(v) {
    return v === null || v === undefined ? "—" : Number(v).toLocaleString(undefined, {
      minimumFractionDigits: d.decimals, maximumFractionDigits: d.decimals
    });
  }

  el.style.height = "300px";
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.on("finished", function () { el.setAttribute("data-drawn", "true"); });
  chart.setOption({
    textStyle: { fontFamily: font },
    animationDuration: 400,
    tooltip: {
      trigger: "axis", renderMode: "richText", confine: true, textStyle: { fontFamily: font },
      formatter: function (items) {
        var lines = [plain(items[0].axisValueLabel)];
        items.forEach(function (p) {
          lines.push(p.marker + plain(p.seriesName) + "  " + shown(p.value) + " " + plain(d.measure));
        });
        return lines.join("\n");
      }
    },
    legend: { top: 0, itemWidth: 14, itemHeight: 10 },
    grid: { left: 4, right: 16, top: 32, bottom: 4, containLabel: true },
    xAxis: { type: "category", data: d.periods, axisLabel: { hideOverlap: true } },
    yAxis: { type: "value", scale: true, name: d.measure },
    series: [
      { name: d.path_title, type: "line", data: d.path, connectNulls: false, symbol: "none",
        lineStyle: { type: "dashed", color: "#6c757d" }, itemStyle: { color: "#6c757d" } },
      { name: d.actual_title, type: "line", data: d.actual, connectNulls: true, symbolSize: 7,
        lineStyle: { color: "#0d6efd", width: 2 }, itemStyle: { color: "#0d6efd" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
