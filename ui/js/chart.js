// Time-series chart with uPlot (global `uPlot`, /ui/vendor/uPlot.iife.min.js).
// Series: human clicks, unique, bots, optionally the previous period's clicks, and conversions on
// their own right-hand axis when the range has any (a handful of conversions would be a flat line
// on the clicks' scale).

export function drawSeries(container, report) {
  const U = window.uPlot;
  if (!U) {
    container.textContent = 'The chart library did not load.';
    return null;
  }
  const xs = report.series.map((p) => Date.parse(p.t) / 1000);
  const data = [xs, report.series.map((p) => p.total), report.series.map((p) => p.unique),
                report.series.map((p) => p.bots)];
  const series = [{},
    {label: 'Clicks', stroke: '#1f6feb', width: 2, fill: 'rgba(31,111,235,0.08)'},
    {label: 'Unique', stroke: '#2da44e', width: 2},
    {label: 'Bots', stroke: '#9a6700', width: 1, dash: [4, 4]}];
  const prev = report.previous && report.previous.series;
  if (prev) {
    // The previous period drawn under this one: bucket i of each lines up.
    data.push(xs.map((_, i) => (prev[i] ? prev[i].total : null)));
    series.push({label: 'Clicks, previous period', stroke: '#8c959f', width: 1, dash: [2, 3]});
  }
  const conversions = report.series.map((p) => p.conversions || 0);
  const convTotal = conversions.reduce((a, b) => a + b, 0);
  const axes = [{}, {size: 50}];
  if (convTotal > 0) {
    data.push(conversions);
    series.push({label: 'Conversions', stroke: '#cf222e', width: 2, scale: 'conv'});
    axes.push({scale: 'conv', side: 1, size: 50, grid: {show: false}});
  }
  const width = () => Math.max(280, container.clientWidth || 600);
  const opts = {
    width: width(), height: 280, series,
    scales: {x: {time: true}},
    axes,
    legend: {live: true},
  };
  container.replaceChildren();
  const plot = new U(opts, data, container);
  const ro = new ResizeObserver(() => plot.setSize({width: width(), height: 280}));
  ro.observe(container);
  container.dataset.rendered = 'true';
  container.dataset.total = String(data[1].reduce((a, b) => a + b, 0));
  container.dataset.conversions = String(convTotal);
  return () => {
    ro.disconnect();
    plot.destroy();
  };
}
