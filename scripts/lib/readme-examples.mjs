// The code examples of every README, extracted and run from the packed tarballs as a user would
// paste them: each JavaScript or TypeScript example as an ES module and, where Node can require()
// ES modules, as CommonJS too; TypeScript examples are also type-checked. The fence's info string
// says what to do with an example (README.md, "README examples"):
//   ```ts                    run (ESM and CommonJS) and type-check; also js, mjs, typescript
//   ```cjs                   run as CommonJS only, as written (require)
//   ```ts esm-only REASON    run as an ES module only (e.g. import.meta)
//   ```ts no-run REASON      not run, listed with its reason (e.g. needs Gmail credentials)
// Other languages (sh, text, json...) are not JavaScript and not run.
import { execFile, execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { transform } from 'esbuild'
import { root } from './pack.mjs'

const RUN = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs'])
const TYPESCRIPT = new Set(['ts', 'typescript'])

/** The READMEs checked: the root one and each package's. */
export function readmeFiles() {
  const files = readdirSync(join(root, 'packages'))
    .sort()
    .map((name) => join(root, 'packages', name, 'README.md'))
  return [join(root, 'README.md'), ...files.filter((file) => existsSync(file))]
}

// A 1x1 PNG, a minimal PDF: the user's own files in examples that attach some.
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'

/**
 * The files examples read from their working folder, as a user would have them: images and
 * documents to attach, a ready message, a DKIM private key, a CA certificate (PEM).
 */
function writeFixtures(dir) {
  writeFileSync(join(dir, 'logo.png'), Buffer.from(PNG, 'base64'))
  for (const name of ['report.pdf', 'invoice.pdf']) writeFileSync(join(dir, name), PDF)
  writeFileSync(join(dir, 'talk.mp4'), new Uint8Array(256 * 1024).fill(42))
  writeFileSync(
    join(dir, 'message.eml'),
    'From: shop@example.com\r\nTo: alice@example.org\r\nSubject: Ready\r\n\r\nAs it is.\r\n',
  )
  const { privateKey } = generateKeyPairSync('ed25519')
  writeFileSync(join(dir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=README example CA',
    ],
    { stdio: 'ignore' },
  )
}

/**
 * The fenced code blocks of a Markdown text (``` or ~~~, indented ones in lists included), each
 * with its language, what its info string asks, and its code without the fence's indentation.
 */
export function extractExamples(markdown, file) {
  const lines = markdown.split('\n')
  const examples = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i])
    if (!open) continue
    const [, indent, fence, info] = open
    const body = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const close = new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).exec(lines[j])
      if (close) break
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart())
    }
    const [lang = '', ...words] = info.trim().split(/\s+/)
    const flag = words[0]
    const reason = words.slice(1).join(' ')
    const where = `${relative(root, file)}:${i + 1}`
    if ((flag === 'no-run' || flag === 'esm-only') && reason === '') {
      throw new Error(`${where}: "${flag}" needs a reason after it in the fence's info string`)
    }
    if (flag !== undefined && flag !== 'no-run' && flag !== 'esm-only' && RUN.has(lang)) {
      throw new Error(`${where}: unknown example flag "${flag}" (no-run or esm-only)`)
    }
    examples.push({
      file,
      line: i + 1,
      where,
      lang: lang.toLowerCase(),
      run: RUN.has(lang.toLowerCase()) && flag !== 'no-run',
      esmOnly: flag === 'esm-only',
      reason,
      code: `${body.join('\n')}\n`,
    })
    i = j
  }
  return examples
}

/** An example's file stem: `send-README-125`. */
function stem(example) {
  const dir = basename(dirname(example.file))
  const pkg = relative(root, example.file) === 'README.md' ? 'root' : dir
  return `${pkg}-README-${example.line}`
}

// `import { a, b as c } from "x";`, `import * as x from "x";`, `import x from "x";`,
// `import "x";` as esbuild prints them: one line each.
const IMPORT =
  /^import\s+(?:(\{[^}]*\})|\*\s+as\s+([\w$]+)|([\w$]+))\s+from\s+("[^"]+"|'[^']+');?$|^import\s+("[^"]+"|'[^']+');?$/

/**
 * The CommonJS form of an ES module example: its imports become require() calls (a default import
 * takes the module's default export when it has one, else the module, as for Node's built-ins)
 * and the rest runs inside an async function, for its top-level awaits.
 */
