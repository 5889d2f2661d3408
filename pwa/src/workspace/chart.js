// Charts in the workspace, drawn by Chart.js. The library is imported on first use, so it is a
// chunk of its own: patrol staff never download it, and a supervisor only when a screen shows a
// chart. Every chart carries a text alternative (aria-label) built by the caller from the same
// figures, because a canvas says nothing to a screen reader.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';

export const COLORS = { ok: '#1b6e2e', miss: '#b3261e', neutral: '#3b5ba5', muted: '#7d8594' };

let loading;
/** Chart.js with only the parts the workspace draws (bars and lines), registered once. */
export function loadChartJs() {
  loading ||= import('chart.js').then((m) => {
    m.Chart.register(m.BarController, m.BarElement, m.LineController, m.LineElement, m.PointElement,
      m.CategoryScale, m.LinearScale, m.Tooltip, m.Legend);
    return m.Chart;
  });
  return loading;
}

/**
 * A chart of one of Chart.js's types ('bar' or 'line').
 * `labels`: the x-axis labels (already in the reader's language);
 * `datasets`: Chart.js datasets ({ label, data, backgroundColor, ... });
 * `label`: the text alternative; `options`: merged over the defaults (responsive, no animation).
 */
export function Chart({ type = 'bar', labels, datasets, label, options = {}, height = 160, testid = 'chart' }) {
  const canvas = useRef(null);
  useEffect(() => {
    let chart;
    let cancelled = false;
    loadChartJs().then((ChartJs) => {
      if (cancelled || !canvas.current) return;
      chart = new ChartJs(canvas.current, {
        type,
        data: { labels, datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: datasets.length > 1 } },
          ...options,
        },
      });
      canvas.current.dataset.ready = 'true';
    });
    return () => { cancelled = true; if (chart) chart.destroy(); };
  }, [type, JSON.stringify(labels), JSON.stringify(datasets), JSON.stringify(options)]);
  return html`<div class="chart" style=${`position:relative;height:${height}px`}>
    <canvas ref=${canvas} role="img" aria-label=${label} data-testid=${testid}></canvas></div>`;
}
