import { describe, expect, it } from 'vitest'
import { computeLimitTarget, driverTarget } from '../../bench/suite/driver-mode.js'
import { SCENARIOS } from '../../bench/suite/scenarios/index.js'

describe('bench scenarios', () => {
  // The compute limit is only a fair baseline if it does the same work: same inputs, same results.
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
      }
    }, 60_000)
  }
})
