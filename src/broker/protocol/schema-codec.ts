/**
 * Schema-driven codec over Kafka's JSON message definitions (src/broker/protocol/schemas, copied
 * from Apache Kafka 3.9).
 *
 * Naming convention shared by every handler (and by the group coordinator):
 * a request is decoded into a plain object whose property names are the schema's field names with
 * the first letter lowercased (`GroupId` -> `groupId`, `SessionTimeoutMs` -> `sessionTimeoutMs`),
 * struct arrays become arrays of such objects (`Protocols` -> `protocols: [{ name, metadata }]`),
 * `bytes`/`records` are Buffers (views of the received frame, null when nullable and null),
 * `int64` is bigint, `uuid` is a dashed hex string, strings are strings (null when nullable and
 * null). Only fields present in the request's version are set; others are undefined.
 * A response is encoded from such an object; a missing field is encoded as the schema default
 * (else 0, null when nullable, '' for strings, [] for arrays), and tagged fields equal to their
 * default are not written.
 */
import { BrokerError, ProtocolError } from '../errors.js'
import { Reader, Writer } from './primitives.js'
import { loadSchema, type SchemaField, type MessageSchema } from './schema-loader.js'
import { parseVersions, inVersions, type VersionRange } from './versions.js'

type Primitive = 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'string' | 'bytes' | 'records' | 'uuid'

type TypeDesc =
  | { kind: 'primitive'; name: Primitive }
  | { kind: 'array'; element: TypeDesc }
  | { kind: 'struct'; struct: CompiledStruct }

interface CompiledField {
  name: string
  type: TypeDesc
  nullable: boolean
  tag: number | undefined
  defaultValue: unknown
}

interface CompiledStruct {
  fields: CompiledField[]
  tagged: CompiledField[]
  flexible: boolean
}

export type Message = Record<string, unknown>

const primitives = new Set<string>(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid'])
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1)
}

function parseDefault(field: SchemaField, type: TypeDesc, nullable: boolean): unknown {
  const raw = field.default
  if (nullable && (raw === 'null' || raw === undefined)) return null
  if (type.kind === 'array') return []
  if (type.kind === 'struct') return undefined
  switch (type.name) {
    case 'bool':
      return raw === 'true'
    case 'int64':
      return raw === undefined ? 0n : BigInt(raw)
    case 'string':
      return raw ?? (nullable ? null : '')
    case 'bytes':
    case 'records':
      return nullable ? null : Buffer.alloc(0)
    case 'uuid':
      return ZERO_UUID
    default:
      return raw === undefined ? 0 : Number(raw)
  }
}

/** Compiles the fields of one struct for one version: filtering by version is done once. */
function compileStruct(fields: SchemaField[], version: number, flexibleVersions: VersionRange, structs: Map<string, SchemaField[]>): CompiledStruct {
  const flexible = inVersions(flexibleVersions, version)
  const out: CompiledStruct = { fields: [], tagged: [], flexible }
  for (const field of fields) {
    if (!inVersions(parseVersions(field.versions), version)) continue
    const nullable = field.nullableVersions !== undefined && inVersions(parseVersions(field.nullableVersions), version)
    const type = compileType(field.type, field.fields, version, flexibleVersions, structs)
    const tagged = field.taggedVersions !== undefined && inVersions(parseVersions(field.taggedVersions), version)
    const compiled: CompiledField = {
      name: lowerFirst(field.name),
      type,
      nullable,
      tag: tagged ? field.tag : undefined,
      defaultValue: parseDefault(field, type, nullable),
    }
    if (tagged) out.tagged.push(compiled)
    else out.fields.push(compiled)
  }
  out.tagged.sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0))
  return out
}

function compileType(type: string, fields: SchemaField[] | undefined, version: number, flexibleVersions: VersionRange, structs: Map<string, SchemaField[]>): TypeDesc {
  if (type.startsWith('[]')) {
    return { kind: 'array', element: compileType(type.slice(2), fields, version, flexibleVersions, structs) }
  }
  if (primitives.has(type)) return { kind: 'primitive', name: type as Primitive }
  const structFields = fields ?? structs.get(type)
  if (structFields === undefined) throw new BrokerError(`Kafka schema refers to unknown type "${type}".`)
  return { kind: 'struct', struct: compileStruct(structFields, version, flexibleVersions, structs) }
}

export class MessageCodec {
  private readonly compiled = new Map<number, CompiledStruct>()
  private readonly structs = new Map<string, SchemaField[]>()
  readonly validVersions: VersionRange
  private readonly flexibleVersions: VersionRange

  constructor(readonly schema: MessageSchema) {
    this.validVersions = parseVersions(schema.validVersions)
    this.flexibleVersions = parseVersions(schema.flexibleVersions)
    for (const s of schema.commonStructs ?? []) this.structs.set(s.name, s.fields)
  }

  isFlexible(version: number): boolean {
    return inVersions(this.flexibleVersions, version)
  }

  private struct(version: number): CompiledStruct {
    let s = this.compiled.get(version)
    if (s === undefined) {
      if (!inVersions(this.validVersions, version)) {
        throw new BrokerError(`${this.schema.name} has no version ${version}.`)
      }
      s = compileStruct(this.schema.fields, version, this.flexibleVersions, this.structs)
      this.compiled.set(version, s)
    }
    return s
  }

