import { inputError, SmtpError } from '../errors.js'

/**
 * A proxy to open the connection through, parsed from `proxy`.
 *
 * @example
 * parseProxy('socks5://me:s%40cret@proxy.corp:1080')
 * // { protocol: 'socks5', host: 'proxy.corp', port: 1080, auth: { user: 'me', pass: 's@cret' } }
 */
export interface ProxyEndpoint {
  /** 'socks5': SOCKS5 (RFC 1928), the SMTP host resolved by the proxy; 'http': HTTP CONNECT (RFC 9110 9.3.6). */
  protocol: 'socks5' | 'http'
  /** Without brackets for IPv6. */
  host: string
  port: number
  auth?: { user: string; pass: string } | undefined
}

const FORM =
  "proxy must be 'socks5://[user:pass@]host[:port]' or 'http://[user:pass@]host:port' (percent-encode reserved characters in user and pass)"
// RFC 1928 3: the SOCKS service is conventionally on port 1080; HTTP proxies have no such port.
const SOCKS_PORT = 1080

/**
 * Parses a proxy URL. Errors name the option and never quote it: a mistyped URL can put the
 * password anywhere. 'socks5h' (curl's spelling for remote name resolution) is taken as 'socks5',
 * which always lets the proxy resolve the SMTP host.
 */
export function parseProxy(url: unknown): ProxyEndpoint {
  if (typeof url !== 'string' || /[\s\x00-\x1f\x7f]/.test(url)) throw inputError(FORM, 'proxy')
  const m =
    /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?(\[[^\]/?#@]*\]|[^:/?#@[\]]*)(?::(\d*))?\/?$/.exec(
      url,
    )
  if (m === null) throw inputError(FORM, 'proxy')
  const scheme = m[1]!.toLowerCase()
  const protocol =
    scheme === 'socks5' || scheme === 'socks5h' ? 'socks5' : scheme === 'http' ? 'http' : undefined
  if (protocol === undefined) {
    const hint =
      scheme === 'https'
        ? '; TLS to the proxy itself is not supported (the SMTP session is still encrypted end to end through an http:// proxy)'
        : scheme.startsWith('socks')
          ? '; only SOCKS5 is supported'
          : ''
    throw inputError(`proxy scheme must be socks5 or http${hint}`, 'proxy')
  }
  const host = m[3]!.replace(/^\[|\]$/g, '')
  if (host === '') throw inputError('proxy has no host', 'proxy')
  if (m[3]!.startsWith('[') && !/^[0-9A-Fa-f:.]+$/.test(host)) {
    throw inputError('proxy host is not a valid IPv6 address', 'proxy')
  }
  const portText = m[4]
  if (portText === undefined && protocol === 'http') {
    throw inputError('proxy needs a port for http:// (e.g. http://proxy.corp:3128)', 'proxy')
  }
  const port = portText === undefined ? SOCKS_PORT : Number(portText)
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw inputError('proxy port must be a number from 1 to 65535', 'proxy')
  }
  const endpoint: ProxyEndpoint = { protocol, host, port }
  if (m[2] !== undefined) endpoint.auth = credentials(m[2], protocol)
  return endpoint
}

function credentials(userinfo: string, protocol: ProxyEndpoint['protocol']): ProxyEndpoint['auth'] {
  const colon = userinfo.indexOf(':')
  if (colon === -1) throw inputError('proxy has a user but no password (user:pass@host)', 'proxy')
  let user: string
  let pass: string
  try {
    user = decodeURIComponent(userinfo.slice(0, colon))
    pass = decodeURIComponent(userinfo.slice(colon + 1))
  } catch {
    throw inputError('proxy user or password is not valid percent-encoding', 'proxy')
  }
  if (user === '' || pass === '')
    throw inputError('proxy user and password must not be empty', 'proxy')
  if (protocol === 'socks5') {
    // RFC 1929 2: each is 1 to 255 octets; the SOCKS client counts characters, so ASCII only.
    if (!/^[\x20-\x7e]{1,255}$/.test(user) || !/^[\x20-\x7e]{1,255}$/.test(pass)) {
      throw inputError(
        'proxy user and password must be printable ASCII of at most 255 characters for SOCKS5',
        'proxy',
      )
    }
  } else if (user.includes(':') || /[\x00-\x1f\x7f]/.test(user + pass)) {
    // RFC 7617 2: the user-id of Basic credentials cannot contain ':'.
    throw inputError(
      "proxy user must not contain ':' or control characters for HTTP Basic",
      'proxy',
    )
  }
  return { user, pass }
}

/** 'SOCKS5 proxy proxy.corp:1080' or 'HTTP proxy [::1]:3128', for messages. */
export function proxyLabel(proxy: ProxyEndpoint): string {
  const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host
  return `${proxy.protocol === 'socks5' ? 'SOCKS5' : 'HTTP'} proxy ${host}:${proxy.port}`
}

/**
 * A failure of the proxy at one step; it names the proxy and the step, never the password.
 *
 * @example
 * proxyError(proxy, 'authentication', 'the proxy refused the user name or password', false)
 * // SmtpError: SOCKS5 proxy proxy.corp:1080 failed at authentication: the proxy refused ...
 */
export function proxyError(
  proxy: ProxyEndpoint,
  step: string,
  detail: string,
  transient: boolean,
): SmtpError {
  const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host
  return new SmtpError(`${proxyLabel(proxy)} failed at ${step}: ${detail}`, {
    stage: 'connect',
    transient,
    // Credentials or a policy refused: no retry changes that.
    permanent: !transient,
    proxy: `${host}:${proxy.port}`,
  })
}
