import { canonicalSchema, isCompatibilityLevel, isCompatible, type CompatibilityLevel } from './compatibility.js'
import {
  incompatibleSchema, invalidCompatibilityLevel, invalidSchema, invalidVersion, schemaNotFound, subjectLevelNotConfigured,
  subjectNotFound, versionNotFound,
} from './registry-errors.js'
import type { SchemaLog } from './schema-log.js'

export interface SchemaVersion {
  readonly subject: string
  readonly version: number
  readonly id: number
  readonly schema: string
  readonly deleted: boolean
}

interface SchemaKey { keytype: 'SCHEMA'; subject: string; version: number; magic: 1 }
interface ConfigKey { keytype: 'CONFIG'; subject: string | null; magic: 0 }

/**
 * The registry's state: subjects with their versions, schema ids shared by identical schemas,
 * and compatibility levels. Every change is appended to the log first, then applied, so a
 * restarted registry replays the log into the same ids and versions.
 */
export class SchemaStore {
  private readonly bySubject = new Map<string, SchemaVersion[]>()
  private readonly schemaById = new Map<number, string>()
  private readonly idByCanonical = new Map<string, number>()
  private readonly levelBySubject = new Map<string, CompatibilityLevel>()
  private globalLevel: CompatibilityLevel = 'BACKWARD'
  private nextId = 1

  private constructor(private readonly log: SchemaLog) {}

  static async load(log: SchemaLog): Promise<SchemaStore> {
    const store = new SchemaStore(log)
    for (const { key, value } of await log.readAll()) store.apply(JSON.parse(key) as SchemaKey | ConfigKey, value === null ? null : JSON.parse(value))
    return store
  }

  private apply(key: SchemaKey | ConfigKey, value: unknown): void {
    if (key.keytype === 'CONFIG') {
      const level = (value as { compatibilityLevel?: unknown } | null)?.compatibilityLevel
      if (key.subject === null) this.globalLevel = isCompatibilityLevel(level) ? level : 'BACKWARD'
      else if (isCompatibilityLevel(level)) this.levelBySubject.set(key.subject, level)
      else this.levelBySubject.delete(key.subject)
      return
    }
    if (key.keytype !== 'SCHEMA' || value === null) return
    const v = value as SchemaVersion
    const versions = this.bySubject.get(v.subject) ?? []
    const at = versions.findIndex((x) => x.version === v.version)
    const entry: SchemaVersion = { subject: v.subject, version: v.version, id: v.id, schema: v.schema, deleted: v.deleted === true }
    if (at >= 0) versions[at] = entry
    else versions.push(entry)
    versions.sort((a, b) => a.version - b.version)
    this.bySubject.set(v.subject, versions)
    this.schemaById.set(v.id, v.schema)
    this.idByCanonical.set(canonicalSchema(v.schema), v.id)
    this.nextId = Math.max(this.nextId, v.id + 1)
  }

  private async write(key: SchemaKey | ConfigKey, value: object | null): Promise<void> {
    await this.log.append(JSON.stringify(key), value === null ? null : JSON.stringify(value))
    this.apply(key, value)
  }

  private live(subject: string): SchemaVersion[] {
    return (this.bySubject.get(subject) ?? []).filter((v) => !v.deleted)
  }

  subjects(): string[] {
    return [...this.bySubject.keys()].filter((s) => this.live(s).length > 0).sort()
  }

  versions(subject: string): number[] {
    const live = this.live(subject)
    if (live.length === 0) throw subjectNotFound(subject)
    return live.map((v) => v.version)
  }

  version(subject: string, version: string): SchemaVersion {
    const live = this.live(subject)
    if (live.length === 0) throw subjectNotFound(subject)
    if (version === 'latest' || version === '-1') return live[live.length - 1]!
    const n = Number(version)
    if (!Number.isInteger(n) || n < 1) throw invalidVersion(version)
    const found = live.find((v) => v.version === n)
    if (found === undefined) throw versionNotFound(version)
    return found
  }

  schema(id: number): string {
    const schema = this.schemaById.get(id)
    if (schema === undefined) throw schemaNotFound(`Schema ${id} not found`)
    return schema
  }

  private canonical(schema: string): string {
    try {
      return canonicalSchema(schema)
    } catch (error) {
      throw invalidSchema((error as Error).message)
    }
  }

  lookup(subject: string, schema: string): SchemaVersion {
    const live = this.live(subject)
    if (live.length === 0) throw subjectNotFound(subject)
    const canonical = this.canonical(schema)
    const found = live.find((v) => canonicalSchema(v.schema) === canonical)
    if (found === undefined) throw schemaNotFound()
    return found
  }

  /** Registers `schema` under `subject`, or returns the id it already has there. */
  async register(subject: string, schema: string): Promise<number> {
    const canonical = this.canonical(schema)
    const live = this.live(subject)
    const existing = live.find((v) => canonicalSchema(v.schema) === canonical)
    if (existing !== undefined) return existing.id
    const level = this.level(subject)
    if (!isCompatible(level, schema, live.map((v) => v.schema))) {
      throw incompatibleSchema(`compatibility level ${level} of subject '${subject}' forbids it`)
    }
    const id = this.idByCanonical.get(canonical) ?? this.nextId
    const all = this.bySubject.get(subject) ?? []
    const version = all.length === 0 ? 1 : all[all.length - 1]!.version + 1
    await this.write({ keytype: 'SCHEMA', subject, version, magic: 1 }, { subject, version, id, schema, deleted: false })
    return id
  }

  isCompatibleWith(subject: string, version: string, schema: string): boolean {
    this.canonical(schema)
    const live = this.live(subject)
    if (live.length === 0) throw subjectNotFound(subject)
    const level = this.level(subject)
    if (version === 'latest') return isCompatible(level, schema, live.map((v) => v.schema))
    return isCompatible(level === 'NONE' ? 'NONE' : (level.replace('_TRANSITIVE', '') as CompatibilityLevel), schema, [this.version(subject, version).schema])
  }

  /** Soft-deletes every version of `subject` and returns their numbers. */
  async deleteSubject(subject: string): Promise<number[]> {
    const live = this.live(subject)
    if (live.length === 0) throw subjectNotFound(subject)
    for (const v of live) await this.write({ keytype: 'SCHEMA', subject, version: v.version, magic: 1 }, { ...v, deleted: true })
    return live.map((v) => v.version)
  }

  level(subject?: string): CompatibilityLevel {
    return (subject === undefined ? undefined : this.levelBySubject.get(subject)) ?? this.globalLevel
  }

  subjectLevel(subject: string): CompatibilityLevel {
    const level = this.levelBySubject.get(subject)
    if (level === undefined) throw subjectLevelNotConfigured(subject)
    return level
  }

  async setLevel(subject: string | null, level: unknown): Promise<CompatibilityLevel> {
    const normalized = typeof level === 'string' ? level.toUpperCase() : level
    if (!isCompatibilityLevel(normalized)) throw invalidCompatibilityLevel(level)
    await this.write({ keytype: 'CONFIG', subject, magic: 0 }, { compatibilityLevel: normalized })
    return normalized
  }
}
