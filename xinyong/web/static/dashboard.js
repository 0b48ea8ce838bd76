// Charts of the credit office dashboard: specs come from <script type="application/json"
// id="chart-data">; each point links to the rows behind it (click opens them).
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var specs = JSON.parse(source.textContent || "[]");
  var palette = ["#2b6cb0", "#38a169", "#d69e2e", "#c53030", "#6b46c1", "#319795"];

  function option(spec) {
    if (spec.kind === "pie") {
      return {
        color: palette,
        tooltip: { trigger: "item" },
        series: [{
          type: "pie", radius: "65%",
          data: spec.labels.map(function (label, i) {
            return { name: label, value: spec.series[0].data[i] };
          })
        }]
      };
    }
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 24, bottom: 40 },
      xAxis: { type: "category", data: spec.labels, axisLabel: { rotate: spec.kind === "bar" ? 30 : 0 } },
      yAxis: { type: "value" },
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.kind, data: s.data, connectNulls: false, symbolSize: 8 };
      })
    };
  }

  specs.forEach(function (spec) {
    var el = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(spec));
    chart.on("click", function (params) {
      var link = spec.links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}());
