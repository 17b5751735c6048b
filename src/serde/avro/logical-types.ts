import avro from 'avsc'
import { SerdeError } from '../../core/errors.js'

const { LogicalType } = avro.types

/**
 * Avro logical types as Tributary represents them in JavaScript:
 * - `decimal`: a string such as "1234.50", always exact (never a float), scaled to the schema's scale;
 * - `timestamp-millis`: a Date;  `timestamp-micros`: a bigint of microseconds since the epoch;
 * - `date`: a Date at UTC midnight;  `uuid`: a lower-case canonical string.
 */

const MS_PER_DAY = 86_400_000

export class DecimalType extends LogicalType {
  private readonly precision: number
  private readonly scale: number

  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts)
    const s = schema as { precision?: unknown; scale?: unknown }
    if (typeof s.precision !== 'number' || !Number.isInteger(s.precision) || s.precision < 1) {
      throw new SerdeError(`Avro decimal needs an integer "precision" >= 1, got ${String(s.precision)}.`)
    }
    const scale = s.scale ?? 0
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > s.precision) {
      throw new SerdeError(`Avro decimal "scale" must be an integer in [0, precision], got ${String(s.scale)}.`)
    }
    this.precision = s.precision
    this.scale = scale
  }

  protected override _fromValue(bytes: Buffer): string {
    return formatDecimal(twosComplementToBigInt(bytes), this.scale)
  }

  protected override _toValue(value: unknown): Buffer | undefined {
    if (typeof value !== 'string' && typeof value !== 'bigint' && typeof value !== 'number') return undefined
    const unscaled = parseDecimal(String(value), this.scale)
    if (unscaled === undefined) return undefined
    const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length
    if (digits > this.precision) return undefined
    const bytes = bigIntToTwosComplement(unscaled)
    const underlying = this.underlyingType as unknown as { size?: number }
    if (underlying.size === undefined) return bytes
    if (bytes.length > underlying.size) return undefined
    // A fixed-size decimal is sign-extended to the full width.
    const padded = Buffer.alloc(underlying.size, unscaled < 0n ? 0xff : 0)
    bytes.copy(padded, underlying.size - bytes.length)
    return padded
  }

  protected override _resolve(type: avro.Type): ((v: unknown) => string) | undefined {
    // The writer's type already yields the logical value: resolving is the identity when it agrees.
    if (type instanceof DecimalType && type.scale === this.scale && type.precision <= this.precision) return (v) => v as string
    return undefined
  }

  protected override _export(schema: avro.Schema): void {
    Object.assign(schema as object, { precision: this.precision, scale: this.scale })
  }
}

export class TimestampMillisType extends LogicalType {
  protected override _fromValue(value: number): Date {
    return new Date(value)
  }
  protected override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime()
    return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined
  }
  protected override _resolve(type: avro.Type): ((v: unknown) => Date) | undefined {
    if (type instanceof TimestampMillisType) return (v) => v as Date
    return avro.Type.isType(type, 'long') ? (v) => this._fromValue(v as number) : undefined
  }
}

/**
 * avsc reads longs as JavaScript numbers and zig-zag encodes them, which is exact for magnitudes up
 * to 2^52: for microseconds that is 1827 to 2112, and anything outside is refused, never rounded.
 */
const MAX_EXACT_MICROS = 2 ** 52

export class TimestampMicrosType extends LogicalType {
  protected override _fromValue(value: number): bigint {
    return BigInt(value)
  }
  protected override _toValue(value: unknown): number | undefined {
    let micros: number
    if (typeof value === 'bigint') micros = Number(value)
    else if (value instanceof Date) micros = value.getTime() * 1000
    else if (typeof value === 'number') micros = value
    else return undefined
    return Number.isInteger(micros) && Math.abs(micros) <= MAX_EXACT_MICROS ? micros : undefined
  }
  protected override _resolve(type: avro.Type): ((v: unknown) => bigint) | undefined {
    if (type instanceof TimestampMicrosType) return (v) => v as bigint
    return avro.Type.isType(type, 'long') ? (v) => this._fromValue(v as number) : undefined
  }
}

export class DateType extends LogicalType {
  protected override _fromValue(days: number): Date {
    return new Date(days * MS_PER_DAY)
  }
  protected override _toValue(value: unknown): number | undefined {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) return undefined
    return Math.floor(value.getTime() / MS_PER_DAY)
  }
  protected override _resolve(type: avro.Type): ((v: unknown) => Date) | undefined {
    if (type instanceof DateType) return (v) => v as Date
    return avro.Type.isType(type, 'int') ? (v) => this._fromValue(v as number) : undefined
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export class UuidType extends LogicalType {
  protected override _fromValue(value: string): string {
    return value.toLowerCase()
  }
  protected override _toValue(value: unknown): string | undefined {
    return typeof value === 'string' && UUID_PATTERN.test(value) ? value.toLowerCase() : undefined
  }
  protected override _resolve(type: avro.Type): ((v: unknown) => string) | undefined {
    return type instanceof UuidType || avro.Type.isType(type, 'string') ? (v) => (v as string).toLowerCase() : undefined
  }
}

export const logicalTypes = {
  decimal: DecimalType,
  'timestamp-millis': TimestampMillisType,
  'timestamp-micros': TimestampMicrosType,
  date: DateType,
  uuid: UuidType,
}

/** Parses "-12.5" at scale 2 into -1250n; undefined when it has more fraction digits than the scale. */
export function parseDecimal(text: string, scale: number): bigint | undefined {
  const match = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text.trim())
  if (match === null) return undefined
  const [, sign, whole, fraction = ''] = match
  const trimmed = fraction.replace(/0+$/, '')
  if (trimmed.length > scale) return undefined
  const unscaled = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale))
  return sign === '-' ? -unscaled : unscaled
}

export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = digits.slice(digits.length - scale)
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`
}

function twosComplementToBigInt(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n
  let value = BigInt(`0x${bytes.toString('hex')}`)
  if (bytes[0]! & 0x80) value -= 1n << BigInt(bytes.length * 8)
  return value
}

function bigIntToTwosComplement(value: bigint): Buffer {
  // Smallest big-endian two's complement encoding, as Java's BigInteger.toByteArray().
  let length = 1
  while (value < -(1n << BigInt(length * 8 - 1)) || value >= 1n << BigInt(length * 8 - 1)) length++
  const encoded = value < 0n ? (1n << BigInt(length * 8)) + value : value
  return Buffer.from(encoded.toString(16).padStart(length * 2, '0'), 'hex')
}
