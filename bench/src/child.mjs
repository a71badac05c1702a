// Runs one measurement in a fresh process: `node --expose-gc child.mjs <module> <export> <json args>`.
// The result (or the error) goes back to the parent over IPC; then the process exits.
const [moduleName, fnName, argsJson] = process.argv.slice(2)

const reply = (message) =>
  new Promise((resolve) => {
    process.send(message, () => resolve())
  })

try {
  const mod = await import(new URL(`./${moduleName}.mjs`, import.meta.url).href)
  const value = await mod[fnName](JSON.parse(argsJson ?? '{}'))
  await reply({ value })
} catch (error) {
  await reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
}
process.exit(0)
