import type { Figure, ScenarioResult } from '../scenario.js';
import type { BenchReport } from './bench-report.js';
import { formatMb, formatMs, formatPerSecond, formatRatio } from './format-values.js';

const HEADER = ['scenario', 'cdk-local', 'p99', 'baseline', 'p99', 'ratio', 'target', ''] as const;

function value(figure: Figure, amount: number): string {
  return figure.unit === 'MB' ? formatMb(amount) : formatMs(amount);
}

function cells(result: ScenarioResult): string[] {
  if (result.status !== 'measured') {
    return [result.title, result.status === 'failed' ? `FAILED: ${result.reason}` : `not measured yet: ${result.reason}`, '', '', '', '', '', ''];
  }
  const main = (figure: Figure): string => (figure.perSecond === undefined ? value(figure, figure.distribution.median) : formatPerSecond(figure.perSecond));
  const p99 = (figure: Figure): string => (figure.distribution.count < 2 ? '-' : value(figure, figure.distribution.p99));
  return [
    result.title,
    main(result.subject),
    p99(result.subject),
    main(result.baseline),
    p99(result.baseline),
    formatRatio(result.ratio),
    result.target?.description ?? '',
    result.target === undefined ? '' : result.target.met ? 'pass' : 'MISS',
  ];
}

/** Pads columns; a cell too long for the table (a reason) spills over the columns after it. */
function layOut(rows: readonly string[][]): string[] {
  const measured = rows.filter((row) => row[2] !== '' || row === rows[0]);
  const widths = HEADER.map((_, column) => Math.max(...measured.map((row) => row[column]!.length)));
  return rows.map((row) => {
    if (row[2] === '' && row !== rows[0]) return `${row[0]!.padEnd(widths[0]!)}  ${row[1]}`;
    return row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  });
}

/** The table the benchmark prints, with what each baseline is and the notes. */
export function formatTable(report: BenchReport): string {
  const lines: string[] = [];
  lines.push(
    `cdk-local benchmark, ${report.startedAt} (${report.quick ? 'quick' : 'full'} run, ${Math.round(report.durationMs / 1000)} s)`,
    `node ${report.machine.node}, ${report.machine.cpus} × ${report.machine.cpuModel}, load average ${report.machine.loadAverageBefore.toFixed(2)} before, ${report.machine.loadAverageAfter.toFixed(2)} after; ${report.machine.sandbox}; commit ${report.commit}`,
    '',
  );
  lines.push(...layOut([[...HEADER], ...report.results.map(cells)]));
  lines.push('', 'median and p99 of each figure; ratio = cdk-local ÷ baseline (medians; for throughput, invocations per second, with p99 latency beside).');
  lines.push('', 'What each row compares:');
  for (const result of report.results) {
    if (result.status === 'measured') {
      lines.push(`- ${result.title}: ${result.subject.label} vs ${result.baseline.label} (${result.subject.distribution.count} and ${result.baseline.distribution.count} samples).`);
    }
    for (const note of result.notes) lines.push(`  ${note}`);
  }
  const targets = report.results.flatMap((result) => (result.status === 'measured' && result.target !== undefined ? [result] : []));
  const missed = targets.filter((result) => result.target?.met === false);
  lines.push('', `Targets: ${targets.length - missed.length} of ${targets.length} met${missed.length === 0 ? '.' : `; missed: ${missed.map((result) => result.title).join('; ')}.`}`);
  for (const result of missed) {
    if (result.status === 'measured' && result.whyMissed !== undefined) lines.push(`- ${result.title}: ${result.whyMissed}`);
  }
  return `${lines.join('\n')}\n`;
}
