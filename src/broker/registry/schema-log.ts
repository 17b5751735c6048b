/**
 * Where the registry keeps its history: an append-only log of keyed JSON records, replayed on
 * start. With a broker it is the compacted `_schemas` topic, in Confluent's record format:
 * key `{"keytype":"SCHEMA","subject":s,"version":v,"magic":1}` -> `{"subject","version","id","schema","deleted"}`
 * and key `{"keytype":"CONFIG","subject":s|null,"magic":0}` -> `{"compatibilityLevel"}`.
 */
export interface SchemaLog {
  append(key: string, value: string | null): Promise<void>
  readAll(): Promise<Array<{ key: string; value: string | null }>>
  close?(): Promise<void>
}

/** A log that lives as long as the process: for tests and a registry without a broker. */
export class MemorySchemaLog implements SchemaLog {
  private readonly records: Array<{ key: string; value: string | null }> = []

  async append(key: string, value: string | null): Promise<void> {
    this.records.push({ key, value })
  }

  async readAll(): Promise<Array<{ key: string; value: string | null }>> {
    return [...this.records]
  }
}
