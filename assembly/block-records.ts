// Stage 2 of the SIMD block path, record by record: countRecords() (count: no column selected) and
// fieldRecords() (sum and stats) walk the masks of assembly/blocks.ts from a record start, count
// the records and their widths, and parse each selected field in place (assembly/number.ts). Where
// the masks do not model the input they stop, and fastRecords() or the byte machine go on from
// there (blockResume, or state = S_FIELD_START).

import {
  RESULTS_OFFSET, RESULT_RECORDS, RESULT_SHORT, RESULT_LONG, RESULT_MAX_FIELDS, RESULT_EXPECTED_FIELDS,
  COLUMN_MAP_OFFSET, CONFIG_OFFSET, CONFIG_KEY_FIELDS,
} from './layout';
import { S_FIELD_START } from './machine-states';
import {
  delimiter, quote, mappedFields, state, fieldIndex, lines, blockResume, storeRecordCounters,
} from './state';
import { isEmptyLine, withoutCr } from './bytes';
import {
  blockLineFeeds, blockDelimiters, blockQuotes, quotesModelled, resetQuoteState, insideQuotes, classifyBlock,
  clipBlock,
} from './blocks';
import { fastField } from './number';
import {
  keyCount, keyFieldLimit, nextKeyField, blockKeyField, fastQuotedKeyField, settleShortKey, endBlockKeyRecord,
} from './groups';

/**
 * count's block path (no column selected): records and their widths from bit arithmetic on the
 * masks. Returns the first record start at or after `limit`, or, where it gave up, the start of
 * the record in progress (blockResume set past the block).
 */
export function countRecords(start: usize, limit: usize, lastLineFeed: usize): usize {
  const delim = delimiter;
  const quoteValue = quote;
  const results = RESULTS_OFFSET;
  let records = load<i64>(results + RESULT_RECORDS);
  let widest = load<i64>(results + RESULT_MAX_FIELDS);
  let expected = load<i64>(results + RESULT_EXPECTED_FIELDS);
  let shortRecords = load<i64>(results + RESULT_SHORT);
  let longRecords = load<i64>(results + RESULT_LONG);
  let linesBeforeBlock = lines;
  let linesAtRecordStart = lines;
  let recordStart = start;
  let delimitersSoFar: i64 = 0; // of the record being read, in blocks before the current one
  resetQuoteState();
  let block = start;
  while (block < lastLineFeed) {
    classifyBlock(block, delim, quoteValue);
    clipBlock(block, lastLineFeed);
    const lineFeeds = blockLineFeeds;
    let delimiters = blockDelimiters;
    const inside = insideQuotes(blockQuotes, delimiters | lineFeeds);
    if (!quotesModelled) break;
    let recordEnds = lineFeeds & ~inside;
    delimiters &= ~inside;
    while (recordEnds != 0) {
      const low = recordEnds & (~recordEnds + 1);
      const below = low - 1;
      const at = block + <usize>ctz(low);
      const fieldsBefore = delimitersSoFar + <i64>popcnt(delimiters & below);
      delimiters &= ~below;
      linesAtRecordStart = linesBeforeBlock + <i64>popcnt(lineFeeds & (below | low));
      if (fieldsBefore != 0 || !isEmptyLine(recordStart, at)) {
        // a data record ended (an empty line is not one)
        const fields = fieldsBefore + 1;
        records++;
        if (fields > widest) widest = fields;
        if (expected == 0) expected = fields;
        else if (fields < expected) shortRecords++;
        else if (fields > expected) longRecords++;
      }
      delimitersSoFar = 0;
      recordStart = at + 1;
      if (recordStart >= limit) {
        lines = linesAtRecordStart;
        storeRecordCounters(records, widest, expected, shortRecords, longRecords);
        return recordStart;
      }
      recordEnds ^= low;
    }
    delimitersSoFar += <i64>popcnt(delimiters);
    linesBeforeBlock += <i64>popcnt(lineFeeds);
    block += 64;
  }
  blockResume = block + 64;
  lines = linesAtRecordStart;
  storeRecordCounters(records, widest, expected, shortRecords, longRecords);
  return recordStart;
}

