import type { Diagnostic } from '../../shared/index.js';

/** One line per diagnostic, as compilers print them: `file:line:column: severity rule: message`. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const fixes = d.fix ? (Array.isArray(d.fix) ? d.fix : [d.fix]) : [];
  const fix = fixes.length ? ` [fix: ${fixes.map((f) => f.title).join(' | ')}]` : '';
  return `${file}:${d.line}:${d.column}: ${d.severity} ${d.rule}: ${d.message}${fix}`;
}

/** "2 errors, 1 warning in 3 files". */
export function summarize(diagnostics: readonly Diagnostic[], files: number): string {
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [plural(count('error'), 'error'), plural(count('warning'), 'warning')];
  if (count('info')) parts.push(plural(count('info'), 'note'));
  return `${parts.join(', ')} in ${plural(files, 'file')}`;
}
