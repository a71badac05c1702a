// What the npm `socks` client's failures mean. It reports them as message strings (its ERRORS
// table, pinned with the dependency); RFC 1928 6 defines the reply codes behind them.

/** The step that failed, what it means, and whether trying later can help. */
export interface SocksFailure {
  step: string
  detail: string
  transient: boolean
}

// RFC 1928 6: replies about the target are worth retrying, except the proxy's own decisions.
const REPLIES: Record<string, { detail: string; transient: boolean }> = {
  Failure: { detail: 'general SOCKS server failure', transient: true },
  NotAllowed: { detail: 'the proxy refuses this destination by its ruleset', transient: false },
  NetworkUnreachable: { detail: 'network unreachable from the proxy', transient: true },
  HostUnreachable: {
    detail: 'host unreachable from the proxy (or its name did not resolve)',
    transient: true,
  },
  ConnectionRefused: { detail: "the SMTP server refused the proxy's connection", transient: true },
  TTLExpired: { detail: 'TTL expired', transient: true },
  CommandNotSupported: { detail: 'the proxy does not support CONNECT', transient: false },
  AddressNotSupported: { detail: 'the proxy does not support this address type', transient: false },
}

/**
 * Classifies a `socks` error message for the target `target` ('host:port').
 *
 * @example
 * socksFailure('Socks5 Authentication failed', 'smtp.example.com:587')
 * // { step: 'authentication', detail: 'the proxy refused the user name or password', transient: false }
 */
export function socksFailure(message: string, target: string): SocksFailure {
  if (message.startsWith('Socks5 Authentication failed')) {
    return {
      step: 'authentication',
      detail: 'the proxy refused the user name or password',
      transient: false,
    }
  }
  if (message.includes('no accepted authentication type')) {
    return {
      step: 'the SOCKS5 greeting',
      detail:
        'the proxy accepts none of the offered methods (it may require a user name and password: socks5://user:pass@host:port)',
      transient: false,
    }
  }
  const rejected = /^Socks5 proxy rejected connection - (\w+)/.exec(message)
  if (rejected !== null) {
    const reply = REPLIES[rejected[1]!] ?? { detail: `reply ${rejected[1]}`, transient: true }
    return { step: `CONNECT to ${target}`, ...reply }
  }
  if (message === 'Socket closed') {
    return {
      step: 'the SOCKS5 handshake',
      detail: 'the proxy closed the connection',
      transient: true,
    }
  }
  if (/^Received invalid Socks5/.test(message)) {
    return {
      step: 'the SOCKS5 handshake',
      detail: 'the proxy does not speak SOCKS5',
      transient: false,
    }
  }
  return {
    step: 'the SOCKS5 handshake',
    detail: message.replace(/[^\x20-\x7e]/g, '').slice(0, 200),
    transient: true,
  }
}
