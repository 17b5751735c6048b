/** An error answered over HTTP with Confluent's `{ error_code, message }` body. */
export class RegistryHttpError extends Error {
  readonly code = 'TRIBUTARY_REGISTRY'
  constructor(readonly status: number, readonly errorCode: number, message: string) {
    super(message)
    this.name = 'RegistryHttpError'
  }
}

export const subjectNotFound = (subject: string) => new RegistryHttpError(404, 40401, `Subject '${subject}' not found.`)
export const versionNotFound = (version: string | number) => new RegistryHttpError(404, 40402, `Version ${version} not found.`)
export const schemaNotFound = (detail = 'Schema not found') => new RegistryHttpError(404, 40403, detail)
export const subjectLevelNotConfigured = (subject: string) =>
  new RegistryHttpError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`)
export const incompatibleSchema = (detail: string) =>
  new RegistryHttpError(409, 409, `Schema being registered is incompatible with an earlier schema; ${detail}`)
export const invalidSchema = (detail: string) => new RegistryHttpError(422, 42201, `Invalid schema: ${detail}`)
export const invalidVersion = (version: string) =>
  new RegistryHttpError(422, 42202, `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`)
export const invalidCompatibilityLevel = (level: unknown) =>
  new RegistryHttpError(422, 42203, `Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive; got ${String(level)}`)
