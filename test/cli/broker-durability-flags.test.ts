import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { brokerDurabilityOptions, durabilitySummary } from '../../src/cli/broker-durability-flags.js'
import { brokerCommand } from '../../src/cli/commands/broker.js'
import { parseRunOptions } from '../../src/cli/run/run-options.js'
import { runCli } from '../../src/cli/run-cli.js'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err }
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('the embedded broker durability flags (--fsync, --flush-messages, --flush-ms)', () => {
  it('leave the broker its defaults when absent, and set fsync, flushMessages and flushMs when given', () => {
    expect(brokerDurabilityOptions('broker', {})).toEqual({})
    expect(brokerDurabilityOptions('broker', { fsync: 'always', 'flush-messages': '1000', 'flush-ms': '0' })).toEqual({ fsync: 'always', flushMessages: 1000, flushMs: 0 })
    expect(brokerDurabilityOptions('broker', { fsync: 'interval' })).toEqual({ fsync: 'interval' })
  })

  it('refuse bad values with a CliError naming the flag and what it takes', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ fsync: 'never' }, 'tributary broker: --fsync must be always or interval, got "never".'],
      [{ fsync: 'ALWAYS' }, 'tributary broker: --fsync must be always or interval, got "ALWAYS".'],
      [{ 'flush-messages': '0' }, 'tributary broker: --flush-messages must be an integer >= 1, got "0".'],
      [{ 'flush-messages': 'lots' }, 'tributary broker: --flush-messages must be an integer >= 1, got "lots".'],
      [{ 'flush-messages': '1e300' }, 'tributary broker: --flush-messages must be an integer from 1 to 9007199254740991, got "1e300".'],
      [{ 'flush-ms': '-5' }, 'tributary broker: --flush-ms must be an integer >= 0, got "-5".'],
      [{ 'flush-ms': '2.5' }, 'tributary broker: --flush-ms must be an integer >= 0, got "2.5".'],
    ]
    for (const [values, message] of cases) {
      let error: unknown
      try {
        brokerDurabilityOptions('broker', values)
      } catch (e) {
        error = e
      }
      expect(isTributaryError(error, 'TRIBUTARY_CLI')).toBe(true)
      expect((error as Error).message).toBe(message)
    }
  })

  it('tributary broker: a bad value exits 2 with one line; good ones reach the broker, which says what they mean', async () => {
    const bad = capture()
    expect(await runCli(['broker', '--flush-ms', 'soon'], bad.io, undefined, [brokerCommand])).toBe(2)
    expect(bad.err).toEqual(['tributary broker: --flush-ms must be an integer >= 0, got "soon".'])

    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-durability-'))
    dirs.push(dataDir)
    const good = capture()
    const stop = new AbortController()
    const exit = runCli(['broker', '--port', '0', '--no-registry', '--data-dir', dataDir, '--fsync', 'always', '--flush-ms', '1000'], good.io, stop.signal, [brokerCommand])
    while (!good.out.includes('Press Ctrl-C to stop.') && good.err.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    stop.abort()
    expect(await exit).toBe(0)
    expect(good.out).toContain('Durability: fsync always, synced to disk before acks=-1 produces, transaction ends and offset commits are acknowledged (they survive a power loss); each log also 1000 ms after its last sync')
  })

  it('tributary run takes them for its embedded broker, and refuses them with --brokers', () => {
    expect(parseRunOptions(['fleet-map']).brokerDurability).toEqual({})
    expect(parseRunOptions(['fleet-map', '--fsync', 'always', '--flush-messages', '10', '--flush-ms', '250']).brokerDurability).toEqual({ fsync: 'always', flushMessages: 10, flushMs: 250 })
    expect(() => parseRunOptions(['fleet-map', '--fsync', 'sometimes'])).toThrow('tributary run: --fsync must be always or interval, got "sometimes".')
    expect(() => parseRunOptions(['fleet-map', '--brokers', 'kafka:9092', '--flush-ms', '10'])).toThrow('tributary run: --fsync, --flush-messages and --flush-ms configure the embedded broker; leave them out with --brokers.')
  })

  it('sum up what an acknowledged write survives', () => {
    expect(durabilitySummary({ fsync: 'interval', flushMessages: Infinity, flushMs: Infinity })).toBe(
      'Durability: fsync interval, each log synced to disk when the OS writes them back; acknowledged writes survive a killed broker process, not a power loss',
    )
    expect(durabilitySummary({ fsync: 'interval', flushMessages: 500, flushMs: 200 })).toBe(
      'Durability: fsync interval, each log synced to disk every 500 messages or 200 ms after its last sync; acknowledged writes survive a killed broker process, not a power loss',
    )
    expect(durabilitySummary({ fsync: 'always', flushMessages: Infinity, flushMs: Infinity })).toBe(
      'Durability: fsync always, synced to disk before acks=-1 produces, transaction ends and offset commits are acknowledged (they survive a power loss)',
    )
  })
})
