/** A version range of a Kafka schema: "0+", "3-7", "5" or "none". */
export interface VersionRange {
  min: number
  max: number
}

const cache = new Map<string, VersionRange>()

export function parseVersions(spec: string | undefined): VersionRange {
  if (spec === undefined || spec === 'none' || spec === '') return { min: 1, max: 0 }
  let range = cache.get(spec)
  if (range !== undefined) return range
  if (spec.endsWith('+')) range = { min: Number(spec.slice(0, -1)), max: Number.MAX_SAFE_INTEGER }
  else if (spec.includes('-')) {
    const [a, b] = spec.split('-')
    range = { min: Number(a), max: Number(b) }
  } else range = { min: Number(spec), max: Number(spec) }
  cache.set(spec, range)
  return range
}

export function inVersions(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max
}
