// Whether the connected peer is this machine. Decided from the socket's remote address, never
// from the host name: `localhost` and `*.localhost` go through the resolver, and on most systems
// (`hosts: files dns`) a DNS answer may send them anywhere.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/**
 * Whether `address` (a socket's remote address as the runtime reports it) is a loopback address:
 * 127.0.0.0/8 (RFC 1122 3.2.1.3), ::1 (RFC 4291 2.5.3) or an IPv4-mapped 127.x (RFC 4291 2.5.5.2),
 * in any spelling. Undefined (a runtime that does not tell, such as Workers) is not loopback.
 *
 * @example
 * isLoopbackAddress('127.0.0.1')        // true
 * isLoopbackAddress('::ffff:127.0.0.2') // true
 * isLoopbackAddress('192.0.2.25')       // false
 * isLoopbackAddress(undefined)          // false
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  const a = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const v4 = IPV4.exec(a)
  if (v4 !== null) return v4.slice(1).every((o) => Number(o) <= 255) && Number(v4[1]) === 127
  const groups = ipv6Groups(a)
  if (groups === undefined) return false
  // ::1
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return true
  // ::ffff:127.x.y.z
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff && groups[6]! >> 8 === 127
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  if (!address.includes(':')) return undefined
  let text = address.toLowerCase()
  const tail = /(?<=:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (tail !== null) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number]
    if (a > 255 || b > 255 || c > 255 || d > 255) return undefined
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : halves[0]!.split(':')
  const rest = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const zeros = Array<string>(halves.length === 2 ? missing : 0).fill('0')
  const groups: number[] = []
  for (const word of [...head, ...zeros, ...rest]) {
    if (!/^[0-9a-f]{1,4}$/.test(word)) return undefined
    groups.push(Number.parseInt(word, 16))
  }
  return groups
}
