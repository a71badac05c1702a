#!/usr/bin/env node
// Packaging checks on what would be published: every public package is packed with `pnpm pack`
// (workspace:^ ranges become real ones; .pnpmfile.cjs removes private workspace packages such as
// the testkit from the manifest, and no dependency on one may remain), then
//   1. publint and attw lint each tarball. attw runs with the ESM-only profile: the packages are
//      ES modules, so its node16-from-CommonJS resolution (TypeScript's model of Node before
//      require(esm)) can only report "ESM (dynamic import only)"; require() on the Node versions
//      that have it is checked for real in step 2;
//   2. a consumer project outside the workspace installs the tarballs with npm and
//      (a) imports @mail/mime alone and builds a message, (b) imports @mail/send and reaches
//      sendmail, in plain Node ESM and type-checked by tsc with moduleResolution nodenext,
//      (c) imports every export of every package and, where Node can require() ES modules
//      (20.19+, 22.12+), require()s each from CommonJS, also type-checked from a .cts file;
//   3. @mail/mime (and @mail/mime/dkim) is bundled by esbuild for the browser (conditions
//      workerd, worker, browser, no alias) and pulls in no Node built-in at all; that build
//      writes the same messages as the Node build;
//   4. the code examples of every README run from the tarballs (scripts/lib/readme-examples.mjs).
// Needs `pnpm build` first. Exits non-zero on the first failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { installTarballs, publicPackages as packages, packPackage, root, run } from './lib/pack.mjs'
import { runReadmeExamples } from './lib/readme-examples.mjs'
import workspace from './lib/workspace.cjs'

const bin = (name) => join(root, 'node_modules', '.bin', name)
const work = mkdtempSync(join(tmpdir(), 'mail-pack-check-'))

async function step(title, fn) {
  process.stdout.write(`pack-check: ${title} ... `)
  try {
    const note = await fn()
    console.log(note ? `ok (${note})` : 'ok')
  } catch (error) {
    console.log('FAILED')
    console.error(error.stdout || '', error.stderr || '', error.stdout ? '' : error)
    rmSync(work, { recursive: true, force: true })
    process.exit(1)
  }
}

const tarballs = {}
const manifests = {}
for (const name of packages) {
  await step(`pack @mail/${name}`, () => {
    tarballs[name] = packPackage(name, work)
    const manifest = JSON.parse(run('tar', ['-xOzf', tarballs[name], 'package/package.json']))
    manifests[name] = manifest
    const unpublishable = workspace.unpublishableDependencies(manifest)
    if (unpublishable.length > 0) {
      throw new Error(`the packed manifest depends on ${unpublishable.join(', ')}`)
    }
    return tarballs[name].replace(`${work}/`, '')
  })
}

for (const name of packages) {
  await step(`publint @mail/${name}`, () => {
    const out = run(bin('publint'), ['run', tarballs[name], '--strict'])
    if (!/All good/i.test(out)) throw Object.assign(new Error('publint reported'), { stdout: out })
  })
  await step(`attw --profile esm-only @mail/${name}`, () => {
    run(bin('attw'), [tarballs[name], '--profile', 'esm-only', '--no-emoji', '--no-color'])
  })
}

const consumer = join(work, 'consumer')
await step('consumer: npm install the tarballs', () => {
  installTarballs(consumer, tarballs, { devDependencies: { '@types/node': '20.19.43' } })
})

