import { ProtocolError } from '../errors.js'

/**
 * Kafka wire primitives. `Writer` grows one buffer and keeps large opaque payloads (record
 * batches) as separate chunks so that a Fetch response can hand stored batches to the socket
 * without copying them. `Reader` walks a received frame and hands out views, not copies.
 */
export class Writer {
  private buf: Buffer
  private pos = 0
  private readonly chunks: Buffer[] = []
  private chunkedBytes = 0

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize)
  }

  /** Total bytes written so far, including detached chunks. */
  get length(): number {
    return this.chunkedBytes + this.pos
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  int8(v: number): this {
    this.ensure(1)
    this.buf.writeInt8(v, this.pos)
    this.pos += 1
    return this
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0)
  }

  int16(v: number): this {
    this.ensure(2)
    this.buf.writeInt16BE(v, this.pos)
    this.pos += 2
    return this
  }

  uint16(v: number): this {
    this.ensure(2)
    this.buf.writeUInt16BE(v, this.pos)
    this.pos += 2
    return this
  }

  int32(v: number): this {
    this.ensure(4)
    this.buf.writeInt32BE(v, this.pos)
    this.pos += 4
    return this
  }

  uint32(v: number): this {
    this.ensure(4)
    this.buf.writeUInt32BE(v, this.pos)
    this.pos += 4
    return this
  }

  int64(v: bigint): this {
    this.ensure(8)
    this.buf.writeBigInt64BE(v, this.pos)
    this.pos += 8
    return this
  }

  float64(v: number): this {
    this.ensure(8)
    this.buf.writeDoubleBE(v, this.pos)
    this.pos += 8
    return this
  }

  uvarint(v: number): this {
    this.ensure(5)
    let value = v >>> 0
    while (value > 0x7f) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80
      value >>>= 7
    }
    this.buf[this.pos++] = value
    return this
  }

  varint(v: number): this {
    return this.uvarint((v << 1) ^ (v >> 31))
  }

  varlong(v: bigint): this {
    this.ensure(10)
    let value = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n))
    while (value > 0x7fn) {
      this.buf[this.pos++] = Number(value & 0x7fn) | 0x80
      value >>= 7n
    }
    this.buf[this.pos++] = Number(value)
    return this
  }

  uuid(v: string): this {
    const hex = v.replace(/-/g, '')
    if (hex.length !== 32) throw new ProtocolError(`Invalid UUID "${v}": expected 32 hex digits.`)
    this.ensure(16)
    this.buf.write(hex, this.pos, 'hex')
    this.pos += 16
    return this
  }

  raw(data: Buffer): this {
    this.ensure(data.length)
    data.copy(this.buf, this.pos)
    this.pos += data.length
    return this
  }

  /** Appends `data` by reference: the bytes are not copied into this writer. */
  attach(data: Buffer): this {
    if (data.length < 1024) return this.raw(data)
    this.chunks.push(this.buf.subarray(0, this.pos), data)
    this.chunkedBytes += this.pos + data.length
    this.buf = this.buf.subarray(this.pos)
    this.pos = 0
    return this
  }

  string(v: string | null, compact: boolean): this {
    if (v === null) return compact ? this.uvarint(0) : this.int16(-1)
    const len = Buffer.byteLength(v)
    if (compact) this.uvarint(len + 1)
    else this.int16(len)
    this.ensure(len)
    this.buf.write(v, this.pos, len, 'utf8')
    this.pos += len
    return this
  }

  bytes(v: Buffer | null, compact: boolean): this {
    if (v === null) return compact ? this.uvarint(0) : this.int32(-1)
    if (compact) this.uvarint(v.length + 1)
    else this.int32(v.length)
    return this.attach(v)
  }

  arrayLength(n: number | null, compact: boolean): this {
    if (n === null) return compact ? this.uvarint(0) : this.int32(-1)
    return compact ? this.uvarint(n + 1) : this.int32(n)
  }

  /** The written bytes as a list of buffers, in order (one unless payloads were attached). */
  toChunks(): Buffer[] {
    const tail = this.buf.subarray(0, this.pos)
    return this.chunks.length === 0 ? [tail] : [...this.chunks, tail]
  }

  toBuffer(): Buffer {
    const chunks = this.toChunks()
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
  }
}

export class Reader {
  pos: number

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start
  }

  get remaining(): number {
    return this.end - this.pos
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolError(`Truncated data: needed ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left.`)
    }
    const at = this.pos
    this.pos += n
    return at
  }

  int8(): number {
    return this.buf.readInt8(this.need(1))
  }

  bool(): boolean {
    return this.buf.readInt8(this.need(1)) !== 0
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2))
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.need(2))
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4))
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.need(4))
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8))
  }

  float64(): number {
    return this.buf.readDoubleBE(this.need(8))
  }

  uvarint(): number {
    let result = 0
    let shift = 0
    for (;;) {
      if (shift > 28) throw new ProtocolError('Malformed varint: longer than 5 bytes.')
      const byte = this.buf[this.need(1)]
      result |= (byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return result >>> 0
      shift += 7
    }
  }

  varint(): number {
    const u = this.uvarint()
    return (u >>> 1) ^ -(u & 1)
  }

  varlong(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      if (shift > 63n) throw new ProtocolError('Malformed varlong: longer than 10 bytes.')
      const byte = this.buf[this.need(1)]
      result |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) break
      shift += 7n
    }
    return BigInt.asIntN(64, (result >> 1n) ^ -(result & 1n))
  }

  uuid(): string {
    const at = this.need(16)
    const hex = this.buf.toString('hex', at, at + 16)
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  /** A view of the next `n` bytes (no copy). */
  view(n: number): Buffer {
    const at = this.need(n)
    return this.buf.subarray(at, at + n)
  }

  string(compact: boolean): string | null {
    const len = compact ? this.uvarint() - 1 : this.int16()
    if (len < 0) return null
    const at = this.need(len)
    return this.buf.toString('utf8', at, at + len)
  }

  bytes(compact: boolean): Buffer | null {
    const len = compact ? this.uvarint() - 1 : this.int32()
    if (len < 0) return null
    return this.view(len)
  }

  arrayLength(compact: boolean): number | null {
    const n = compact ? this.uvarint() - 1 : this.int32()
    if (n < 0) return null
    // Every element takes at least one byte: a larger count is a corrupt frame, not an allocation.
    if (n > this.remaining) throw new ProtocolError(`Array length ${n} exceeds the ${this.remaining} bytes left.`)
    return n
  }

  skip(n: number): void {
    this.need(n)
  }
}
