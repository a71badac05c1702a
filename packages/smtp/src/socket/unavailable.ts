// What `#node-sockets` resolves to in a Workers or browser build (package.json "imports", the
// workerd, worker and browser conditions): a `nodeSockets` that says what to do, so that such
// bundles carry no Node built-in. On Workers the automatic choice takes cloudflare:sockets.
import type { SocketAdapter } from './types.js'

/** Node's sockets are not part of this build; connecting says so. */
export const nodeSockets: SocketAdapter = {
  async connect() {
    throw new Error(
      "Node's sockets (node:net, node:tls) are not in this build of @mail/smtp (the workerd, worker or browser export condition): on Workers, cloudflare:sockets is used; elsewhere pass a socket adapter",
    )
  },
}
