import { ConfigError } from '../../src/index.js'

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

interface Scaled {
  readonly units: bigint
  readonly scale: number
}

function parse(text: string): Scaled {
  const match = DECIMAL.exec(text)
  if (match === null) throw new ConfigError(`"${text}" is not a decimal amount; amounts are strings like "349.90".`)
  const fraction = match[3] ?? ''
  const units = BigInt(`${match[2]}${fraction}`)
  return { units: match[1] === '-' ? -units : units, scale: fraction.length }
}

function format({ units, scale }: Scaled): string {
  const negative = units < 0n
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const text = scale === 0 ? whole : `${whole}.${digits.slice(digits.length - scale)}`
  return negative ? `-${text}` : text
}

/**
 * The exact sum of two decimal strings, at the larger of their scales: "0.10" + "0.20" is "0.30"
 * (in floating point it would be 0.30000000000000004). Money is never a float here.
 */
export function addDecimals(a: string, b: string): string {
  const x = parse(a)
  const y = parse(b)
  const scale = Math.max(x.scale, y.scale)
  const units = x.units * 10n ** BigInt(scale - x.scale) + y.units * 10n ** BigInt(scale - y.scale)
  return format({ units, scale })
}
