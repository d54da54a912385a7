// @ts-check
// Runs inside the preview page (headless Chromium), after uPlot: draws every time-series chart from the specs that
// visuals.ts wrote into the page (#charts), with the y ticks and labels already worked out in the panel's unit,
// threshold lines or bands, and annotation marks. A chart that fails shows its error in its panel. When all are done
// it sets <body data-rendered="true">, which render.ts waits for before the screenshot.
/* global uPlot */
(function () {
  const specs = JSON.parse(document.getElementById('charts')?.textContent || '[]');
  const theme = JSON.parse(document.getElementById('theme')?.textContent || '{}');
  const axisFont = `11px ${theme.font}`;
  const pad2 = (/** @type {number} */ n) => String(n).padStart(2, '0');

  /** Times in UTC, 24-hour, as precise as the range needs. */
  function timeLabel(/** @type {number} */ t, /** @type {number} */ span) {
    const d = new Date(t * 1000);
    const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    if (span <= 15 * 60) return `${hm}:${pad2(d.getUTCSeconds())}`;
    if (span <= 2 * 86400) return hm;
    return `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${hm}`;
  }

  function textWidth(/** @type {string[]} */ labels) {
    const ctx = document.createElement('canvas').getContext('2d');
    if (!ctx) return 50;
    ctx.font = axisFont;
    return Math.max(0, ...labels.map((l) => ctx.measureText(l).width));
  }

  function withAlpha(/** @type {string} */ color, /** @type {number} */ alpha) {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
    return m ? `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})` : color;
  }

  /** The axis the thresholds belong to: the panel's own unit's. */
  const axisOf = (/** @type {any} */ spec) => spec.axes.find((/** @type {any} */ a) => a.scale === spec.thresholdScale) || spec.axes[0];

  /** Threshold bands behind the series (area styles). */
  function drawBands(/** @type {any} */ u, /** @type {any} */ spec) {
    if (!spec.thresholdsStyle.includes('area')) return;
    const { ctx, bbox } = u;
    const y = axisOf(spec);
    const steps = [{ value: y.min, color: spec.baseColor }, ...spec.thresholds];
    ctx.save();
    for (let i = 0; i < steps.length; i++) {
      const lo = Math.max(steps[i].value, y.min);
      const hi = Math.min(i + 1 < steps.length ? steps[i + 1].value : y.max, y.max);
      if (!(hi > lo) || !steps[i].color) continue;
      const top = u.valToPos(hi, y.scale, true);
      const bottom = u.valToPos(lo, y.scale, true);
      ctx.fillStyle = withAlpha(steps[i].color, 0.15);
      ctx.fillRect(bbox.left, top, bbox.width, bottom - top);
    }
    ctx.restore();
  }

  /** Threshold lines (dashed or solid) and annotation marks over the series. */
  function drawMarks(/** @type {any} */ u, /** @type {any} */ spec) {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.lineWidth = 1;
    if (spec.thresholdsStyle.startsWith('line') || spec.thresholdsStyle.startsWith('dashed')) {
      ctx.setLineDash(spec.thresholdsStyle.startsWith('dashed') ? [10, 10] : []);
      const axis = axisOf(spec);
      for (const t of spec.thresholds) {
        if (t.value < axis.min || t.value > axis.max) continue;
        const y = Math.round(u.valToPos(t.value, axis.scale, true)) + 0.5;
        ctx.strokeStyle = t.color;
        ctx.beginPath();
        ctx.moveTo(bbox.left, y);
        ctx.lineTo(bbox.left + bbox.width, y);
        ctx.stroke();
      }
    }
    ctx.setLineDash([4, 3]);
    for (const a of spec.annotations) {
      if (a.time < spec.start || a.time > spec.end) continue;
      const x = Math.round(u.valToPos(a.time, 'x', true)) + 0.5;
      ctx.strokeStyle = theme.annotation;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      // Grafana's marker: a small triangle under the plot.
      ctx.setLineDash([]);
      ctx.fillStyle = theme.annotation;
      ctx.beginPath();
      ctx.moveTo(x - 5, bbox.top + bbox.height + 7);
      ctx.lineTo(x + 5, bbox.top + bbox.height + 7);
      ctx.lineTo(x, bbox.top + bbox.height + 1);
      ctx.fill();
      ctx.setLineDash([4, 3]);
    }
    ctx.restore();
  }

  function draw(/** @type {HTMLElement} */ el, /** @type {any} */ spec) {
    const span = spec.end - spec.start;
    /** @type {Record<string, any>} */
    const scales = { x: { time: true, range: [spec.start, spec.end] } };
    for (const a of spec.axes) scales[a.scale] = { range: [a.min, a.max] };
    const yAxes = spec.axes.map((/** @type {any} */ a, /** @type {number} */ i) => ({
      scale: a.scale,
      side: a.side === 'right' ? 1 : 3,
      show: a.side !== 'hidden',
      stroke: theme.secondaryText,
      font: axisFont,
      // Grid lines from the first axis only, as Grafana draws them.
      grid: { show: i === 0, stroke: theme.grid, width: 1 },
      ticks: { show: false },
      size: Math.ceil(textWidth(a.labels)) + 14,
      gap: 6,
      splits: () => a.ticks,
      values: () => a.labels,
    }));
    const opts = {
      width: Math.max(50, el.clientWidth),
      height: Math.max(40, el.clientHeight),
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      padding: [8, spec.axes.some((/** @type {any} */ a) => a.side === 'right') ? 0 : 12, 0, 0],
      scales,
      series: [
        {},
        ...spec.series.map((/** @type {any} */ s) => ({
          label: s.label,
          scale: s.scale,
          stroke: s.color,
          width: s.width,
          fill: s.fillOpacity > 0 ? withAlpha(s.color, s.fillOpacity / 100) : undefined,
          points: { show: s.points, size: 5, fill: s.color },
          spanGaps: false,
        })),
      ],
      axes: [
        {
          stroke: theme.secondaryText,
          font: axisFont,
          grid: { stroke: theme.grid, width: 1 },
          ticks: { show: false },
          space: 90,
          size: 30,
          values: (/** @type {any} */ _u, /** @type {number[]} */ splits) => splits.map((t) => timeLabel(t, span)),
        },
        ...yAxes,
      ],
      hooks: {
        drawClear: [(/** @type {any} */ u) => drawBands(u, spec)],
        draw: [(/** @type {any} */ u) => drawMarks(u, spec)],
      },
    };
    // @ts-ignore: uPlot is the global the inlined uPlot.iife.min.js defines.
    new uPlot(opts, [spec.xs, ...spec.series.map((/** @type {any} */ s) => s.values)], el);
  }

  for (const spec of specs) {
    const el = /** @type {HTMLElement | null} */ (document.querySelector(`[data-chart="${spec.id}"]`));
    if (!el) continue;
    try {
      draw(el, spec);
    } catch (err) {
      el.classList.add('failed');
      el.textContent = `⚠ chart failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  document.body.dataset.rendered = 'true';
})();
