import avro from 'avsc'

/** Confluent's compatibility levels. */
export const compatibilityLevels = [
  'NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE',
] as const
export type CompatibilityLevel = (typeof compatibilityLevels)[number]

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (compatibilityLevels as readonly string[]).includes(value)
}

/** Parses an Avro schema text; throws an Error whose message says what is wrong. */
export function parseSchema(text: string): avro.Type {
  const json = JSON.parse(text) as avro.Schema
  return avro.Type.forSchema(json, { wrapUnions: false })
}

/** The form schemas are compared and deduplicated in (attributes kept, whitespace and order of keys normalized by avsc). */
export function canonicalSchema(text: string): string {
  return JSON.stringify(parseSchema(text).schema({ exportAttrs: true }))
}

function canRead(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer)
    return true
  } catch {
    return false
  }
}

/**
 * Whether `candidate` may follow `previous` (oldest first) under `level`, checked the way the
 * Avro specification resolves schemas: BACKWARD = the new schema reads data written with the old,
 * FORWARD = the old reads the new, FULL = both; the non-transitive levels look at the latest
 * version only.
 */
export function isCompatible(level: CompatibilityLevel, candidate: string, previous: readonly string[]): boolean {
  if (level === 'NONE' || previous.length === 0) return true
  const next = parseSchema(candidate)
  const against = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1)
  return against.every((text) => {
    const old = parseSchema(text)
    const backward = canRead(next, old)
    const forward = canRead(old, next)
    if (level.startsWith('BACKWARD')) return backward
    if (level.startsWith('FORWARD')) return forward
    return backward && forward
  })
}
