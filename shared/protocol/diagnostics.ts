/**
 * Diagnostics on the wire (a 422's `diagnostics`): at most DIAGNOSTICS_MAX, the first by position,
 * each message cut to DIAGNOSTIC_MESSAGE_MAX, so one hostile story cannot make a huge answer.
 */
import { DIAGNOSTIC_MESSAGE_MAX, DIAGNOSTICS_MAX } from './rules.js';

/** What a 422 says of a diagnostic (fixes stay in the studio, which computes its own). */
export interface WireFinding {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  line: number;
  column: number;
  from: number;
  to: number;
}

export interface CappedDiagnostics {
  diagnostics: WireFinding[];
  /** How many there were in all. */
  diagnosticsTotal: number;
  /** How many of all were errors (what refuses the story). */
  errorCount: number;
}

/** The first DIAGNOSTICS_MAX diagnostics by position, as the wire carries them, and the counts of all. */
export function capDiagnostics(all: readonly WireFinding[]): CappedDiagnostics {
  let errorCount = 0;
  for (const d of all) if (d.severity === 'error') errorCount++;
  const byPosition = (a: WireFinding, b: WireFinding) => a.from - b.from || a.to - b.to;
  // The linter gives them in file order already; anything else is put in order first.
  const sorted = all.every((d, i) => i === 0 || byPosition(all[i - 1]!, d) <= 0);
  const first = (sorted ? all : [...all].sort(byPosition)).slice(0, DIAGNOSTICS_MAX);
  const diagnostics = first.map((d) => ({
    rule: d.rule,
    severity: d.severity,
    message: d.message.length > DIAGNOSTIC_MESSAGE_MAX ? `${d.message.slice(0, DIAGNOSTIC_MESSAGE_MAX - 1)}…` : d.message,
    line: d.line,
    column: d.column,
    from: d.from,
    to: d.to,
  }));
  return { diagnostics, diagnosticsTotal: all.length, errorCount };
}
