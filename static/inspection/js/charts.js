/* Draws the reports' charts with the vendored Chart.js.
 *
 * Each <canvas data-chart data-source="ID"> reads the JSON in the <script id="ID">
 * that Django's json_script wrote: {labels, series: [{label, type, data, axis}],
 * unit, yMax}. A series with axis "percent" gets its own 0–100 % scale
 * on the right (the Pareto chart's running share). */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;

  var COLORS = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545"];
  var FONT = { size: 14 };
  Chart.defaults.font.family =
    'system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';

  function withUnit(unit) {
    return function (value) { return unit ? value + unit : value; };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var hasPercent = spec.series.some(function (s) { return s.axis === "percent"; });
    var datasets = spec.series.map(function (s, i) {
      var color = COLORS[i % COLORS.length];
      return {
        type: s.type,
        label: s.label,
        data: s.data,
        yAxisID: s.axis === "percent" ? "percent" : "y",
        backgroundColor: s.type === "bar" ? color + "cc" : color,
        borderColor: color,
        borderWidth: 2,
        pointRadius: 4,
        pointHoverRadius: 6,
        // Lines are drawn above bars.
        order: s.type === "line" ? 0 : 1,
      };
    });
    var scales = {
      x: { ticks: { font: FONT, autoSkip: false, maxRotation: 60 } },
      y: {
        beginAtZero: true,
        max: spec.yMax || undefined,
        ticks: { font: FONT, callback: withUnit(spec.unit), precision: 0 },
      },
    };
    if (hasPercent) {
      scales.percent = {
        position: "right",
        min: 0,
        max: 100,
        grid: { drawOnChartArea: false },
        ticks: { font: FONT, callback: withUnit("%") },
      };
    }
    new Chart(canvas, {
      type: datasets[0].type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: datasets.length > 1, labels: { font: FONT } },
          tooltip: { titleFont: FONT, bodyFont: FONT },
        },
        scales: scales,
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
