// The Workers runtime module; its real types come from @cloudflare/workers-types, which this
// package does not depend on: cloudflare.ts describes the small part it uses.
declare module 'cloudflare:sockets' {
  export const connect: unknown
}
