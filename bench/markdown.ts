// Markdown tables for the benchmark reports.

type Alignment = 'left' | 'right';

/** A cell's text made safe for a table row: pipes escaped, line breaks flattened. */
function tableCell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** A GitHub-flavoured markdown table; numbers read best right-aligned. */
export function markdownTable(headers: string[], alignments: Alignment[], rows: string[][]): string[] {
  if (alignments.length !== headers.length) throw new Error('one alignment per column');
  const line = (cells: string[]): string => `| ${cells.map(tableCell).join(' | ')} |`;
  const lines = [line(headers), `|${alignments.map((alignment) => (alignment === 'right' ? '--:' : '---')).join('|')}|`];
  for (const row of rows) {
    if (row.length !== headers.length) throw new Error(`a row has ${row.length} cells, the table ${headers.length} columns`);
    lines.push(line(row));
  }
  return lines;
}

/** Clips a note (e.g. an error message) to one short table cell. */
export function clipNote(text: string, limit = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}
