// Harness of the cross-runtime suite (issue 8), used by test/runtimes.test.ts:
//   - packs @mail/mime, @mail/smtp and @mail/send with the shared packing helper and installs the
//     tarballs into a fresh npm project outside the workspace (what users would install);
//   - copies the scenario (plain JS ESM) and the Worker entry into that project;
//   - runs the scenario under Node, Bun or Deno and returns its JSON result;
//   - bundles the Worker from the installed packages with esbuild and runs it in workerd through
//     the Miniflare API.
// Run directly (`node run.mjs`), it runs the suite through vitest, like `pnpm test` does.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { installTarballs, packPackage, root } from '../scripts/lib/pack.mjs'

export const here = import.meta.dirname
export const PACKAGES = ['mime', 'smtp', 'send']
export const RUNTIMES = ['node', 'bun', 'deno']
/** The latest compatibility date the suite may use (issue 8). */
export const COMPATIBILITY_DATE = '2026-04-26'

// The runtimes' own executables, not the node_modules/.bin shell shims: a timeout must be able to
// kill the runtime itself.
const require = createRequire(import.meta.url)
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`))
export const BUN = join(packageDir('bun'), 'bin', 'bun.exe')
export const DENO = join(packageDir('deno'), 'deno')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const time = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    newest = Math.max(newest, time)
  }
  return newest
}

/**
 * Throws a clear error unless every package has been built: the suite packs dist, not src. A dist
 * older than its src only warns, since turbo may leave correct cached outputs with older times.
 */
export function assertBuilt() {
  for (const name of PACKAGES) {
    const pkg = join(root, 'packages', name)
    const entry = join(pkg, 'dist', 'index.js')
    if (!existsSync(entry)) {
      throw new Error(
        `@mail/${name} is not built (${relative(root, entry)} missing): run \`pnpm build\` first`,
      )
    }
    if (newestMtime(join(pkg, 'src')) > newestMtime(join(pkg, 'dist'))) {
      console.warn(`@mail/${name}: src changed after the last build; run \`pnpm build\` to test it`)
    }
  }
}

/**
 * Packs the three packages and installs them into a new temporary npm project containing the
 * scenario and Worker sources. Returns its directory and a cleanup function.
 */
export function prepareProject() {
  assertBuilt()
  const work = mkdtempSync(join(tmpdir(), 'mail-runtimes-'))
  try {
    const tarballDir = join(work, 'tarballs')
    mkdirSync(tarballDir)
    const tarballs = Object.fromEntries(PACKAGES.map((n) => [n, packPackage(n, tarballDir)]))
    const dir = join(work, 'project')
    installTarballs(dir, tarballs)
    for (const sub of ['scenario', 'worker'])
      cpSync(join(here, sub), join(dir, sub), { recursive: true })
    return { dir, tarballs, cleanup: () => rmSync(work, { recursive: true, force: true }) }
  } catch (error) {
    rmSync(work, { recursive: true, force: true })
    throw error
  }
}

/** Command line that runs `script` (relative to the project) on `runtime`. */
export function runtimeCommand(runtime, script) {
  switch (runtime) {
    case 'node':
      return [process.execPath, [script]]
    case 'bun':
      return [BUN, ['run', script]]
    case 'deno':
      // Bare specifiers resolve from the project's node_modules (installed by npm), never from
      // Deno's own npm cache or the registry.
      return [DENO, ['run', '-A', '--node-modules-dir=manual', script]]
    default:
      throw new Error(`unknown runtime ${runtime}`)
  }
}

/**
 * Runs the scenario on `runtime` in the prepared project with `config` (MAIL_RUNTIMES_CONFIG) and
 * resolves with `{ result, stdout, stderr }`; rejects with the output when it fails or prints no
 * result line.
 */
export function runScenario(runtime, dir, config, timeoutMs = 60_000) {
  const [cmd, args] = runtimeCommand(runtime, 'scenario/scenario.mjs')
  const env = {
    ...process.env,
    MAIL_RUNTIMES_CONFIG: JSON.stringify(config),
    NO_COLOR: '1',
    DENO_DIR: join(dir, '.deno-cache'),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
  }
  // Never leak the outer SMTP_URL into a scenario: sendmail would fall back to it.
  delete env.SMTP_URL
  return new Promise((resolve, reject) => {
    // Own process group, so that a timeout kills the runtime with anything it started.
    const child = spawn(cmd, args, {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s) => {
      stdout += s
    })
    child.stderr.setEncoding('utf8').on('data', (s) => {
      stderr += s
    })
    const kill = () => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(kill, timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split('\n').find((l) => l.startsWith('@@result@@ '))
      if (code !== 0 || !line) {
        const why = signal ? `killed by ${signal} (timeout ${timeoutMs} ms?)` : `exit code ${code}`
        reject(
          new Error(
            `${runtime} scenario failed: ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
          ),
        )
        return
      }
      resolve({ result: JSON.parse(line.slice('@@result@@ '.length)), stdout, stderr })
    })
  })
}

/**
 * Bundles worker/worker.mjs from the installed packages for workerd as wrangler resolves them:
 * ESM, browser platform with the `workerd`, `worker` and `browser` conditions, `cloudflare:sockets`
 * left to the runtime, and nothing else: no alias and no `nodejs_compat`, since the packages'
 * export conditions pick builds without Node built-ins. Returns the script, the bundled input
 * files and every import left for the runtime to resolve (`external`).
 */
export async function bundleWorker(dir) {
  const { build } = await import('esbuild')
  const out = await build({
    absWorkingDir: dir,
    entryPoints: [join(dir, 'worker', 'worker.mjs')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    external: ['cloudflare:sockets'],
    metafile: true,
    logLevel: 'silent',
  })
  const file = out.outputFiles[0]
  if (!file) throw new Error('esbuild produced no output')
  const inputs = out.metafile.inputs
  const external = Object.values(inputs).flatMap((input) =>
    input.imports.filter((i) => i.external).map((i) => i.path),
  )
  return { script: file.text, inputs: Object.keys(inputs), external: [...new Set(external)] }
}

/**
 * Runs the bundled Worker in workerd (Miniflare, no compatibility flags) and fetches
 * `/?port=<port>`; resolves with the parsed JSON answer and the HTTP status.
 */
export async function runWorker(script, { port, bindings = {} }) {
  const { Miniflare } = await import('miniflare')
  // The bundle is given as an explicit module list, as wrangler does.
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings,
  })
  try {
    const res = await mf.dispatchFetch(`http://localhost/?port=${port}`)
    return { status: res.status, body: await res.json() }
  } finally {
    await mf.dispose()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const vitest = join(root, 'node_modules', '.bin', 'vitest')
  const child = spawn(vitest, ['run', ...process.argv.slice(2)], {
    cwd: here,
    stdio: 'inherit',
  })
  child.once('close', (code) => process.exit(code ?? 1))
}