/**
 * sum's and stats' block path: the field ends come from the masks; the selected fields of a record
 * are parsed in place (a quoted one when it is plain: its quotes are its first and last bytes);
 * after the last selected field the record is crossed by counting its delimiters. Returns the first
 * record start at or after `limit`; or, giving up at a record start, that start (blockResume set
 * past the block); or, giving up inside a record, the field's start with state = S_FIELD_START for
 * the byte machine.
 */
export function fieldRecords(start: usize, limit: usize, lastLineFeed: usize): usize {
  const delim = delimiter;
  const quoteValue = quote;
  const mapped = mappedFields;
  const results = RESULTS_OFFSET;
  let records = load<i64>(results + RESULT_RECORDS);
  let widest = load<i64>(results + RESULT_MAX_FIELDS);
  let expected = load<i64>(results + RESULT_EXPECTED_FIELDS);
  let shortRecords = load<i64>(results + RESULT_SHORT);
  let longRecords = load<i64>(results + RESULT_LONG);
  let linesBeforeBlock = lines;
  let fieldLine = lines + 1; //    physical line the current field starts on
  let fieldStart = start;
  let field: i32 = 0;
  let quotesSoFar: i32 = 0; //     quote bytes of the current field in blocks before this one
  resetQuoteState();
  let block = start;
  while (block < lastLineFeed) {
    classifyBlock(block, delim, quoteValue);
    clipBlock(block, lastLineFeed);
    const lineFeeds = blockLineFeeds;
    let quotes = blockQuotes;
    let ends = blockDelimiters | lineFeeds;
    const inside = insideQuotes(quotes, ends);
    if (!quotesModelled) break;
    ends &= ~inside;
    while (ends != 0) {
      if (field >= mapped) {
        // No selected field left in this record: cross its delimiters up to its LF, keeping field,
        // fieldStart and fieldLine those of the last field crossed (the byte machine may resume there).
        const pendingLf = ends & lineFeeds;
        const before = pendingLf != 0 ? (pendingLf & (~pendingLf + 1)) - 1 : ~(<u64>0);
        const crossed = ends & before;
        field += <i32>popcnt(crossed);
        if (pendingLf == 0) {
          if (crossed != 0) {
            const last = <u64>(63 - clz(crossed));
            fieldStart = block + <usize>last + 1;
            fieldLine = linesBeforeBlock + <i64>popcnt(lineFeeds & ((<u64>2 << last) - 1)) + 1;
          }
          break;
        }
        ends &= ~before; // the LF is next: it sets fieldStart and fieldLine
      }
      const low = ends & (~ends + 1);
      const below = low - 1;
      ends ^= low;
      const at = block + <usize>ctz(low);
      const isLineFeed = (lineFeeds & low) != 0;
      let fieldQuotes = quotesSoFar;
      if (quotes != 0) {
        fieldQuotes += <i32>popcnt(quotes & below);
        quotes &= ~below;
      }
      quotesSoFar = 0;
      if (field < mapped) {
        const s = <i32>load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1));
        if (s >= 0) {
          const to = isLineFeed ? withoutCr(fieldStart, at) : at;
          if (fieldQuotes == 0) {
            fastField(field, fieldStart, to, fieldLine);
          } else if (fieldQuotes == 2 && to - fieldStart >= 2 && <u32>load<u8>(to - 1) == quoteValue) {
            fastField(field, fieldStart + 1, to - 1, fieldLine); // its first byte is the opening quote
          } else {
            // doubled quotes or bytes after the closing quote: the byte machine unquotes it
            lines = fieldLine - 1;
            storeRecordCounters(records, widest, expected, shortRecords, longRecords);
            fieldIndex = field;
            state = S_FIELD_START;
            return fieldStart;
          }
        }
      }
      const startOfField = fieldStart;
      fieldLine = linesBeforeBlock + <i64>popcnt(lineFeeds & (below | low)) + 1;
      fieldStart = at + 1;
      if (!isLineFeed) {
        field++;
        continue;
      }
      if (field != 0 || !isEmptyLine(startOfField, at)) {
        // a data record ended (an empty line is not one)
        const fields = <i64>field + 1;
        records++;
        if (fields > widest) widest = fields;
        if (expected == 0) expected = fields;
        else if (fields < expected) shortRecords++;
        else if (fields > expected) longRecords++;
      }
      field = 0;
      if (fieldStart >= limit) {
        lines = fieldLine - 1;
        storeRecordCounters(records, widest, expected, shortRecords, longRecords);
        return fieldStart;
      }
    }
    if (quotes != 0) quotesSoFar += <i32>popcnt(quotes);
    linesBeforeBlock += <i64>popcnt(lineFeeds);
    block += 64;
  }
  lines = fieldLine - 1;
  storeRecordCounters(records, widest, expected, shortRecords, longRecords);
  if (field == 0) {
    blockResume = block + 64;
    return fieldStart;
  }
  fieldIndex = field;
  state = S_FIELD_START;
  return fieldStart;
}

