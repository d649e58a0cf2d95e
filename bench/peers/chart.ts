/**
 * The throughput chart of a bench/peers run as a self-contained SVG, written by hand from the
 * results (no plotting dependency): per peer, batch sentences/s and 64-caller sentences/s.
 */
import type { Results } from './results.js';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round axis maximum at or above `value` (1, 2 or 5 times a power of ten). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function throughputChart(results: Results): string {
  const rows = results.peers.filter((p) => p.ok && p.result);
  const label = 300; // room for "sentence-transformers (torch CPU) fp32"
  const plot = 520;
  const barHeight = 12;
  const rowHeight = 2 * barHeight + 14;
  const top = 56;
  const height = top + rows.length * rowHeight + 50;
  const width = label + plot + 90;
  const max = niceMax(Math.max(1, ...rows.flatMap((p) => [p.result!.throughput.sentences_per_second, p.result!.concurrent.sentences_per_second])));
  const x = (value: number): number => label + (value / max) * plot;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">Throughput by peer, all-MiniLM-L6-v2 shape (sentences/s, higher is better)</text>`,
    `<text x="${width / 2}" y="38" text-anchor="middle" fill="#555">${escape(`${results.options.texts} mixed-length sentences, ${results.machine.cpus} CPUs, ${results.date.slice(0, 16).replace('T', ' ')} UTC, load average ${results.machine.load_start.split(' ')[0]} at the start`)}</text>`,
  ];
  for (let i = 0; i <= 5; i += 1) {
    const value = (max / 5) * i;
    const gx = x(value);
    parts.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${top + rows.length * rowHeight}" stroke="#ddd"/>`);
    parts.push(`<text x="${gx}" y="${top + rows.length * rowHeight + 16}" text-anchor="middle" fill="#555">${Number(value.toFixed(1))}</text>`);
  }
  rows.forEach((p, i) => {
    const y = top + i * rowHeight;
    const batch = p.result!.throughput.sentences_per_second;
    const callers = p.result!.concurrent.sentences_per_second;
    const ours = p.id.startsWith('sentencekit');
    parts.push(`<text x="${label - 8}" y="${y + barHeight + 4}" text-anchor="end"${ours ? ' font-weight="bold"' : ''}>${escape(`${p.label} ${p.precision}`)}</text>`);
    parts.push(`<rect class="bar" x="${label}" y="${y}" width="${x(batch) - label}" height="${barHeight}" fill="${ours ? '#1f77b4' : '#7f9fbf'}"/>`);
    parts.push(`<text x="${x(batch) + 4}" y="${y + barHeight - 2}">${batch.toFixed(1)}</text>`);
    parts.push(`<rect class="bar" x="${label}" y="${y + barHeight}" width="${x(callers) - label}" height="${barHeight}" fill="${ours ? '#ff7f0e' : '#f0b27a'}"/>`);
    parts.push(`<text x="${x(callers) + 4}" y="${y + 2 * barHeight - 2}">${callers.toFixed(1)}</text>`);
  });
  const legendY = height - 16;
  parts.push(`<rect x="${label}" y="${legendY - 10}" width="12" height="12" fill="#1f77b4"/><text x="${label + 18}" y="${legendY}">batch encode (batch ${results.options.batch_size})</text>`);
  parts.push(`<rect x="${label + 200}" y="${legendY - 10}" width="12" height="12" fill="#ff7f0e"/><text x="${label + 218}" y="${legendY}">${results.options.callers} concurrent callers, 1 sentence each</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
