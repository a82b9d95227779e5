// A horizontal bar chart as a standalone SVG file: one labelled bar per command x engine x threads,
// an axis in MB/s with gridlines at round numbers, and a legend of the series (engine and threads).
// Plain SVG 1.1 with no script or external resource, so any browser or image viewer opens it.

export interface ChartBar {
  /** shown left of the bar, e.g. "count · wasm · 2 threads" */
  label: string;
  /** null draws no bar, only `note` (a skipped case) */
  value: number | null;
  /** bars of one series share a colour and a legend entry */
  series: string;
  /** bars of one group sit together; a gap separates groups */
  group: string;
  /** shown after the bar (or instead of it) */
  note?: string;
}

interface ChartText {
  title: string;
  subtitle?: string;
  axisLabel: string;
}

// Light then dark shades of three hues: the bench plan lists js, wasm-scalar, wasm at one thread
// and then at all threads, so each engine keeps its hue and more threads are darker.
const PALETTE = ['#f2c46d', '#9cc3e6', '#93d3a2', '#c98500', '#2f6fb3', '#23894a', '#b07cc6', '#7a7a7a'];

const FONT_SIZE = 12;
/** An average character of 12 px sans-serif; labels are sized from it (no font metrics in a string). */
const CHAR_WIDTH = 7;
const MARGIN = 12;
const PLOT_WIDTH = 480;
const VALUE_SPACE = 150;
const BAR_HEIGHT = 16;
const ROW_GAP = 6;
const GROUP_GAP = 12;
const SUBTITLE_HEIGHT = 18;
const LINE_GAP = 12;
const LEGEND_HEIGHT = 24;
const AXIS_HEIGHT = 44;
const TICK_TARGET = 5;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Attribute numbers to a hundredth: exact enough, and short. */
function coordinate(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A round step (1, 2, 2.5 or 5 times a power of ten) giving about `TICK_TARGET` ticks up to `maximum`. */
export function tickStep(maximum: number): number {
  if (!(maximum > 0)) return 1;
  const rough = maximum / TICK_TARGET;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const normalized = rough / magnitude;
  const factor = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 2.5 ? 2.5 : normalized <= 5 ? 5 : 10;
  return factor * magnitude;
}

/** The axis end: the first tick at or above `maximum`. */
export function axisMaximum(maximum: number): number {
  if (!(maximum > 0)) return 1;
  const step = tickStep(maximum);
  return Math.ceil(maximum / step - 1e-9) * step;
}

function tickText(value: number): string {
  // Steps like 2.5 or 0.2 need a decimal or two; Number() drops the trailing zeros.
  return String(Number(value.toFixed(2)));
}

export function renderBarChartSvg(bars: readonly ChartBar[], text: ChartText): string {
  const labelWidth = Math.max(0, ...bars.map((bar) => Array.from(bar.label).length)) * CHAR_WIDTH + MARGIN;
  const plotLeft = MARGIN + labelWidth;
  const width = plotLeft + PLOT_WIDTH + VALUE_SPACE + MARGIN;
  const axisEnd = axisMaximum(Math.max(0, ...bars.map((bar) => bar.value ?? 0)));
  const step = tickStep(axisEnd);
  const scale = PLOT_WIDTH / axisEnd;

  const series = [...new Set(bars.map((bar) => bar.series))];
  const colourOf = (name: string): string => PALETTE[series.indexOf(name) % PALETTE.length]!;

  const parts: string[] = [];
  let y = MARGIN + FONT_SIZE + 2;
  parts.push(`<text class="title" x="${MARGIN}" y="${y}" font-size="15" font-weight="bold">${escapeXml(text.title)}</text>`);
  if (text.subtitle) {
    y += SUBTITLE_HEIGHT;
    parts.push(`<text class="subtitle" x="${MARGIN}" y="${y}" fill="#555">${escapeXml(text.subtitle)}</text>`);
  }
  y += LINE_GAP;

  // The legend wraps to more lines rather than run past the right edge.
  let legendX = MARGIN;
  for (const name of series) {
    const itemWidth = 16 + Array.from(name).length * CHAR_WIDTH + 16;
    if (legendX > MARGIN && legendX + itemWidth > width - MARGIN) {
      legendX = MARGIN;
      y += LEGEND_HEIGHT - 6;
    }
    parts.push(
      `<rect class="swatch" x="${coordinate(legendX)}" y="${y}" width="12" height="12" fill="${colourOf(name)}"/>`,
      `<text class="legend" x="${coordinate(legendX + 16)}" y="${y + 10}">${escapeXml(name)}</text>`,
    );
    legendX += itemWidth;
  }
  y += LEGEND_HEIGHT;

  const plotTop = y;
  const rows: string[] = [];
  let previousGroup: string | null = null;
  for (const bar of bars) {
    if (previousGroup !== null && bar.group !== previousGroup) y += GROUP_GAP;
    previousGroup = bar.group;
    const middle = y + BAR_HEIGHT / 2 + FONT_SIZE / 2 - 2;
    rows.push(`<text class="label" x="${coordinate(plotLeft - 8)}" y="${coordinate(middle)}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    let noteX = plotLeft + 6;
    if (bar.value !== null) {
      const barWidth = Math.max(0, bar.value) * scale;
      rows.push(
        `<rect class="bar" x="${plotLeft}" y="${y}" width="${coordinate(barWidth)}" height="${BAR_HEIGHT}" fill="${colourOf(bar.series)}">` +
          `<title>${escapeXml(`${bar.label}: ${tickText(bar.value)} ${text.axisLabel}`)}</title></rect>`,
      );
      noteX = plotLeft + barWidth + 6;
    }
    if (bar.note) {
      const fill = bar.value === null ? '#888' : '#222';
      rows.push(`<text class="note" x="${coordinate(noteX)}" y="${coordinate(middle)}" fill="${fill}">${escapeXml(bar.note)}</text>`);
    }
    y += BAR_HEIGHT + ROW_GAP;
  }
  const plotBottom = y;

  // Gridlines first, so the bars are drawn over them.
  const grid: string[] = [];
  for (let tick = 0; tick <= axisEnd + step / 2; tick += step) {
    const x = coordinate(plotLeft + tick * scale);
    grid.push(
      `<line x1="${x}" y1="${plotTop - 4}" x2="${x}" y2="${plotBottom}" stroke="#e2e2e2"/>`,
      `<text class="tick" x="${x}" y="${plotBottom + 16}" text-anchor="middle" fill="#555">${tickText(tick)}</text>`,
    );
  }
  grid.push(`<line x1="${plotLeft}" y1="${plotBottom}" x2="${plotLeft + PLOT_WIDTH}" y2="${plotBottom}" stroke="#555"/>`);
  const axisLabel = `<text class="axis-label" x="${coordinate(plotLeft + PLOT_WIDTH / 2)}" y="${plotBottom + 34}" text-anchor="middle">${escapeXml(text.axisLabel)}</text>`;

  const height = plotBottom + AXIS_HEIGHT;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT_SIZE}">`,
    `<title>${escapeXml(text.title)}</title>`,
    `<rect class="background" width="${width}" height="${height}" fill="#fff"/>`,
    ...parts,
    ...grid,
    ...rows,
    axisLabel,
    '</svg>',
    '',
  ].join('\n');
}