/**
 * Grouped scans' block path (`--by`): fieldRecords() visiting the key fields too, as fastRecords()
 * does: each key field's value goes to the group table (fastKeyField(), or fastQuotedKeyField() for
 * one with doubled quotes), each data record's end to endKeyRecord(). A new group that does not fit
 * stops the scan after that record's LF (pendingKey set, counters stored) and returns that record
 * end, as fastRecords() does. Returns as fieldRecords() does otherwise; the key fields before a field
 * it hands to the byte machine are already counted in the key.
 */
export function keyedRecords(start: usize, limit: usize, lastLineFeed: usize): usize {
  const delim = delimiter;
  const quoteValue = quote;
  const valueFields = mappedFields;
  const mapped = keyFieldLimit > valueFields ? keyFieldLimit : valueFields;
  // bit f: field f holds a key or a selected value (all set when records are visited wider than 64)
  let wanted: u64 = ~(<u64>0);
  if (mapped <= 64) {
    wanted = 0;
    for (let f = 0; f < valueFields; f++) {
      if (load<i16>(COLUMN_MAP_OFFSET + (<usize>f << 1)) >= 0) wanted |= <u64>1 << <u64>f;
    }
    for (let k = 0; k < keyCount; k++) wanted |= <u64>1 << <u64>load<i32>(CONFIG_OFFSET + CONFIG_KEY_FIELDS + (<usize>k << 2));
  }
  const results = RESULTS_OFFSET;
  let records = load<i64>(results + RESULT_RECORDS);
  let widest = load<i64>(results + RESULT_MAX_FIELDS);
  let expected = load<i64>(results + RESULT_EXPECTED_FIELDS);
  let shortRecords = load<i64>(results + RESULT_SHORT);
  let longRecords = load<i64>(results + RESULT_LONG);
  let linesBeforeBlock = lines;
  let fieldLine = lines + 1; //    physical line the current field starts on
  let fieldStart = start;
  let field: i32 = 0;
  let quotesSoFar: i32 = 0; //     quote bytes of the current field in blocks before this one
  resetQuoteState();
  let block = start;
  while (block < lastLineFeed) {
    classifyBlock(block, delim, quoteValue);
    clipBlock(block, lastLineFeed);
    const lineFeeds = blockLineFeeds;
    let quotes = blockQuotes;
    let ends = blockDelimiters | lineFeeds;
    const inside = insideQuotes(quotes, ends);
    if (!quotesModelled) break;
    ends &= ~inside;
    while (ends != 0) {
      if (field >= mapped) {
        // no key or selected field left in this record: cross its delimiters up to its LF
        const pendingLf = ends & lineFeeds;
        const before = pendingLf != 0 ? (pendingLf & (~pendingLf + 1)) - 1 : ~(<u64>0);
        const crossed = ends & before;
        field += <i32>popcnt(crossed);
        if (pendingLf == 0) {
          if (crossed != 0) {
            const last = <u64>(63 - clz(crossed));
            fieldStart = block + <usize>last + 1;
            fieldLine = linesBeforeBlock + <i64>popcnt(lineFeeds & ((<u64>2 << last) - 1)) + 1;
          }
          break;
        }
        ends &= ~before;
      } else if (((wanted >> <u64>field) & 1) == 0) {
        // fields before the next key or selected one: their ends crossed together, up to the LF
        const pendingLf = ends & lineFeeds;
        const before = pendingLf != 0 ? (pendingLf & (~pendingLf + 1)) - 1 : ~(<u64>0);
        let crossed = ends & before;
        if (crossed != 0) {
          const skip = <i32>ctz(wanted >> <u64>field);
          if (<i32>popcnt(crossed) > skip) {
            let rest = crossed;
            for (let i = 0; i < skip; i++) rest &= rest - 1;
            crossed ^= rest; // the `skip` lowest
          }
          field += <i32>popcnt(crossed);
          ends ^= crossed;
          const last = <u64>(63 - clz(crossed));
          const through = (<u64>2 << last) - 1; // bits 0..last (all of them for bit 63)
          fieldStart = block + <usize>last + 1;
          fieldLine = linesBeforeBlock + <i64>popcnt(lineFeeds & through) + 1;
          quotes &= ~through;
          quotesSoFar = 0;
          if (ends == 0) break;
        }
      }
      const low = ends & (~ends + 1);
      const below = low - 1;
      ends ^= low;
      const at = block + <usize>ctz(low);
      const isLineFeed = (lineFeeds & low) != 0;
      let fieldQuotes = quotesSoFar;
      if (quotes != 0) {
        fieldQuotes += <i32>popcnt(quotes & below);
        quotes &= ~below;
      }
      quotesSoFar = 0;
      const emptyLine = isLineFeed && field == 0 && isEmptyLine(fieldStart, at);
      if (field < mapped && !emptyLine) {
        const isKey = field == nextKeyField;
        const s = field < valueFields ? <i32>load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1)) : -1;
        if (isKey || s >= 0) {
          const to = isLineFeed ? withoutCr(fieldStart, at) : at;
          if (fieldQuotes == 0) {
            if (isKey) blockKeyField(fieldStart, to);
            if (s >= 0) fastField(field, fieldStart, to, fieldLine);
          } else if (to - fieldStart >= 2 && <u32>load<u8>(to - 1) == quoteValue && (fieldQuotes == 2 || s < 0)) {
            // its first byte is the opening quote and its last the closing one; a key's doubled
            // quotes are undone here, a number's are the byte machine's
            if (isKey) {
              if (fieldQuotes == 2) blockKeyField(fieldStart + 1, to - 1);
              else fastQuotedKeyField(fieldStart + 1, to - 1, quoteValue);
            }
            if (s >= 0) fastField(field, fieldStart + 1, to - 1, fieldLine);
          } else {
            // bytes after the closing quote, or a selected field with doubled quotes
            settleShortKey();
            lines = fieldLine - 1;
            storeRecordCounters(records, widest, expected, shortRecords, longRecords);
            fieldIndex = field;
            state = S_FIELD_START;
            return fieldStart;
          }
        }
      }
      fieldLine = linesBeforeBlock + <i64>popcnt(lineFeeds & (below | low)) + 1;
      fieldStart = at + 1;
      if (!isLineFeed) {
        field++;
        continue;
      }
      if (!emptyLine) {
        // a data record ended (an empty line is not one)
        const fields = <i64>field + 1;
        records++;
        if (fields > widest) widest = fields;
        if (expected == 0) expected = fields;
        else if (fields < expected) shortRecords++;
        else if (fields > expected) longRecords++;
        if (!endBlockKeyRecord(fieldStart)) {
          // a new group that does not fit: the host makes room, the scan goes on after this LF
          lines = fieldLine - 1;
          storeRecordCounters(records, widest, expected, shortRecords, longRecords);
          return fieldStart;
        }
      }
      field = 0;
      if (fieldStart >= limit) {
        lines = fieldLine - 1;
        storeRecordCounters(records, widest, expected, shortRecords, longRecords);
        return fieldStart;
      }
    }
    if (quotes != 0) quotesSoFar += <i32>popcnt(quotes);
    linesBeforeBlock += <i64>popcnt(lineFeeds);
    block += 64;
  }
  settleShortKey(); // (none pending at a record start)
  lines = fieldLine - 1;
  storeRecordCounters(records, widest, expected, shortRecords, longRecords);
  if (field == 0) {
    blockResume = block + 64;
    return fieldStart;
  }
  fieldIndex = field;
  state = S_FIELD_START;
  return fieldStart;
}