writeFileSync(
  join(consumer, 'mime-only.mjs'),
  `import { buildMessage, getEnvelope, MimeError } from '@mail/mime'
const input = { from: 'Alice <alice@example.com>', to: 'bob@example.org', subject: 'Hello', text: 'Hi', html: '<p>Hi</p>' }
const raw = buildMessage(input)
if (!raw.includes('Subject: Hello\\r\\n') || !raw.includes('multipart/alternative')) throw new Error('bad message')
if (getEnvelope(input).to[0] !== 'bob@example.org') throw new Error('bad envelope')
if (typeof MimeError !== 'function') throw new Error('no MimeError')
console.log('mime-only ok', raw.length)
`,
)
writeFileSync(
  join(consumer, 'full-stack.mjs'),
  `import { sendmail, createTransport } from '@mail/send'
import { SmtpClient, SmtpError } from '@mail/smtp'
import { signDkim } from '@mail/mime/dkim'
for (const [name, value] of Object.entries({ sendmail, createTransport, SmtpClient, SmtpError, signDkim })) {
  if (typeof value !== 'function') throw new Error(name + ' is not a function')
}
console.log('full-stack ok')
`,
)
writeFileSync(
  join(consumer, 'consumer.ts'),
  `import { buildMessage, type MessageInput } from '@mail/mime'
import { signDkim } from '@mail/mime/dkim'
import { sendmail } from '@mail/send'
import { SmtpClient, SmtpError } from '@mail/smtp'

const input: MessageInput = { from: 'alice@example.com', to: ['bob@example.org'], subject: 'Hi', text: 'Hello' }
const raw: string = buildMessage(input)
export const send: typeof sendmail = sendmail
export const sign: typeof signDkim = signDkim
export const connect: typeof SmtpClient.connect = SmtpClient.connect
export const isError = (error: unknown): error is SmtpError => error instanceof SmtpError
export const size: number = raw.length
`,
)
// A CommonJS module of a TypeScript project: its imports compile to require(), which TypeScript
// (nodenext, 5.8+) accepts for ES modules as Node 20.19+ and 22.12+ do.
writeFileSync(
  join(consumer, 'consumer-cjs.cts'),
  `import { buildMessage } from '@mail/mime'
import { sendmail, SendError } from '@mail/send'
import { startInbox } from '@mail/inbox'

export const build: typeof buildMessage = buildMessage
export const send: typeof sendmail = sendmail
export const inbox: typeof startInbox = startInbox
export const isError = (error: unknown): error is SendError => error instanceof SendError
`,
)
writeFileSync(
  join(consumer, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noEmit: true,
      types: ['node'],
    },
    files: ['consumer.ts', 'consumer-cjs.cts'],
  }),
)

await step('consumer: @mail/mime alone in plain Node ESM', () =>
  run('node', ['mime-only.mjs'], { cwd: consumer }).trim(),
)
await step('consumer: @mail/send and @mail/smtp in plain Node ESM', () =>
  run('node', ['full-stack.mjs'], { cwd: consumer }).trim(),
)
await step('consumer: tsc --moduleResolution nodenext, from ESM and from CommonJS', () => {
  run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: consumer })
})

