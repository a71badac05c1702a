#!/usr/bin/env node
import { main } from './main.js'

// exitCode rather than exit(): stdout is flushed before the process ends, even into a pipe.
process.exitCode = await main(process.argv.slice(2))
// The work is done; should a stray handle (a socket the server has not yet closed) keep the
// event loop alive, end anyway instead of hanging the user's shell. Unref'd: it never delays.
setTimeout(() => process.exit(), 5000).unref()
