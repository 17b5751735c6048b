import { describe, expect, it } from 'vitest'
import type { ProcessingGuarantee } from '../../src/runtime/index.js'
import { formatReport } from '../../soak/report.js'
import { FAULT_KINDS, runSoak } from '../../soak/run-soak.js'

/**
 * The short form of `npm run soak`: two minutes per guarantee of three instances with default
 * settings, fed steadily, through connection cuts, instance SIGKILLs and broker SIGKILLs.
 */
describe.each<ProcessingGuarantee>(['at_least_once', 'exactly_once_v2'])('the fault soak for two minutes (%s)', (processingGuarantee) => {
  it('recovers from every fault and loses no result; exactly-once also repeats none', async () => {
    const report = await runSoak({ minutes: 2, processingGuarantee })
    console.log(formatReport(report))
    expect(report.unexpectedExits).toEqual([])
    expect(report.problems).toEqual([])
    for (const kind of FAULT_KINDS) expect(report.faults.filter((f) => f.kind === kind).length, kind).toBeGreaterThanOrEqual(2)
    expect(report.faults.filter((f) => f.recoveredAfterMs === undefined)).toEqual([])
    expect(report.input.requests).toBeGreaterThan(5_000)
    expect(report.droppedLate).toBe(0)
    for (const verdict of report.verdicts) {
      expect(verdict.expected, verdict.output).toBeGreaterThan(0)
      expect(verdict.lost, verdict.output).toBe(0)
      if (processingGuarantee === 'exactly_once_v2') expect(verdict.duplicated, verdict.output).toBe(0)
    }
    expect(report.passed).toBe(true)
  }, 8 * 60_000)
})
