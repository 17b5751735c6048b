import type { Handler } from '../broker-context.js'
import { supportedApis } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'

export const apiVersions: Handler = () => ({
  errorCode: ErrorCode.NONE,
  apiKeys: supportedApis.map((api) => ({ apiKey: api.key, minVersion: api.minVersion, maxVersion: api.maxVersion })),
  throttleTimeMs: 0,
})