// Every subpath a package exports, as consumers write it ('@mail/mime/dkim').
const entryPoints = packages.flatMap((name) =>
  Object.keys(manifests[name].exports ?? { '.': '' })
    .filter((key) => key !== './package.json')
    .map((key) => `@mail/${name}${key.slice(1)}`),
)
const loadEach = (load) => `const names = {}
for (const id of ${JSON.stringify(entryPoints)}) {
  const m = ${load}
  if (Object.keys(m).length === 0) throw new Error(id + ' exports nothing')
  names[id] = Object.keys(m).sort()
}
console.log(JSON.stringify(names))
`
writeFileSync(join(consumer, 'every-export.mjs'), loadEach('await import(id)'))
writeFileSync(join(consumer, 'every-export.cjs'), loadEach('require(id)'))
let imported
await step('consumer: import every export', () => {
  imported = run('node', ['every-export.mjs'], { cwd: consumer })
  return `${entryPoints.length} entry points`
})
if (process.features.require_module === true) {
  await step(`consumer: require() every export from CommonJS (Node ${process.version})`, () => {
    const required = run('node', ['every-export.cjs'], { cwd: consumer })
    if (required !== imported) throw new Error(`require() gave other exports:\n${required}`)
    return `${entryPoints.length} entry points, the same exports as import`
  })
} else {
  console.log(`pack-check: require() of ES modules is not available in Node ${process.version}`)
}

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))
const nodeBuiltinsExternal = {
  name: 'node-builtins-external',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      builtins.has(args.path) ? { path: args.path, external: true } : undefined,
    )
  },
}
for (const entry of ['@mail/mime', '@mail/mime/dkim']) {
  await step(`browser bundle of ${entry} has no Node-only imports`, async () => {
    const entryFile = join(consumer, 'browser-entry.mjs')
    writeFileSync(entryFile, `export * from '${entry}'\n`)
    const result = await build({
      entryPoints: [entryFile],
      bundle: true,
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Every Node built-in stays external, so the metafile lists who imports it.
      plugins: [nodeBuiltinsExternal],
      absWorkingDir: consumer,
    })
    const problems = []
    for (const [file, info] of Object.entries(result.metafile.inputs)) {
      for (const imp of info.imports) {
        if (imp.external) problems.push(`${file} imports ${imp.path}`)
      }
      if (file.includes('node_modules/mime-types/')) problems.push(`${file}: not the browser build`)
    }
    const code = result.outputFiles[0].text
    // Module imports (require and import alike) are in the metafile above; what remains is
    // reaching for Node's globals directly.
    for (const global of ['Buffer', 'process']) {
      // A bare global reference (not globalThis.X, not a property, not typeof-guarded).
      const bare = new RegExp(`(?<![.\\w$'"])(?<!typeof )${global}\\b(?!\\s*:)`, 'g')
      for (const match of code.matchAll(bare)) {
        const at = code.slice(Math.max(0, match.index - 60), match.index + 40)
        problems.push(`bare ${global}: …${at.replace(/\s+/g, ' ')}…`)
      }
    }
    if (problems.length) throw new Error(problems.join('\n'))
    return `${(code.length / 1024).toFixed(0)} KiB`
  })
}

// The browser build against the Node build, in Node (`--conditions=browser` picks the former):
// content types looked up by filename and the encoders must agree byte for byte.
writeFileSync(
  join(consumer, 'same-bytes.mjs'),
  `import { buildMessage } from '@mail/mime'
const names = ['a.pdf', 'b.PNG', 'c.tar.gz', 'd.docx', '.bashrc', 'e', 'dir.v2/f.json', 'g.txt', 'h.eml', 'i.ics']
const raw = buildMessage({
  from: 'Zoë <zoe@bücher.example>', to: 'bob@example.org', subject: 'Grüße', text: 'Hi', html: '<p>Hi</p>',
  attachments: names.map((filename, i) => ({ filename, content: i % 2 ? 'text ' + i : new Uint8Array(5000).fill(i) })),
}, { boundary: (i) => 'b' + i, messageIdRandom: () => 'x', now: () => new Date(0) })
process.stdout.write(raw)
`,
)
await step('browser build of @mail/mime writes what the Node build writes', () => {
  const node = run('node', ['same-bytes.mjs'], { cwd: consumer })
  const browser = run('node', ['--conditions=browser', 'same-bytes.mjs'], { cwd: consumer })
  const resolve = "console.log(import.meta.resolve('@mail/mime'))"
  const resolved = run('node', ['--conditions=browser', '--input-type=module', '-e', resolve], {
    cwd: consumer,
  })
  if (!resolved.includes('/dist/web/')) throw new Error(`browser condition resolved ${resolved}`)
  if (node !== browser) throw new Error('the builds differ')
  return `${node.length} octets alike`
})

let examples
await step('README examples run from the tarballs', async () => {
  examples = await runReadmeExamples({ consumer, tsc: bin('tsc') })
  const modes = examples.cjs ? 'ESM and CommonJS' : 'ESM'
  return `${examples.ran.length} runs (${modes}), ${examples.typed.length} type-checked, ${examples.skipped.length} not run`
})
for (const e of examples.skipped) console.log(`pack-check:   not run: ${e.where}: ${e.reason}`)

rmSync(work, { recursive: true, force: true })
console.log('pack-check: all packaging checks passed')
