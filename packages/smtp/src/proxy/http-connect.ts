import { base64 } from '../auth/base64.js'
import type { ProxyEndpoint } from './endpoint.js'

// A proxy's answer to CONNECT is a short header; more than this is not a proxy speaking.
const MAX_HEADER = 16 * 1024

/** `host:port` as an authority (RFC 3986 3.2.2): IPv6 literals in brackets. */
export function authority(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * The CONNECT request (RFC 9110 9.3.6) for the SMTP server, with Basic credentials (RFC 7617,
 * UTF-8) when the proxy URL had them. `host` was checked before: no spaces or controls.
 *
 * @example
 * connectRequest('smtp.example.com', 587, undefined)
 * // 'CONNECT smtp.example.com:587 HTTP/1.1\r\nHost: smtp.example.com:587\r\n\r\n'
 */
export function connectRequest(host: string, port: number, auth: ProxyEndpoint['auth']): string {
  const target = authority(host, port)
  const credentials =
    auth === undefined
      ? ''
      : `Proxy-Authorization: Basic ${base64(`${auth.user}:${auth.pass}`)}\r\n`
  return `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${credentials}\r\n`
}

/** The status line of the proxy's answer, and where the tunnel's own bytes begin. */
export interface ConnectReply {
  status: number
  reason: string
  /** Octets of the header, blank line included: what follows belongs to the SMTP server. */
  length: number
}

/**
 * Reads the answer to CONNECT (RFC 9112 2.1, 4): undefined until its header is complete.
 * Throws an Error describing what is wrong when it is not an HTTP answer.
 */
export function parseConnectReply(bytes: Uint8Array): ConnectReply | undefined {
  let end = -1
  for (let i = 3; i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      end = i + 1
      break
    }
  }
  if (end === -1) {
    if (bytes.length > MAX_HEADER) throw new Error('its answer has no end of header')
    return undefined
  }
  let head = ''
  for (let i = 0; i < end; i++) head += String.fromCharCode(bytes[i]!)
  const line = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?\r\n/.exec(head)
  if (line === null) throw new Error('its answer is not HTTP/1.x')
  // The reason phrase is shown in messages: printable ASCII only.
  const reason = (line[2] ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 100)
  return { status: Number(line[1]), reason, length: end }
}

/**
 * What a refused CONNECT means, and whether trying later can help: 5xx is the proxy's or the
 * target's trouble; 401/407 and 403 are decisions (credentials, policy) that a retry will not change.
 */
export function connectRefusal(
  reply: ConnectReply,
  withCredentials: boolean,
): { detail: string; transient: boolean } {
  const http = `HTTP ${reply.status}${reply.reason === '' ? '' : ` ${reply.reason}`}`
  if (reply.status === 407 || reply.status === 401) {
    const detail = withCredentials
      ? 'the proxy refused the user name or password'
      : 'the proxy requires a user name and password (http://user:pass@host:port)'
    return { detail: `${detail} (${http})`, transient: false }
  }
  if (reply.status === 403) {
    return { detail: `the proxy refuses this destination by policy (${http})`, transient: false }
  }
  return { detail: http, transient: reply.status >= 500 }
}
