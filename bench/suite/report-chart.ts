import type { ResultRow } from './results.js'

/** Bar colours by target: baselines in greys, Tributary configurations in blues and greens. */
const COLOURS: Readonly<Record<Exclude<ResultRow['target'], `npm:${string}`>, string>> = {
  'compute-limit': '#9e9e9e',
  'io-limit': '#616161',
  memory: '#64b5f6',
  rocksdb: '#1565c0',
  at_least_once: '#66bb6a',
  exactly_once_v2: '#2e7d32',
  at_least_once_cached: '#ffb74d',
}

/** Kafka Streams' rows in oranges, so they stand apart from Tributary's beside them. */
const KAFKA_STREAMS_COLOURS: Readonly<Partial<Record<ResultRow['target'], string>>> = {
  at_least_once: '#fb8c00',
  exactly_once_v2: '#e65100',
  at_least_once_cached: '#ffb74d',
}

/** npm peer libraries' rows (`--peers`) in purple. */
const PEER_COLOUR = '#8e24aa'

function colour(row: ResultRow): string {
  if (row.mode === 'peer' || row.target.startsWith('npm:')) return PEER_COLOUR
  return (row.mode === 'kafka-streams' ? KAFKA_STREAMS_COLOURS[row.target] : undefined) ?? COLOURS[row.target as keyof typeof COLOURS]
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * A horizontal bar chart of median records/s, one bar per row, grouped by scenario, with a
 * whisker for the min-max range of the runs. Plain SVG 1.1 text: no library, no fonts to embed.
 */
export function barChartSvg(rows: readonly ResultRow[], title: string): string {
  const labelWidth = 330
  const chartWidth = 520
  const barHeight = 18
  const gap = 6
  const top = 48
  const scaleMax = niceCeiling(Math.max(1, ...rows.map((r) => r.recordsPerSec.max)))
  const x = (value: number): number => labelWidth + (value / scaleMax) * chartWidth
  const parts: string[] = []
  let y = top
  let previousScenario: string | undefined
  for (const row of rows) {
    if (row.scenario !== previousScenario) {
      if (previousScenario !== undefined) y += gap * 2
      parts.push(`<text x="8" y="${y + 13}" font-weight="bold">${escape(row.scenario)}</text>`)
      y += barHeight + gap
      previousScenario = row.scenario
    }
    const { median, min, max } = row.recordsPerSec
    const label = `${row.variant} · ${row.mode} · ${row.target}`
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${escape(label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${(x(median) - labelWidth).toFixed(1)}" height="${barHeight}" fill="${colour(row)}"><title>${escape(`${label}: ${Math.round(median)} records/s`)}</title></rect>`,
      `<line x1="${x(min).toFixed(1)}" x2="${x(max).toFixed(1)}" y1="${y + barHeight / 2}" y2="${y + barHeight / 2}" stroke="#000" stroke-width="1"/>`,
      `<text x="${(x(max) + 6).toFixed(1)}" y="${y + 13}">${Math.round(median).toLocaleString('en-US')}</text>`,
    )
    y += barHeight + gap
  }
  const axisY = y + 4
  const ticks: string[] = []
  for (let i = 0; i <= 4; i++) {
    const value = (scaleMax / 4) * i
    ticks.push(
      `<line x1="${x(value).toFixed(1)}" x2="${x(value).toFixed(1)}" y1="${top - 4}" y2="${axisY}" stroke="#ddd"/>`,
      `<text x="${x(value).toFixed(1)}" y="${axisY + 16}" text-anchor="middle">${compact(value)}</text>`,
    )
  }
  const width = labelWidth + chartWidth + 110
  const height = axisY + 40
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="24" font-size="15" font-weight="bold">${escape(title)}</text>`,
    ...ticks,
    ...parts,
    `<text x="${labelWidth + chartWidth / 2}" y="${axisY + 34}" text-anchor="middle">records/s (median; line = min-max of the runs)</text>`,
    '</svg>',
    '',
  ].join('\n')
}

/** The smallest 1, 2 or 5 × 10^n not below `value`, so axis ticks are round numbers. */
export function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}

function compact(value: number): string {
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(1)}M`
  if (value >= 1_000) return `${+(value / 1_000).toFixed(1)}k`
  return String(Math.round(value))
}
