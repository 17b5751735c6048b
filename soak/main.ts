/**
 * `npm run soak -- --minutes N [--guarantee at_least_once|exactly_once_v2|both] [--instances 3]
 * [--rides-per-second 100] [--faults connections-cut,instance-sigkill,broker-sigkill]`: the fault soak. Exits with 1 when a run loses results (or, under
 * exactly-once, duplicates them), drops records as late, an instance dies on its own or a fault is
 * not recovered from.
 */
import { parseArgs } from 'node:util'
import type { ProcessingGuarantee } from '../src/runtime/index.js'
import { formatReport } from './report.js'
import { FAULT_KINDS, runSoak, type FaultKind } from './run-soak.js'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    guarantee: { type: 'string', default: 'both' },
    instances: { type: 'string', default: '3' },
    'rides-per-second': { type: 'string', default: '100' },
    faults: { type: 'string', default: FAULT_KINDS.join(',') },
  },
})
const minutes = Number(values.minutes)
const instances = Number(values.instances)
const ridesPerSecond = Number(values['rides-per-second'])
const guarantees: ProcessingGuarantee[] =
  values.guarantee === 'both' ? ['at_least_once', 'exactly_once_v2'] : values.guarantee === 'at_least_once' || values.guarantee === 'exactly_once_v2' ? [values.guarantee] : []
const faults = values.faults.split(',').filter((f) => f !== '') as FaultKind[]
if (faults.some((f) => !FAULT_KINDS.includes(f)) || faults.length === 0 || !(minutes > 0) || !Number.isInteger(instances) || instances < 1 || !(ridesPerSecond > 0) || guarantees.length === 0) {
  console.error(
    'Usage: npm run soak -- --minutes <n> [--guarantee at_least_once|exactly_once_v2|both] [--instances <n>] [--rides-per-second <n>] ' +
      `[--faults ${FAULT_KINDS.join(',')}]`,
  )
  process.exit(2)
}

let failed = false
for (const processingGuarantee of guarantees) {
  const report = await runSoak({ minutes, processingGuarantee, instances, ridesPerSecond, faults, log: (line) => console.log(`  ${line}`) })
  console.log(`\n${formatReport(report)}\n`)
  failed ||= !report.passed
}
process.exit(failed ? 1 : 0)
