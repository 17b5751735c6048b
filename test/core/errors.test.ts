import { describe, expect, it } from 'vitest'
import {
  CliError, ConfigError, errorCodes, isTributaryError, ProcessingError, SerdeError, StateStoreError,
  TaskMigratedError, TimeoutError, TopologyError, TributaryError,
} from '../../src/core/errors.js'

describe('errors', () => {
  it('gives every subclass a stable code from the code list, also as a static', () => {
    const classes = [ConfigError, CliError, TopologyError, SerdeError, StateStoreError, ProcessingError, TaskMigratedError, TimeoutError]
    for (const ErrorClass of classes) {
      const error = new ErrorClass('something went wrong')
      expect(error.code).toBe(ErrorClass.code)
      expect(errorCodes).toContain(error.code)
      expect(error).toBeInstanceOf(TributaryError)
      expect(error).toBeInstanceOf(Error)
      expect(error.name).toBe(ErrorClass.name)
    }
  })

  it('keeps the cause and says whether a retry may help', () => {
    const cause = new Error('ECONNREFUSED')
    const error = new TimeoutError('broker did not answer within 30000 ms; check that it runs', { cause })
    expect(error.cause).toBe(cause)
    expect(error.canRetry).toBe(true)
    expect(new ConfigError('bad').canRetry).toBe(false)
    expect(new ConfigError('bad').cause).toBeUndefined()
  })

  it('recognizes errors by code without instanceof (e.g. from another copy of the package)', () => {
    const error = new SerdeError('bad bytes')
    expect(isTributaryError(error)).toBe(true)
    expect(isTributaryError(error, 'TRIBUTARY_SERDE')).toBe(true)
    expect(isTributaryError(error, 'TRIBUTARY_CONFIG')).toBe(false)
    const foreign = Object.assign(new Error('x'), { [Symbol.for('tributary.error')]: true, code: 'TRIBUTARY_SERDE' })
    expect(isTributaryError(foreign, 'TRIBUTARY_SERDE')).toBe(true)
    expect(isTributaryError(Object.assign(new Error('x'), { code: 'TRIBUTARY_SERDE' }))).toBe(false)
    expect(isTributaryError(null)).toBe(false)
    expect(isTributaryError('TRIBUTARY_SERDE')).toBe(false)
  })

  it('has unique codes that all start with TRIBUTARY_', () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length)
    for (const code of errorCodes) expect(code).toMatch(/^TRIBUTARY_[A-Z_]+$/)
  })
})
