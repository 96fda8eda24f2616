// Reform Ledger dashboard: draws each chart from the JSON its page carries
// (Django's json_script), so the page needs no inline script (the CSP forbids
// them). The table under each chart holds the same numbers; the charts are a view.
(function () {
  "use strict";

  if (!window.echarts) { return; }
  var echarts = window.echarts;
  // Tooltips are drawn on the canvas as rich text, not as HTML: nothing from the data
  // is parsed as markup, and a strict style-src CSP has no inline styles to refuse.
  // Rich text gives "{" and "|" a meaning, so they are taken out of names from the data.
  function plain(text) { return String(text).replace(/[{}|]/g, " "); }
  var GAP = "  ";
  var font = window.getComputedStyle(document.body).fontFamily;
  var ROWS = 14; // rows of a horizontal chart shown at once; more scroll

  function narrow() { return window.innerWidth < 576; }

  function rowsHeight(n, least) {
    return Math.max(least || 200, Math.min(n, ROWS) * 28 + 80);
  }

  // A slider and wheel scrolling over the rows when there are more than ROWS.
  function scrollRows(option, n, axes) {
    if (n <= ROWS) { return; }
    axes = axes || [0];
    option.dataZoom = [
      { type: "inside", yAxisIndex: axes, startValue: 0, endValue: ROWS - 1,
        zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: true },
      { type: "slider", yAxisIndex: axes, startValue: 0, endValue: ROWS - 1, right: 4,
        width: 14, showDetail: false, showDataShadow: false, brushSelect: false, zoomLock: true }
    ];
    var grids = Array.isArray(option.grid) ? option.grid : [option.grid];
    grids[grids.length - 1].right = 32;
  }

  function categoryLabel() {
    return { width: narrow() ? 80 : 150, overflow: "truncate", fontFamily: font };
  }

  // Stacked bars: grades per area, unit or period; overdue milestones per unit. With
  // `grouped`, bars side by side: planned against completed investment per pilot.
  function stacked(d, horizontal) {
    var n = d.categories.length;
    var titles = d.series.map(function (s) { return s.title; });
    var category = { type: "category", data: d.categories, axisTick: { show: false } };
    var value = { type: "value", minInterval: 1 };
    if (horizontal) {
      category.inverse = true;
      category.axisLabel = categoryLabel();
    } else {
      category.axisLabel = { hideOverlap: true, fontFamily: font };
    }
    var option = {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var lines = [plain(items[0].axisValueLabel)];
          var total = 0;
          items.forEach(function (p) {
            total += p.value || 0;
            if (p.value) { lines.push(p.marker + plain(titles[p.seriesIndex]) + GAP + p.value); }
          });
          if (items.length > 1 && !d.grouped) { lines.push("Σ" + GAP + total); }
          return lines.join("\n");
        }
      },
      legend: { type: "scroll", top: 0, itemWidth: 14, itemHeight: 10 },
      grid: { left: 4, right: 16, top: 32, bottom: 4, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: d.series.map(function (s) {
        return {
          // Grouped bars (planned beside completed) are drawn side by side, not stacked.
          name: s.name, type: "bar", stack: d.grouped ? undefined : "total", data: s.values,
          barMaxWidth: 26,
          itemStyle: { color: s.colour }, emphasis: { focus: "series" }
        };
      })
    };
    if (horizontal) { scrollRows(option, n); }
    return { option: option, height: horizontal ? rowsHeight(n, 260) : 300 };
  }

  // Tasks by status, with the total in the hole.
  function donut(d) {
    var small = narrow();
    var counts = {};
    d.items.forEach(function (i) { counts[i.name] = i.value; });
    var option = {
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return p.marker + plain(p.name) + GAP + p.value + " (" + p.percent + "%)";
        }
      },
      legend: {
        type: "scroll", bottom: 0, itemWidth: 14, itemHeight: 10,
        formatter: function (name) { return name + " " + (counts[name] || 0); }
      },
      title: {
        text: String(d.total), subtext: d.total_label, left: "center", top: small ? "34%" : "36%",
        textStyle: { fontSize: 26, fontWeight: 600, fontFamily: font },
        subtextStyle: { fontFamily: font }, itemGap: 2
      },
      series: [{
        type: "pie", radius: small ? ["40%", "62%"] : ["45%", "68%"], center: ["50%", "45%"],
        avoidLabelOverlap: true, minAngle: 3,
        label: { show: !small, formatter: "{b}\n{c}", fontFamily: font },
        labelLine: { show: !small },
        data: d.items.map(function (i) {
          return { name: i.name, value: i.value, itemStyle: { color: i.colour } };
        })
      }]
    };
    return { option: option, height: 300 };
  }

  // Key tasks × periods, each cell coloured by its grade and lettered.
  function heatmap(d) {
    var n = d.tasks.length;
    var option = {
      tooltip: {
        formatter: function (p) {
          var g = d.grades[p.value[2]];
          return plain(d.tasks[p.value[1]]) + " " + plain(d.titles[p.value[1]]) + "\n" +
            plain(d.periods[p.value[0]]) + GAP + p.marker + plain(g.letter + " " + g.name);
        }
      },
      grid: { left: 4, right: 16, top: 40, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: d.periods, position: "top", splitArea: { show: true },
               axisTick: { show: false }, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "category", inverse: true, axisTick: { show: false },
        data: d.tasks.map(function (code, i) { return narrow() ? code : code + " " + d.titles[i]; }),
        axisLabel: { width: narrow() ? 70 : 220, overflow: "truncate", fontFamily: font }
      },
      visualMap: {
        type: "piecewise", dimension: 2, orient: "horizontal", top: 0, left: "center",
        itemWidth: 14, itemHeight: 10, itemGap: 8, show: false,
        pieces: d.grades.map(function (g, i) { return { value: i, label: g.letter, color: g.colour }; })
      },
      series: [{
        type: "heatmap", data: d.cells,
        itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 3 },
        label: {
          show: true, fontWeight: 600, color: "#fff", textBorderColor: "rgba(0,0,0,.45)", textBorderWidth: 2,
          formatter: function (p) { return d.grades[p.value[2]].letter; }
        }
      }]
    };
    option.grid.top = 24;
    scrollRows(option, n);
    return { option: option, height: rowsHeight(n) };
  }

  // Two panels side by side over the same units: days since each unit's last report
  // (green, amber when stale, red when very stale, purple when it never reported) and
  // the reports it has not filed for the latest period past due.
  function stale(d) {
    var n = d.categories.length;
    var colours = d.colours;
    function colourOf(i) {
      if (d.never[i]) { return colours.never; }
      if (d.days[i] > d.very_stale_days) { return colours.very_stale; }
      if (d.days[i] > d.stale_days) { return colours.stale; }
      return colours.recent;
    }
    var panelTitle = { fontSize: 12, fontWeight: "normal", color: "#6c757d", fontFamily: font };
    var label = { show: true, position: "right", fontFamily: font };
    var option = {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return [
            plain(d.categories[i]),
            plain(d.never[i] ? d.labels.never : d.labels.days) + GAP + d.days[i],
            plain(d.labels.missing) + GAP + d.missing[i]
          ].join("\n");
        }
      },
      title: [
        { text: d.labels.days, left: 4, top: 0, textStyle: panelTitle },
        { text: d.labels.missing, left: "64%", top: 0, textStyle: panelTitle }
      ],
      grid: [
        { left: 4, right: "40%", top: 28, bottom: 4, containLabel: true },
        { left: "64%", right: 12, top: 28, bottom: 4, containLabel: true }
      ],
      // The gap on the right of each panel leaves room for the figures at the bars' ends.
      xAxis: [
        { gridIndex: 0, type: "value", minInterval: 1, boundaryGap: [0, "20%"], splitNumber: 3,
          axisLabel: { showMaxLabel: false } },
        { gridIndex: 1, type: "value", minInterval: 1, boundaryGap: [0, "20%"], splitNumber: 3 }
      ],
      yAxis: [
        { gridIndex: 0, type: "category", data: d.categories, inverse: true,
          axisTick: { show: false }, axisLabel: categoryLabel() },
        { gridIndex: 1, type: "category", data: d.categories, inverse: true,
          axisTick: { show: false }, axisLabel: { show: false } }
      ],
      series: [
        {
          type: "bar", name: d.labels.days, xAxisIndex: 0, yAxisIndex: 0, barMaxWidth: 22, label: label,
          data: d.days.map(function (v, i) { return { value: v, itemStyle: { color: colourOf(i) } }; })
        },
        {
          type: "bar", name: d.labels.missing, xAxisIndex: 1, yAxisIndex: 1, barMaxWidth: 22,
          label: label, itemStyle: { color: colours.very_stale }, data: d.missing
        }
      ]
    };
    scrollRows(option, n, [0, 1]);
    return { option: option, height: rowsHeight(n) };
  }

  var builders = {
    bars: function (d) { return stacked(d, false); },
    hbars: function (d) { return stacked(d, true); },
    donut: donut,
    heatmap: heatmap,
    stale: stale
  };

  var made = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    var data = source ? JSON.parse(source.textContent) : null;
    var build = data && builders[data.kind];
    if (build) { made.push({ el: el, built: build(data) }); }
  });

  // Charts side by side on a wide screen take the taller one's height, so the cards
  // of a row line up (measured before any chart has a height: cards of a row share a top).
  var rows = {};
  made.forEach(function (m) {
    var col = m.el.closest(".row > [class*='col']");
    var top = col ? Math.round(col.getBoundingClientRect().top) : NaN;
    if (!isNaN(top)) { (rows[top] = rows[top] || []).push(m); }
  });
  Object.keys(rows).forEach(function (top) {
    var tallest = Math.max.apply(null, rows[top].map(function (m) { return m.built.height; }));
    rows[top].forEach(function (m) { m.built.height = tallest; });
  });

  var charts = made.map(function (m) {
    m.el.style.height = m.built.height + "px";
    var chart = echarts.init(m.el, null, { renderer: "canvas" });
    m.built.option.textStyle = { fontFamily: font };
    m.built.option.tooltip.renderMode = "richText";
    m.built.option.tooltip.confine = true;
    m.built.option.tooltip.textStyle = { fontFamily: font };
    m.built.option.animationDuration = 400;
    // Marks the chart drawn (animations over), which the browser tests wait for.
    chart.on("finished", function () { m.el.setAttribute("data-drawn", "true"); });
    chart.setOption(m.built.option);
    return chart;
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 100);
  });
})();
