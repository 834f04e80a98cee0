/* The 工作台 charts: one ECharts bar chart per statistic; a click opens the list behind the bar. */
(function () {
  "use strict";
  var data = document.getElementById("charts-data");
  if (!data || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(data.textContent);
  var palette = ["#409EFF", "#67C23A", "#E6A23C", "#F56C6C", "#909399", "#9B59B6", "#1ABC9C"];
  charts.forEach(function (chart) {
    var el = document.getElementById("chart-" + chart.key);
    if (!el) { return; }
    var hasSecondAxis = chart.series.some(function (s) { return s.axis === 1; });
    var threshold = null;
    var series = chart.series.map(function (s) {
      if (s.threshold !== undefined && s.threshold !== null) { threshold = s.threshold; }
      var item = {
        name: s.name, type: s.type || "bar", data: s.data, stack: s.stack,
        yAxisIndex: s.axis || 0, barMaxWidth: 36, emphasis: { focus: "series" }
      };
      if (s.color) { item.itemStyle = { color: s.color }; item.lineStyle = { color: s.color }; }
      if (threshold !== null && s.threshold !== undefined) {
        item.markLine = {
          symbol: "none", lineStyle: { color: "#F56C6C", type: "dashed" },
          label: { formatter: "退出标准 {c}%" }, data: [{ yAxis: threshold }]
        };
      }
      return item;
    });
    var empty = chart.series.every(function (s) {
      return s.data.every(function (v) { return v === null || v === 0; });
    });
    var yAxis = [{ type: "value", name: chart.unit || "", nameLocation: "end", nameGap: 12, min: 0 }];
    if (threshold !== null) {
      // keep the exit threshold line in view even where every rate is low or missing
      yAxis[0].max = function (value) { return Math.ceil(Math.max(value.max, threshold * 1.5)); };
    }
    if (hasSecondAxis) { yAxis.push({ type: "value", name: "元", nameLocation: "end", nameGap: 12 }); }
    var instance = echarts.init(el);
    instance.setOption({
      color: palette,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 16, right: 16, top: 64, bottom: chart.categories.length > 20 ? 40 : 8, containLabel: true },
      title: empty ? { text: "暂无数据", left: "center", top: "middle", textStyle: { color: "#909399", fontSize: 14, fontWeight: "normal" } } : undefined,
      xAxis: { type: "category", data: chart.categories, axisLabel: { interval: 0, rotate: chart.categories.length > 4 ? 30 : 0 } },
      yAxis: yAxis,
      dataZoom: chart.categories.length > 20 ? [{ type: "slider", bottom: 0, end: Math.min(100, 2000 / chart.categories.length) }] : [],
      series: series
    });
    instance.on("click", function (params) {
      var s = chart.series[params.seriesIndex];
      var link = s && s.links && s.links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
    window.addEventListener("resize", function () { instance.resize(); });
  });
})();
