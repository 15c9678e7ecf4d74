// The epidemic curve of the command view: new fevers and positive results per day (ECharts,
// served by the app itself). The figures come from the page (json_script "curve-data").
(function () {
  "use strict";
  var node = document.getElementById("curve");
  var data = document.getElementById("curve-data");
  if (!node || !data || typeof echarts === "undefined") {
    return;
  }
  var curve = JSON.parse(data.textContent);
  var chart = echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 32, right: 12, top: 32, bottom: 24 },
    xAxis: { type: "category", data: curve.days },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: curve.positives_label, type: "bar", data: curve.positives, color: "#dc3545" },
      { name: curve.fevers_label, type: "bar", data: curve.fevers, color: "#fd7e14" },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
