// 信用大屏: draws the figures and charts from the JSON block, then polls data-source every
// data-refresh seconds and redraws. Aggregate figures only; nothing here links to rows.
(function () {
  "use strict";
  var body = document.body;
  var refresh = parseInt(body.getAttribute("data-refresh") || "60", 10) * 1000;
  var sourceUrl = body.getAttribute("data-source");
  var charts = {};
  var text = { color: "#f5f7fa", fontSize: 16 };

  function fmt(v) {
    if (v === null || v === undefined) { return "—"; }
    return Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  }

  function option(name, data) {
    if (name.indexOf("trend:") === 0) {
      var t = data.trends[name.slice(6)];
      if (!t) { return null; }
      return {
        textStyle: text, grid: { left: 60, right: 20, top: 20, bottom: 40 },
        xAxis: { type: "category", data: t.labels, axisLabel: text },
        yAxis: { type: "value", axisLabel: text, splitLine: { lineStyle: { color: "#1f4b7a" } } },
        series: [{ type: "line", data: t.data, smooth: true, lineStyle: { width: 4 }, symbolSize: 10,
                   areaStyle: { opacity: 0.2 } }]
      };
    }
    var items = name === "lists" ? data.lists : data.new_records;
    if (name === "lists") {
      return {
        textStyle: text,
        series: [{ type: "pie", radius: ["35%", "65%"], label: { color: "#f5f7fa", fontSize: 16 },
                   data: items.map(function (i) { return { name: i.title, value: i.count }; }) }]
      };
    }
    return {
      textStyle: text, grid: { left: 120, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "value", axisLabel: text, splitLine: { lineStyle: { color: "#1f4b7a" } } },
      yAxis: { type: "category", data: items.map(function (i) { return i.title; }), axisLabel: text },
      series: [{ type: "bar", data: items.map(function (i) { return i.count; }), itemStyle: { color: "#3fb950" } }]
    };
  }

  function draw(data) {
    document.getElementById("screen-month").textContent = data.month;
    document.getElementById("screen-asof").textContent = data.as_of;
    document.getElementById("screen-computed").textContent = data.computed_at;
    data.figures.forEach(function (f) {
      var li = document.querySelector('#screen-figures [data-key="' + f.key + '"] .value');
      if (li) { li.textContent = fmt(f.value); }
    });
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      var opt = option(name, data);
      if (!opt) { return; }
      if (!charts[name]) { charts[name] = echarts.init(el, null, { renderer: "svg" }); }
      charts[name].setOption(opt, true);
    });
  }

  function poll() {
    fetch(sourceUrl, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        draw(data);
        document.getElementById("screen-status").textContent = "已更新 " + new Date().toLocaleTimeString("zh-CN");
      })
      .catch(function () {
        document.getElementById("screen-status").textContent = "更新失败，稍后重试";
      });
  }

  draw(JSON.parse(document.getElementById("screen-data").textContent));
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
  window.setInterval(poll, refresh);
}());
