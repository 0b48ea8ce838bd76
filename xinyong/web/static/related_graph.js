// Two-step related-party graph (admin/related.html): data from <script type="application/json">.
(function () {
  "use strict";
  var holder = document.getElementById("related-graph");
  var source = document.getElementById("related-graph-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#b22222", "#1f6feb", "#6e7781"];
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: {},
    legend: { data: ["主体", "组织", "自然人"] },
    series: [{
      type: "graph",
      layout: "force",
      roam: true,
      draggable: true,
      force: { repulsion: 260, edgeLength: 120 },
      categories: [{ name: "主体" }, { name: "组织" }, { name: "自然人" }],
      label: { show: true, position: "right", fontSize: 12 },
      edgeLabel: { show: true, fontSize: 10, formatter: function (p) { return p.data.label; } },
      data: data.nodes.map(function (n) {
        var category = n.depth === 0 ? 0 : (n.kind === "person" ? 2 : 1);
        return { id: n.id, name: n.name, category: category, symbolSize: n.depth === 0 ? 36 : 22,
                 itemStyle: { color: colours[category] } };
      }),
      links: data.edges.map(function (e) {
        return { source: e.source, target: e.target,
                 label: e.role + (e.share ? " " + e.share : "") };
      })
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
