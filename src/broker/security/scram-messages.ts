/**
 * The SCRAM messages of RFC 5802 section 7 that a server reads and writes. Parsers return null for
 * a malformed message; the server turns that into a failed authentication.
 */

export interface ClientFirstMessage {
  authorizationId: string
  username: string
  nonce: string
  /** The message without the GS2 header: the first part of the AuthMessage. */
  bare: string
}

export interface ClientFinalMessage {
  channelBinding: Buffer
  nonce: string
  proof: Buffer
  /** Everything before `,p=`: the last part of the AuthMessage. */
  withoutProof: string
}

/** printable = %x21-2B / %x2D-7E: any visible ASCII character but the comma. */
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/
/** An extension attribute, `name=value` (Kafka's `tokenauth=true`, say). */
const EXTENSION = /^[A-Za-z]+=.+$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** saslname: `=2C` stands for a comma and `=3D` for an equals sign; any other `=` is invalid. */
function decodeSaslName(value: string): string | null {
  if (/=(?!2C|3D)/.test(value)) return null
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=')
}

function attribute(part: string | undefined, name: string): string | null {
  return part !== undefined && part.startsWith(`${name}=`) ? part.slice(name.length + 1) : null
}

/**
 * `gs2-cbind-flag "," [authzid] "," [reserved-mext ","] username "," nonce ["," extensions]`.
 * The flag `p` (channel binding) is refused: no channel binding is offered. `y` (the client could
 * bind but thinks the server cannot) is accepted, as RFC 5802 asks of a server without it.
 */
export function parseClientFirst(token: Buffer): ClientFirstMessage | null {
  const text = token.toString('utf8')
  const header = /^([ny]),(?:a=([^,]*))?,/.exec(text)
  if (header === null) return null
  const bare = text.slice(header[0].length)
  const parts = bare.split(',')
  // `m=` is reserved for mandatory extensions, none of which exist; RFC 5802 makes it an error.
  const username = decodeSaslName(attribute(parts[0], 'n') ?? '')
  const nonce = attribute(parts[1], 'r')
  const authorizationId = header[2] === undefined ? '' : decodeSaslName(header[2])
  if (username === null || username === '' || nonce === null || !PRINTABLE.test(nonce) || authorizationId === null) return null
  if (!parts.slice(2).every((part) => EXTENSION.test(part))) return null
  // Further attributes are extensions (Kafka's `tokenauth`); delegation tokens are not served, so they are ignored.
  return { authorizationId, username, nonce, bare }
}

/** `r=<client nonce + server nonce>,s=<salt>,i=<iterations>`. */
export function serverFirst(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`
}

/** `c=<base64 GS2 header>,r=<nonce>[,extensions],p=<base64 proof>`. */
export function parseClientFinal(token: Buffer): ClientFinalMessage | null {
  const text = token.toString('utf8')
  const proofAt = text.lastIndexOf(',p=')
  if (proofAt < 0) return null
  const withoutProof = text.slice(0, proofAt)
  const proof = text.slice(proofAt + 3)
  const parts = withoutProof.split(',')
  const channelBinding = attribute(parts[0], 'c')
  const nonce = attribute(parts[1], 'r')
  if (channelBinding === null || !BASE64.test(channelBinding) || nonce === null || !BASE64.test(proof) || proof === '') return null
  if (!parts.slice(2).every((part) => EXTENSION.test(part))) return null
  return { channelBinding: Buffer.from(channelBinding, 'base64'), nonce, proof: Buffer.from(proof, 'base64'), withoutProof }
}

/** `v=<base64 server signature>`. */
export function serverFinal(signature: Buffer): string {
  return `v=${signature.toString('base64')}`
}
