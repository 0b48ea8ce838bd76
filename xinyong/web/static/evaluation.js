// Grade distribution charts on /admin/evaluation (data from <script type="application/json">).
(function () {
  "use strict";
  var node = document.getElementById("grade-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var colours = { A: "#2e7d32", B: "#1f5fa8", C: "#f9a825", D: "#c62828" };
  function draw(id, table) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var keys = Object.keys(table).sort();
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: data.grades },
      xAxis: { type: "category", data: keys },
      yAxis: { type: "value", name: "主体数" },
      series: data.grades.map(function (g) {
        return { name: g, type: "bar", stack: "grades", itemStyle: { color: colours[g] },
                 data: keys.map(function (k) { return table[k][g] || 0; }) };
      })
    });
  }
  draw("chart-sector", data.by_sector);
  draw("chart-region", data.by_region);
})();
