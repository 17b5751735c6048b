import { describe, expect, it } from 'vitest'
import { computeLimitTarget, driverTarget } from '../../bench/suite/driver-mode.js'
import { SCENARIOS } from '../../bench/suite/scenarios/index.js'
import { closesWhenIdle } from '../../bench/suite/scenarios/scenario.js'
import { bundled as rideHistory } from '../../topologies/ride-history/index.js'
import { bundled as surgePricing } from '../../topologies/surge-pricing/index.js'

describe('bench scenarios', () => {
  // The compute limit is only a fair baseline if it does the same work: same inputs, same results.
  // Driver mode runs each variant with its settings and, on upstream watermarks, lets the inputs go
  // idle until the last windows have closed, so it emits every window the compute limit does.
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: the hand-written compute limit emits what the Tributary topology emits`, async () => {
      const inputs = scenario.prepare(6_000, 7)
      expect(inputs.length).toBeGreaterThan(4_000)
      expect(scenario.prepare(6_000, 7).map((r) => r.key.toString())).toEqual(inputs.map((r) => r.key.toString()))
      for (const variant of scenario.variants) {
        const byHand = await computeLimitTarget(scenario, variant, inputs).run()
        const tributary = await driverTarget(scenario, variant, inputs, 'memory').run()
        expect(byHand.outputs).toBeGreaterThan(0)
        expect(tributary.outputs).toBe(byHand.outputs)
        // Variants counted by their final values: the same values too, not only the same keys.
        expect(tributary.resultTotal).toBe(byHand.resultTotal)
      }
    }, 60_000)
  }

  it('runs surge-pricing and ride-history with the settings of their bundled topologies (upstream watermarks), the others with the defaults', () => {
    const configOf = (name: string) => SCENARIOS.find((s) => s.name === name)?.variants.map((v) => v.config)
    expect(configOf('surge-pricing')).toEqual([surgePricing.config])
    expect(configOf('ride-history')).toEqual([rideHistory.config])
    expect(surgePricing.config?.watermarks).toBe('upstream')
    expect(rideHistory.config?.watermarks).toBe('upstream')
    for (const name of ['ride-join', 'fleet-map']) expect(configOf(name)?.every((c) => c === undefined)).toBe(true)
    for (const scenario of SCENARIOS) for (const v of scenario.variants) if (closesWhenIdle(v)) expect(v.closeAfterMs).toBeTypeOf('function')
  })

  it('surge-pricing: the last minute closes its size plus grace after its start, so closeAfterMs counts from the newest input', () => {
    const variant = SCENARIOS.find((s) => s.name === 'surge-pricing')!.variants[0]!
    const at = (timestamp: number) => [{ topic: 't', key: Buffer.from('k'), value: null, timestamp }]
    // Window [60 s, 120 s) closes at 130 s of event time.
    expect(variant.closeAfterMs?.(at(60_000))).toBe(70_000)
    expect(variant.closeAfterMs?.(at(119_999))).toBe(10_001)
  })
})
