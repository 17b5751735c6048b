/**
 * Every topic of the differential suite holds UTF-8 text, so the two systems are compared on
 * semantics and not on serde formats; windowed keys are written `key@start/end`, as the Java
 * cases (test/interop/src/dev/tributary/interop/differential/random/Text.java) write them.
 */
import type { Windowed } from '../../../../src/core/windowed.js'
import { Serdes } from '../../../../src/serde/index.js'

export const text = Serdes.string()
export const consumed = { keySerde: text, valueSerde: text }
export const produced = { keySerde: text, valueSerde: text }

export function windowedText(key: Windowed<string>): string {
  return `${key.key}@${key.window.start}/${key.window.end}`
}

/** The seed a key belongs to: keys are `s<seed>.<name>`. */
export function seedOf(key: string): string {
  const dot = key.indexOf('.')
  return dot < 0 ? key : key.slice(0, dot)
}

/** One case's options, read as the Java cases read `<prefix>.<name>`. */
export interface CaseParams {
  readonly prefix: string
  readonly options: Readonly<Record<string, string | number | boolean>>
}

export function topicOf(params: CaseParams, role: string): string {
  return `${params.prefix}-${role}`
}

export function numberOption(params: CaseParams, name: string): number {
  const value = Number(params.options[name])
  if (!Number.isInteger(value)) throw new Error(`case ${params.prefix}: option ${name} is not a whole number`)
  return value
}

export function textOption(params: CaseParams, name: string): string {
  const value = params.options[name]
  if (value === undefined) throw new Error(`case ${params.prefix}: option ${name} is missing`)
  return String(value)
}
