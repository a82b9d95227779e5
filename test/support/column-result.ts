// A ColumnResult for hand-written expectations: every member of docs/spec.md's column object at
// its "nothing" value (a text column with no field), then the figures given.

import type { ColumnResult } from '../../src/types.js';

export function columnResult(figures: Partial<ColumnResult> & { name: string }): ColumnResult {
  return {
    index: 1,
    count: 0,
    empty: 0,
    invalid: 0,
    first_invalid: null,
    sum: 0,
    sum_text: '0',
    min: null,
    max: null,
    mean: null,
    stddev: null,
    type: 'text',
    min_length: null,
    max_length: null,
    distinct: null,
    distinct_exact: null,
    q1: null,
    median: null,
    q3: null,
    ...figures,
  };
}
