/**
 * A strict reader of Prometheus' text exposition format 0.0.4, written from the format's
 * description rather than from what prom-client prints: it throws at the first line a scraper
 * would reject or misread.
 */

export interface ExposedSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface ExposedFamily {
  readonly name: string
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  readonly help: string | undefined
  readonly samples: ExposedSample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

export function parseExposition(text: string): Map<string, ExposedFamily> {
  if (!text.endsWith('\n')) throw new Error('The exposition must end with a line feed')
  const families = new Map<string, ExposedFamily & { help: string | undefined }>()
  const series = new Set<string>()
  let current: string | undefined
  const lines = text.slice(0, -1).split('\n')
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line)})`
    if (line.trim() === '') return
    if (line.startsWith('#')) {
      const [, keyword, name, rest] = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line) ?? []
      if (keyword === undefined || name === undefined) return // a plain comment
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name`)
      const family = families.get(name)
      if (family !== undefined && current !== name) throw new Error(`${where}: ${name} is described again after other families`)
      if (keyword === 'HELP') {
        if (family?.help !== undefined) throw new Error(`${where}: a second HELP`)
        if (family === undefined) families.set(name, { name, type: 'untyped', help: rest ?? '', samples: [] })
        else family.help = rest ?? ''
      } else {
        if (rest === undefined || !TYPES.has(rest)) throw new Error(`${where}: unknown type`)
        if (family !== undefined && (family.samples.length > 0 || family.type !== 'untyped')) throw new Error(`${where}: TYPE after samples or a second TYPE`)
        families.set(name, { name, type: rest as ExposedFamily['type'], help: family?.help, samples: [] })
      }
      current = name
      return
    }
    const sample = parseSample(line, where)
    const familyName = familyOf(sample.name, families)
    if (!families.has(familyName)) {
      families.set(familyName, { name: familyName, type: 'untyped', help: undefined, samples: [] })
      current = familyName
    }
    if (familyName !== current) throw new Error(`${where}: sample of ${familyName} outside its family's block`)
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`
    if (series.has(key)) throw new Error(`${where}: duplicate series`)
    series.add(key)
    families.get(familyName)!.samples.push(sample)
  })
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family)
  return families
}

/** The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` lines are its own. */
function familyOf(sampleName: string, families: Map<string, ExposedFamily>): string {
  const suffix = /_(bucket|sum|count)$/.exec(sampleName)
  if (suffix !== null) {
    const base = sampleName.slice(0, -suffix[0].length)
    const type = families.get(base)?.type
    if (type === 'histogram' || (type === 'summary' && suffix[1] !== 'bucket')) return base
  }
  return sampleName
}

function parseSample(line: string, where: string): ExposedSample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)
  if (head === null) throw new Error(`${where}: no metric name`)
  const name = head[1]!
  let i = name.length
  const labels: Record<string, string> = {}
  if (line[i] === '{') {
    i++
    while (line[i] !== '}') {
      const labelMatch = /^([^=]+)="/.exec(line.slice(i))
      if (labelMatch === null || !LABEL_NAME.test(labelMatch[1]!)) throw new Error(`${where}: bad label at ${i}`)
      i += labelMatch[0].length
      let value = ''
      while (line[i] !== '"') {
        if (i >= line.length) throw new Error(`${where}: unterminated label value`)
        if (line[i] === '\\') {
          const escaped = line[i + 1]
          if (escaped === 'n') value += '\n'
          else if (escaped === '\\' || escaped === '"') value += escaped
          else throw new Error(`${where}: bad escape`)
          i += 2
        } else value += line[i++]
      }
      i++
      if (Object.hasOwn(labels, labelMatch[1]!)) throw new Error(`${where}: repeated label`)
      labels[labelMatch[1]!] = value
      if (line[i] === ',') i++
      else if (line[i] !== '}') throw new Error(`${where}: expected , or }`)
    }
    i++
  }
  const [valueText, timestamp, extra] = line.slice(i).trim().split(/ +/)
  if (line[i] !== ' ' || valueText === undefined || extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) throw new Error(`${where}: bad value part`)
  const value = parseFloatStrict(valueText, where)
  return { name, labels, value }
}

/** Numbers as Prometheus reads them (Go's strconv.ParseFloat): NaN and Inf in any case, as prom-client's `Nan`. */
function parseFloatStrict(text: string, where: string): number {
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(text)
  if (special !== null) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad number ${text}`)
  return Number(text)
}

/** Per series: `le` ascending, counts never decreasing, a `+Inf` bucket equal to `_count`, and a `_sum`. */
function checkHistogram(family: ExposedFamily): void {
  const bySeries = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>()
  for (const s of family.samples) {
    const { le, ...rest } = s.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    const entry = bySeries.get(key) ?? { buckets: [] }
    bySeries.set(key, entry)
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`)
      entry.buckets.push([parseFloatStrict(le, family.name), s.value])
    } else if (s.name.endsWith('_sum')) entry.sum = s.value
    else if (s.name.endsWith('_count')) entry.count = s.value
  }
  for (const [key, { buckets, sum, count }] of bySeries) {
    const where = `${family.name}${key}`
    if (sum === undefined || count === undefined) throw new Error(`${where}: no _sum or _count`)
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${where}: le not ascending`)
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${where}: bucket counts decrease`)
    }
    const last = buckets.at(-1)
    if (last === undefined || last[0] !== Infinity || last[1] !== count) throw new Error(`${where}: the +Inf bucket must come last and equal _count`)
  }
}
