// The architecture rules of DESIGN.md, checked on the packages' sources (`pnpm check:arch`).
// Arrows point one way: send -> mime | smtp, queue -> send | mime, cli -> send | queue | inbox |
// mime; smtp knows nothing of MIME, mime nothing of SMTP, inbox receives and never sends, and
// nothing but tests and benchmarks imports cli, bench or testkit.

/** A forbidden arrow from one package's sources to other packages. */
const arrow = (name, from, to, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^packages/${from}/src/` },
  to: { path: `^packages/(${to.join('|')})/` },
})

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circle anywhere, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    arrow(
      'mime-alone',
      'mime',
      ['smtp', 'send', 'queue', 'inbox', 'cli', 'testkit'],
      '@mail/mime imports none of our packages.',
    ),
    arrow(
      'smtp-knows-no-mime',
      'smtp',
      ['mime', 'send', 'queue', 'inbox', 'cli', 'testkit'],
      '@mail/smtp sends the bytes it is given: it never imports @mail/mime.',
    ),
    arrow(
      'send-below-queue',
      'send',
      ['queue', 'inbox', 'cli', 'testkit'],
      '@mail/send uses mime and smtp only.',
    ),
    arrow(
      'queue-on-send',
      'queue',
      ['smtp', 'inbox', 'cli', 'testkit'],
      '@mail/queue sends through @mail/send.',
    ),
    arrow(
      'inbox-receives',
      'inbox',
      ['smtp', 'send', 'queue', 'cli', 'testkit'],
      '@mail/inbox receives; it does not send.',
    ),
    arrow(
      'cli-not-smtp',
      'cli',
      ['smtp', 'testkit'],
      'The CLI goes through @mail/send, never @mail/smtp.',
    ),
    {
      name: 'protocol-core-sans-io',
      comment: 'The SMTP protocol core imports no socket code: it is fed bytes and events.',
      severity: 'error',
      from: { path: '^packages/smtp/src/(protocol|auth)/' },
      to: {
        path: '^packages/smtp/src/(socket/|connect|connection|client)',
      },
    },
    {
      name: 'protocol-core-no-node-builtins',
      comment: 'The protocol core runs anywhere: no Node built-in modules.',
      severity: 'error',
      from: { path: '^packages/smtp/src/(protocol|auth)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'mime-web-only',
      comment: '@mail/mime uses Web APIs only: no Node built-in modules.',
      severity: 'error',
      from: { path: '^packages/mime/src/' },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'default'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
}
