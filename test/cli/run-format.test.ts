import { describe, expect, it } from 'vitest'
import { formatKey, formatRecord, formatValue } from '../../src/cli/run/record-format.js'
import { formatBytes, formatStatus, formatUptime, plainDisplay } from '../../src/cli/run/status-line.js'
import { formatSummary } from '../../src/cli/run/summary.js'

const at = (hms: string) => Date.parse(`2026-01-01T${hms}Z`)

describe('output records as a person reads them', () => {
  it('shows a windowed key with its window as clock times', () => {
    expect(formatKey({ key: '872830821ffffff', window: { start: at('08:00:00'), end: at('08:01:00') } })).toBe('872830821ffffff [08:00:00-08:01:00)')
    expect(formatKey('driver-7')).toBe('driver-7')
    expect(formatKey({ id: 7 })).toBe('{"id":7}')
  })

  it('prints objects as field=value pairs, leaving out the key, with times and rounded coordinates', () => {
    const value = { driverId: 'driver-7', riderId: null, lat: 37.7749123456, lng: -122.41941, ts: at('08:16:55') + 975, driver: { name: 'Ana', rating: 4.91 } }
    expect(formatValue(value, 'driver-7')).toBe('riderId=null lat=37.77491 lng=-122.41941 ts=08:16:55 driver={"name":"Ana","rating":4.91}')
    // A count that happens to be large is not a time: only time-like field names are.
    expect(formatValue({ count: 1_795_313_815_975 })).toBe('count=1795313815975')
    expect(formatValue(null)).toBe('(deleted)')
    expect(formatValue(42)).toBe('42')
    expect(formatValue([1, 2])).toBe('[1,2]')
  })

  it('keeps a record on one line of the given width', () => {
    const line = formatRecord({ topic: 'rides', key: 'r-1', value: { path: 'x'.repeat(500) }, timestamp: 0 }, 12, 80)
    expect(line).toHaveLength(80)
    expect(line.startsWith('  rides         r-1  path=xxx')).toBe(true)
    expect(line.endsWith('…')).toBe(true)
  })
})

describe('the status line', () => {
  it('shows what is known and leaves out what is not', () => {
    expect(formatStatus({ uptimeMs: 3_723_000, state: 'RUNNING', inPerSecond: 1204.4, outPerSecond: 1198, lag: 12, stateBytes: 1_468_006, generated: 14_400 }))
      .toBe('01:02:03 RUNNING  in 1,204/s  out 1,198/s  lag 12  state 1.4 MB  generated 14,400')
    expect(formatStatus({ uptimeMs: 999, state: 'REBALANCING', outPerSecond: 0 })).toBe('00:00:00 REBALANCING  out 0/s')
    expect(formatUptime(59_999)).toBe('00:00:59')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB')
  })

  it('goes to a log as a plain line after the first second, then every fifth', () => {
    const out: string[] = []
    const display = plainDisplay({ out: (t) => out.push(t), err: () => undefined })
    for (let s = 1; s <= 11; s++) display.update({ uptimeMs: s * 1000, state: 'RUNNING', outPerSecond: s })
    display.print('a sample')
    expect(out).toEqual([
      '[status] 00:00:01 RUNNING  out 1/s',
      '[status] 00:00:06 RUNNING  out 6/s',
      '[status] 00:00:11 RUNNING  out 11/s',
      'a sample',
    ])
  })
})

describe('the summary', () => {
  it('says what was generated, processed and produced, and where the state is', () => {
    const text = formatSummary({
      topology: 'fleet-map', durationMs: 10_049, guarantee: 'at_least_once', stoppedBecause: '--duration 10 reached',
      generated: new Map([['vehicle_locations', 2000], ['ride_requests', 45], ['tickets', 0]]), processed: 2392,
      produced: new Map([['driver_rider_vehicle_location', 2000]]), stateDir: '.tributary/state/fleet-map', stateRemoved: false,
    })
    expect(text.split('\n')).toEqual([
      'Summary: fleet-map ran for 10.0 s (at_least_once); stopped: --duration 10 reached.',
      '  generated  2,045 records (vehicle_locations 2,000, ride_requests 45)',
      '  processed  2,392 input records',
      '  produced   2,000 records (driver_rider_vehicle_location 2,000)',
      '  state      .tributary/state/fleet-map',
    ])
  })
})
