import { createSocket } from 'node:dgram'

const A = 1
const IN = 1

/**
 * A DNS responder for tests (RFC 1035 4.1): answers A queries for the names in `answers` with
 * their IPv4 address, any other query for those names with no records, and anything else with
 * NXDOMAIN. Only for a private network namespace, where it can listen on 127.0.0.1:53 and a
 * bind-mounted resolv.conf points at it.
 *
 * @example
 * const dns = await startDnsResponder({ 'relay.localhost': '192.0.2.25' })
 */
export async function startDnsResponder(
  answers: Record<string, string>,
  port = 53,
): Promise<{ queries: string[]; stop(): Promise<void> }> {
  const socket = createSocket('udp4')
  const queries: string[] = []
  socket.on('message', (query, peer) => {
    const reply = answer(query, answers, queries)
    if (reply !== undefined) socket.send(reply, peer.port, peer.address)
  })
  await new Promise<void>((ok, fail) => {
    socket.once('error', fail)
    socket.bind(port, '127.0.0.1', () => ok())
  })
  return { queries, stop: () => new Promise<void>((ok) => socket.close(() => ok())) }
}

function answer(
  query: Buffer,
  answers: Record<string, string>,
  queries: string[],
): Buffer | undefined {
  if (query.length < 17) return undefined
  // The question: labels, then QTYPE and QCLASS.
  const labels: string[] = []
  let i = 12
  while (i < query.length && query[i]! > 0) {
    labels.push(query.subarray(i + 1, i + 1 + query[i]!).toString('latin1'))
    i += query[i]! + 1
  }
  const end = i + 5
  if (end > query.length) return undefined
  const type = query.readUInt16BE(i + 1)
  const name = labels.join('.').toLowerCase()
  queries.push(name)
  const address = Object.hasOwn(answers, name) ? answers[name] : undefined
  const records =
    address !== undefined && type === A
      ? Buffer.from([0xc0, 12, 0, A, 0, IN, 0, 0, 0, 60, 0, 4, ...address.split('.').map(Number)])
      : Buffer.alloc(0)
  const header = Buffer.alloc(12)
  query.copy(header, 0, 0, 2)
  // QR, RD copied, RA; RCODE 3 (NXDOMAIN) for a name we do not know.
  header[2] = 0x80 | (query[2]! & 0x01)
  header[3] = 0x80 | (address === undefined ? 3 : 0)
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(records.length > 0 ? 1 : 0, 6)
  return Buffer.concat([header, query.subarray(12, end), records])
}
