// One markdown table per section. Every row: our figure, Nodemailer's, the reference (floor or
// ceiling) where there is one, the two ratios, the target and whether it is met.
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN)
// three digits below 1, so a ratio just under a target (0.797) does not print as the target (0.80)
export const fmtRatio = (r) =>
  Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}x` : '—'

/**
 * @param {{ title: string, rows: Row[], notes: string[] }} section
 * Row = { figure, ours?, nodemailer?, reference?, vsNodemailer?, vsReference?, target?, pass? }
 */
export function renderSection(section) {
  const header = [
    'Figure',
    'Ours',
    'Nodemailer',
    'Floor / ceiling',
    'Ours ÷ Nodemailer',
    'Ours ÷ floor / ceiling',
    'Target',
    'Result',
  ]
  const right = [false, true, true, true, true, true, false, false]
  const rows = section.rows.map((r) => [
    r.figure,
    r.ours ?? '—',
    r.nodemailer ?? '—',
    r.reference ?? '—',
    fmtRatio(r.vsNodemailer),
    fmtRatio(r.vsReference),
    r.target ?? '—',
    r.pass === true ? 'pass' : r.pass === false ? '**FAIL**' : '—',
  ])
  // padded the way the repository's formatter (Biome) lays out markdown tables
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((row) => row[i].length)))
  const line = (cells) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`
  const table = [line(header), rule, ...rows.map(line)].join('\n')
  const notes = section.notes.length ? `\n\n${section.notes.map((n) => `- ${n}`).join('\n')}` : ''
  return `### ${section.title}\n\n${table}${notes}\n`
}