export function toCommonJs(esm, where) {
  const head = []
  const body = []
  for (const line of esm.split('\n')) {
    if (!line.startsWith('import ')) {
      body.push(line)
      continue
    }
    const m = IMPORT.exec(line)
    if (!m) throw new Error(`${where}: cannot turn "${line}" into require(); mark it esm-only`)
    const [, named, namespace, single, from, bare] = m
    if (bare) head.push(`require(${bare})`)
    else if (named) head.push(`const ${named.replace(/\s+as\s+/g, ': ')} = require(${from})`)
    else if (namespace) head.push(`const ${namespace} = require(${from})`)
    else head.push(`const ${single} = ((m) => m.default ?? m)(require(${from}))`)
  }
  return `${head.join('\n')}\n;(async () => {\n${body.join('\n')}\n})().catch((error) => {\n  console.error(error)\n  process.exitCode = 1\n})\n`
}

function runCommand(command, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

/**
 * Runs the runnable examples of every README in `consumer` (an npm project with the packed
 * tarballs installed, @mail/inbox among them). Examples that send find a server in SMTP_URL
 * (and SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD): an @mail/inbox started here, from the
 * tarball. Their working folder holds the files they read (see writeFixtures). Resolves with
 * what ran and what was skipped; rejects with every failure.
 */
export async function runReadmeExamples({ consumer, tsc, log = () => {} }) {
  const dir = join(consumer, 'readme-examples')
  mkdirSync(dir, { recursive: true })
  writeFixtures(dir)
  const examples = readmeFiles().flatMap((file) =>
    extractExamples(readFileSync(file, 'utf8'), file),
  )
  const runnable = examples.filter((e) => e.run)
  const skipped = examples.filter((e) => RUN.has(e.lang) && !e.run)
  const cjs = process.features.require_module === true

  const inboxUrl = pathToFileURL(join(consumer, 'node_modules/@mail/inbox/dist/index.js'))
  const { startInbox } = await import(inboxUrl.href)
  const inbox = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: false })
  const server = new URL(inbox.smtpUrl)
  const env = { ...process.env }
  for (const name of ['NODE_OPTIONS', 'MAIL_INBOX']) delete env[name]
  Object.assign(env, {
    SMTP_URL: inbox.smtpUrl,
    SMTP_HOST: server.hostname,
    SMTP_PORT: server.port,
    SMTP_USER: 'readme@example.com',
    SMTP_PASSWORD: 'readme-password',
  })

  const failures = []
  const ran = []
  const typed = []
  try {
    for (const example of runnable) {
      const name = stem(example)
      const modes = []
      if (example.lang === 'cjs') {
        writeFileSync(join(dir, `${name}.cjs`), example.code)
        if (cjs) modes.push(['CommonJS', `${name}.cjs`])
      } else {
        const loader = TYPESCRIPT.has(example.lang) ? 'ts' : 'js'
        // Types stripped, nothing lowered: syntax Node 20 lacks must fail here as it would there.
        const { code } = await transform(example.code, { loader, format: 'esm', target: 'esnext' })
        writeFileSync(join(dir, `${name}.mjs`), code)
        modes.push(['ESM', `${name}.mjs`])
        if (loader === 'ts') {
          writeFileSync(join(dir, `${name}.ts`), example.code)
          typed.push(`${name}.ts`)
        }
        if (cjs && !example.esmOnly) {
          writeFileSync(join(dir, `${name}.cjs`), toCommonJs(code, example.where))
          modes.push(['CommonJS', `${name}.cjs`])
        }
      }
      for (const [mode, file] of modes) {
        const started = performance.now()
        const r = await runCommand(process.execPath, [file], { cwd: dir, env, timeoutMs: 60_000 })
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        if (r.code !== 0) {
          failures.push(`${example.where} (${mode}) exited ${r.code}:\n${r.stderr || r.stdout}`)
        } else ran.push(`${example.where} (${mode})`)
        log(`${example.where} (${mode}): ${r.code === 0 ? 'ok' : 'FAILED'} in ${seconds} s`)
      }
    }
    if (typed.length > 0 && tsc !== undefined) {
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            moduleDetection: 'force',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ['node'],
          },
          files: typed,
        }),
      )
      const r = await runCommand(tsc, ['-p', 'tsconfig.json'], {
        cwd: dir,
        env,
        timeoutMs: 300_000,
      })
      if (r.code !== 0) failures.push(`type-checking the TypeScript examples:\n${r.stdout}`)
    }
  } finally {
    await inbox.close()
  }
  if (failures.length > 0) {
    throw Object.assign(new Error(`${failures.length} README example run(s) failed`), {
      stderr: `${failures.join('\n\n')}\n`,
    })
  }
  return { ran, typed, skipped, cjs }
}
