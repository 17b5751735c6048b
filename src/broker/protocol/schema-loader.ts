import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BrokerError } from '../errors.js'

/** One field of a Kafka JSON message definition, as written in the Apache Kafka sources. */
export interface SchemaField {
  name: string
  type: string
  versions: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  default?: string
  fields?: SchemaField[]
}

export interface MessageSchema {
  apiKey?: number
  type: string
  name: string
  validVersions: string
  flexibleVersions: string
  fields: SchemaField[]
  commonStructs?: Array<{ name: string; versions: string; fields: SchemaField[] }>
}

/**
 * Finds the schema folder. From sources it sits next to this file. tsc does not copy JSON files
 * that are not imported, so compiled code (dist/src/broker/protocol) looks for the package's
 * `src/broker/protocol/schemas` in its ancestors.
 */
function schemaDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, 'schemas')]
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) candidates.push(join(dir, 'src', 'broker', 'protocol', 'schemas'))
  for (const candidate of candidates) if (existsSync(join(candidate, 'ApiVersionsRequest.json'))) return candidate
  throw new BrokerError(`Kafka protocol schemas not found next to ${here} or in a parent's src/broker/protocol/schemas; reinstall the package.`)
}

let dir: string | undefined

/** Reads a schema file; the files carry `//` license and version-history comments, stripped here. */
export function loadSchema(name: string): MessageSchema {
  dir ??= schemaDir()
  const path = join(dir, `${name}.json`)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new BrokerError(`No Kafka protocol schema named ${name} (${path}).`, { cause })
  }
  const json = text
    .split('\n')
    .map((line) => stripComment(line))
    .join('\n')
  return JSON.parse(json) as MessageSchema
}

/** Removes a `//` comment that is not inside a string literal. */
function stripComment(line: string): string {
  let inString = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '\\' && inString) {
      i++
      continue
    }
    if (c === '"') inString = !inString
    else if (c === '/' && !inString && line[i + 1] === '/') return line.slice(0, i)
  }
  return line
}