  decode(reader: Reader, version: number): Message {
    return readStruct(reader, this.struct(version))
  }

  encode(writer: Writer, version: number, message: Message): void {
    writeStruct(writer, this.struct(version), message)
  }
}

function readStruct(r: Reader, s: CompiledStruct): Message {
  const out: Message = {}
  for (const f of s.fields) out[f.name] = readValue(r, f.type, f.nullable, s.flexible)
  for (const f of s.tagged) out[f.name] = f.defaultValue
  if (s.flexible) readTaggedFields(r, s, out)
  return out
}

function readTaggedFields(r: Reader, s: CompiledStruct, out: Message): void {
  const count = r.uvarint()
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint()
    const size = r.uvarint()
    const field = s.tagged.find((f) => f.tag === tag)
    if (field === undefined) {
      r.skip(size) // unknown tags are skipped: newer clients may send fields we do not know
      continue
    }
    const end = r.pos + size
    if (end > r.end) throw new ProtocolError(`Tagged field ${tag} of ${size} bytes overruns the frame.`)
    out[field.name] = readValue(new Reader(r.buf, r.pos, end), field.type, field.nullable, s.flexible)
    r.pos = end
  }
}

function readValue(r: Reader, type: TypeDesc, nullable: boolean, flexible: boolean): unknown {
  if (type.kind === 'struct') return readStruct(r, type.struct)
  if (type.kind === 'array') {
    const n = r.arrayLength(flexible)
    if (n === null) {
      if (!nullable) throw new ProtocolError('Null array in a non-nullable field.')
      return null
    }
    const items = new Array<unknown>(n)
    for (let i = 0; i < n; i++) items[i] = readValue(r, type.element, false, flexible)
    return items
  }
  switch (type.name) {
    case 'bool':
      return r.bool()
    case 'int8':
      return r.int8()
    case 'int16':
      return r.int16()
    case 'uint16':
      return r.uint16()
    case 'int32':
      return r.int32()
    case 'uint32':
      return r.uint32()
    case 'int64':
      return r.int64()
    case 'float64':
      return r.float64()
    case 'uuid':
      return r.uuid()
    case 'string': {
      const v = r.string(flexible)
      if (v === null && !nullable) throw new ProtocolError('Null string in a non-nullable field.')
      return v
    }
    case 'bytes':
    case 'records': {
      const v = r.bytes(flexible)
      if (v === null && !nullable && type.name === 'bytes') throw new ProtocolError('Null bytes in a non-nullable field.')
      return v
    }
  }
}

function writeStruct(w: Writer, s: CompiledStruct, message: Message): void {
  for (const f of s.fields) {
    const v = message[f.name]
    writeValue(w, f.type, f.nullable, s.flexible, v === undefined ? f.defaultValue : v)
  }
  if (!s.flexible) return
  const present = s.tagged.filter((f) => {
    const v = message[f.name]
    return v !== undefined && !isDefault(v, f.defaultValue)
  })
  w.uvarint(present.length)
  for (const f of present) {
    const inner = new Writer(64)
    writeValue(inner, f.type, f.nullable, true, message[f.name])
    const data = inner.toBuffer()
    w.uvarint(f.tag ?? 0).uvarint(data.length).raw(data)
  }
}

function isDefault(v: unknown, d: unknown): boolean {
  if (v === d) return true
  if (Array.isArray(v) && Array.isArray(d)) return v.length === 0 && d.length === 0
  return false
}

function writeValue(w: Writer, type: TypeDesc, nullable: boolean, flexible: boolean, v: unknown): void {
  if (type.kind === 'struct') {
    writeStruct(w, type.struct, (v ?? {}) as Message)
    return
  }
  if (type.kind === 'array') {
    if (v === null || v === undefined) {
      w.arrayLength(nullable ? null : 0, flexible)
      return
    }
    const items = v as unknown[]
    w.arrayLength(items.length, flexible)
    for (const item of items) writeValue(w, type.element, false, flexible, item)
    return
  }
  switch (type.name) {
    case 'bool':
      w.bool(Boolean(v))
      return
    case 'int8':
      w.int8(Number(v ?? 0))
      return
    case 'int16':
      w.int16(Number(v ?? 0))
      return
    case 'uint16':
      w.uint16(Number(v ?? 0))
      return
    case 'int32':
      w.int32(Number(v ?? 0))
      return
    case 'uint32':
      w.uint32(Number(v ?? 0))
      return
    case 'int64':
      w.int64(typeof v === 'bigint' ? v : BigInt(Number(v ?? 0)))
      return
    case 'float64':
      w.float64(Number(v ?? 0))
      return
    case 'uuid':
      w.uuid(typeof v === 'string' ? v : ZERO_UUID)
      return
    case 'string':
      w.string(v === null || v === undefined ? (nullable ? null : '') : String(v), flexible)
      return
    case 'bytes':
    case 'records':
      w.bytes(Buffer.isBuffer(v) ? v : nullable ? null : Buffer.alloc(0), flexible)
      return
  }
}

const codecs = new Map<string, MessageCodec>()

/** The codec of one message, e.g. `codecFor('FetchResponse')`, loaded on first use. */
export function codecFor(name: string): MessageCodec {
  let codec = codecs.get(name)
  if (codec === undefined) {
    codec = new MessageCodec(loadSchema(name))
    codecs.set(name, codec)
  }
  return codec
}
