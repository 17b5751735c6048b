import { FSYNC_MODES, type FsyncMode, type LogDurability } from '../broker/index.js'
import { CliError } from '../core/errors.js'
import { intFlag } from './parse-flags.js'

/** The flags that choose when the embedded broker syncs its logs (`tributary broker` and `tributary run`). */
export const brokerDurabilityFlags = {
  fsync: { type: 'string' },
  'flush-messages': { type: 'string' },
  'flush-ms': { type: 'string' },
} as const

/** EmbeddedKafka's `fsync`, `flushMessages` and `flushMs`; absent ones keep the broker's defaults. */
export interface BrokerDurabilityOptions {
  fsync?: FsyncMode
  flushMessages?: number
  flushMs?: number
}

/** Whether any of the durability flags was given (they configure the embedded broker only). */
export function hasBrokerDurabilityFlags(values: Record<string, unknown>): boolean {
  return Object.keys(brokerDurabilityFlags).some((name) => values[name] !== undefined)
}

/** Reads the durability flags of `tributary <command>`; every bad value is a CliError naming the flag. */
export function brokerDurabilityOptions(command: string, values: Record<string, unknown>): BrokerDurabilityOptions {
  const options: BrokerDurabilityOptions = {}
  const fsync = values.fsync as string | undefined
  if (fsync !== undefined) {
    if (!(FSYNC_MODES as readonly string[]).includes(fsync)) {
      throw new CliError(`tributary ${command}: --fsync must be ${FSYNC_MODES.join(' or ')}, got "${fsync}".`)
    }
    options.fsync = fsync as FsyncMode
  }
  const count = (flag: string, min: number): number | undefined => {
    const value = values[flag] as string | undefined
    if (value === undefined) return undefined
    const n = intFlag(command, flag, value, min, min)
    if (!Number.isSafeInteger(n)) throw new CliError(`tributary ${command}: --${flag} must be an integer from ${min} to ${Number.MAX_SAFE_INTEGER}, got "${value}".`)
    return n
  }
  const flushMessages = count('flush-messages', 1)
  if (flushMessages !== undefined) options.flushMessages = flushMessages
  const flushMs = count('flush-ms', 0)
  if (flushMs !== undefined) options.flushMs = flushMs
  return options
}

/** One line saying what an acknowledged write survives under `durability`, for the command's output. */
export function durabilitySummary(durability: LogDurability): string {
  const limits: string[] = []
  if (Number.isFinite(durability.flushMessages)) limits.push(`every ${durability.flushMessages} messages`)
  if (Number.isFinite(durability.flushMs)) limits.push(`${durability.flushMs} ms after its last sync`)
  const scheduled = limits.join(' or ')
  if (durability.fsync === 'always') {
    const also = scheduled === '' ? '' : `; each log also ${scheduled}`
    return `Durability: fsync always, synced to disk before acks=-1 produces, transaction ends and offset commits are acknowledged (they survive a power loss)${also}`
  }
  const when = scheduled === '' ? 'when the OS writes them back' : scheduled
  return `Durability: fsync interval, each log synced to disk ${when}; acknowledged writes survive a killed broker process, not a power loss`
}
