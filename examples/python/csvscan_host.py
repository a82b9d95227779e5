#!/usr/bin/env python3
"""csvscan's kernel driven from Python through wasmtime: count, sum and stats of a CSV file, by key too,
and the column profile (stats --distinct, --quantiles, --all).

Written from docs/kernel-abi.md alone: no csvscan host code, only build/kernel/*.wasm. It prints one
JSON line comparable with `csvscan MODE FILE ... --json` (test/python-host.test.ts compares them).

    pip install wasmtime          # any recent version; tested with 49.0.0
    npm run build:kernel          # build/kernel/simd.wasm and scalar.wasm
    python3 examples/python/csvscan_host.py stats examples/prices.csv -c price --window 4096

usage: csvscan_host.py {count,sum,stats} FILE [-c COL ...] [--by KEY ...] [--no-header] [-d C]
                       [--quote C] [--window BYTES] [--kernel simd|scalar|PATH.wasm]
                       [--distinct] [--quantiles] [--all]

Exit codes as csvscan's: 1 for an unterminated quoted field (or memory that could not grow for the
profile), 2 for usage errors.
"""

import argparse
import json
import math
import os
import re
import sys
from fractions import Fraction

from csvscan_kernel import (
    DEFAULT_WINDOW, FLAG_HEADER, FLAG_SQUARES, MAX_FIELDS, MAX_SLOTS, RESULT_BYTES, RESULT_LONG, RESULT_MAX_FIELDS,
    RESULT_RECORDS, RESULT_SHORT, RESULTS_OFFSET, SLOT_COUNT, SLOT_FDEV, SLOT_FDEV_COMP, SLOT_FSQ, SLOT_FSQ_COMP,
    SLOT_FSUM, SLOT_FSUM_COMP, SLOT_INVALID, SLOT_INVALID_BYTES, SLOT_INVALID_LENGTH, SLOT_INVALID_LINE, SLOT_MAX,
    SLOT_MIN, SLOT_OUTSIDE, SLOT_SHIFT, SLOT_SIZE, SLOT_SQUARES, SLOT_SUMS, SLOTS_OFFSET, SQ_BUCKETS, SQ_EXP_MIN,
    SUM_BUCKETS, SUM_EXP_MIN, SLOT_MIN_LENGTH, SLOT_MAX_LENGTH, SLOT_FORMS, FORM_DECIMAL, FORM_FLOAT, Kernel,
    Unterminated, UsageError, f64, i32, i64, read_header, GC_COUNT, GC_FORMS, GC_INVALID, GC_MAX, GC_MAX_LENGTH, GC_MIN,
    GC_MIN_LENGTH, GC_SCALE, GC_SCALE_NONE, GC_SQUARES, GC_SUM, MAX_KEYS, FLAG_DISTINCT, FLAG_QUANTILES,
    SLOT_DISTINCT_TABLE, SLOT_DISTINCT_CAPACITY, SLOT_DISTINCT_COUNT, SLOT_DISTINCT_OVER, DISTINCT_ENTRY_SIZE,
    DISTINCT_EXACT_LIMIT, SLOT_HLL, HLL_REGISTERS, SLOT_NEGATIVE_BUCKETS, SLOT_POSITIVE_BUCKETS, BUCKETS_FIRST,
    BUCKETS_LENGTH, SLOT_ZEROS, QUANTILE_KEYS, ProfileFailed, u32,
)

KERNELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build', 'kernel')
INF = math.inf


# ---- columns: names, else 1-based indexes ----------------------------------------------------------
def plan_columns(mode, requested, names, keys=()):
    """[(name, field)] to report, or None for every field of a file without a header. keys: the
    planned key columns; stats by key of every column leaves them out."""
    if mode == 'count':
        return []
    if not requested:
        if names is None:
            if keys:
                raise UsageError('stats --by without a header needs its columns named: add -c 1 -c 2 ...')
            return None
        key_fields = {field for _, field in keys}
        every = [(name, field) for field, name in enumerate(names) if field not in key_fields]
        if keys and not every:
            raise UsageError('stats --by: every column is a key column; name the columns to summarize with -c')
        if len(every) > MAX_SLOTS:
            raise UsageError(f'the header has {len(names)} columns; stats of all columns handles at most {MAX_SLOTS}: choose some with -c')
        return every
    planned = []
    for column in requested:
        if names is not None and column in names:
            planned.append((column, names.index(column)))
            continue
        index = int(column) if re.fullmatch(r'[0-9]+', column) else 0
        if index < 1 or (names is not None and index > len(names)) or index > MAX_FIELDS:
            raise UsageError(f'unknown column {column!r}' + (f'; columns: {", ".join(names)}' if names else ''))
        planned.append((names[index - 1] if names is not None else str(index), index - 1))
    return planned


# ---- a slot's statistics (docs/kernel-abi.md, "From a slot to statistics") -------------------------
def nearest(x):
    """The double nearest to the rational x, ties to even; +-inf past the double range."""
    try:
        return x.numerator / x.denominator  # int / int is correctly rounded in Python
    except OverflowError:
        return INF if x > 0 else -INF


def nearest_sqrt(x):
    """The double nearest to sqrt(x) for a rational x > 0, rounded once."""
    k = -(-(135 - (x.numerator.bit_length() - x.denominator.bit_length())) // 2)
    scaled, remainder = divmod(x.numerator << 2 * k, x.denominator) if k >= 0 else divmod(x.numerator, x.denominator << -2 * k)
    root = math.isqrt(scaled)
    if remainder or root * root != scaled:
        root |= 1  # sticky: the root is not exact
    return nearest(Fraction(root, 1 << k) if k >= 0 else Fraction(root << -k))


def buckets(data, at, count):
    return sum(int.from_bytes(data[at + 16 * b:at + 16 * b + 16], 'little', signed=True) * 10 ** b for b in range(count))


def decimal_text(units, scale):
    if units == 0:
        return '0'
    digits = str(abs(units)).rjust(scale + 1, '0')
    fraction = digits[len(digits) - scale:].rstrip('0')
    return ('-' if units < 0 else '') + digits[:len(digits) - scale] + ('.' + fraction if fraction else '')


class Accumulated:
    """One column's accumulators, from a slot or from a group's column block (docs/kernel-abi.md)."""

    def __init__(self, n, invalid, low, high, S1, S2, doubles, first_invalid, forms, min_length, max_length):
        self.n, self.invalid, self.low, self.high = n, invalid, low, high
        self.S1, self.S2 = S1, S2  # exact sums in units of 10^SUM_EXP_MIN and 10^SQ_EXP_MIN
        self.doubles = doubles  # a slot's layout holding the numbers outside the exact domain, or None
        self.first_invalid = first_invalid  # (line, bytes) or None
        self.forms, self.min_length, self.max_length = forms, min_length, max_length

    @classmethod
    def of_slot(cls, slot):
        line = i64(slot, SLOT_INVALID_LINE)
        value = bytes(slot[SLOT_INVALID_BYTES:SLOT_INVALID_BYTES + i32(slot, SLOT_INVALID_LENGTH)])
        return cls(i64(slot, SLOT_COUNT), i64(slot, SLOT_INVALID), f64(slot, SLOT_MIN), f64(slot, SLOT_MAX),
                   buckets(slot, SLOT_SUMS, SUM_BUCKETS), buckets(slot, SLOT_SQUARES, SQ_BUCKETS), slot,
                   (line, value) if line > 0 else None,
                   i32(slot, SLOT_FORMS), i64(slot, SLOT_MIN_LENGTH), i64(slot, SLOT_MAX_LENGTH))

    @classmethod
    def of_group_column(cls, block, wide, first_invalid):
        """GC_SUM x 10^GC_SCALE plus the wide block's buckets, and so on ("Sum and stats by key")."""
        S1, S2, scale = 0, 0, i32(block, GC_SCALE)
        if scale != GC_SCALE_NONE:
            if scale < SUM_EXP_MIN:  # never: the scale is the exponent of an exact-domain number
                raise RuntimeError(f'GC_SCALE {scale} below SUM_EXP_MIN')
            S1 = i64(block, GC_SUM) * 10 ** (scale - SUM_EXP_MIN)
            S2 = i64(block, GC_SQUARES) * 10 ** (2 * scale - SQ_EXP_MIN)
        if wide is not None:
            S1 += buckets(wide, SLOT_SUMS, SUM_BUCKETS)
            S2 += buckets(wide, SLOT_SQUARES, SQ_BUCKETS)
        return cls(i64(block, GC_COUNT), i64(block, GC_INVALID), f64(block, GC_MIN), f64(block, GC_MAX), S1, S2,
                   wide, first_invalid, i32(block, GC_FORMS), i64(block, GC_MIN_LENGTH), i64(block, GC_MAX_LENGTH))


def statistics(column):
    """(sum, sum_text, mean, stddev) of a column, mean meaningful when count > 0, stddev when > 1."""
    n, slot = column.n, column.doubles
    outside = i64(slot, SLOT_OUTSIDE) if slot is not None else 0
    S1 = column.S1
    s1 = Fraction(S1, 10 ** -SUM_EXP_MIN)
    s2 = Fraction(column.S2, 10 ** -SQ_EXP_MIN)
    if outside == 0:
        mean = nearest(s1 / n) if n > 0 else None
        variance = (n * s2 - s1 * s1) / (n * (n - 1)) if n > 1 else Fraction(0)
        return nearest(s1), decimal_text(S1, -SUM_EXP_MIN), mean, nearest_sqrt(variance) if variance > 0 else 0.0
    low, high = column.low, column.high
    if high == INF or low == -INF:
        infinite = math.nan if high == INF and low == -INF else high if high == INF else low
        return infinite, None, infinite, math.nan
    fsum, fsum_comp, shift = f64(slot, SLOT_FSUM), f64(slot, SLOT_FSUM_COMP), f64(slot, SLOT_SHIFT)
    fdev, fdev_comp = f64(slot, SLOT_FDEV), f64(slot, SLOT_FDEV_COMP)
    fsq, fsq_comp = f64(slot, SLOT_FSQ), f64(slot, SLOT_FSQ_COMP)
    deviations_finite = math.isfinite(fdev + fdev_comp)  # added as doubles
    if math.isfinite(fsum) and math.isfinite(fsum_comp):
        doubles = Fraction(fsum) + Fraction(fsum_comp)
    elif deviations_finite:  # the running sum overflowed: the deviations from the shift still hold it
        doubles = outside * Fraction(shift) + Fraction(fdev) + Fraction(fdev_comp)
    else:
        return fsum, None, fsum, math.nan
    total = s1 + doubles
    stddev = math.nan
    if n > 1 and deviations_finite and math.isfinite(fsq + fsq_comp):
        K, inside = Fraction(shift), n - outside
        A = s1 - inside * K + Fraction(fdev) + Fraction(fdev_comp)
        B = s2 - 2 * K * s1 + inside * K * K + Fraction(fsq) + Fraction(fsq_comp)
        variance = (n * B - A * A) / (n * (n - 1))
        stddev = nearest_sqrt(variance) if variance > 0 else 0.0
    return nearest(total), None, nearest(total / n), stddev


def column_result(name, field, column, records, profile=None):
    count, invalid = column.n, column.invalid
    total, text, mean, stddev = statistics(column)
    first = column.first_invalid
    return {
        'name': name, 'index': field + 1, 'count': count, 'empty': records - count - invalid, 'invalid': invalid,
        'first_invalid': {'line': first[0], 'value': first[1].decode('utf-8', 'replace')} if first else None,
        'sum': total, 'sum_text': text,
        'min': column.low if count > 0 else None, 'max': column.high if count > 0 else None,
        'mean': mean if count > 0 else None, 'stddev': stddev if count > 1 else None,
        'type': column_type(count, invalid, column.forms),
        'min_length': column.min_length if count + invalid > 0 else None,
        'max_length': column.max_length if count + invalid > 0 else None,
        'distinct': None, 'distinct_exact': None, 'q1': None, 'median': None, 'q3': None,
        **(profile or {}),
    }


def column_type(count, invalid, forms):
    if count + invalid == 0:
        return 'empty'
    if invalid > count:
        return 'text'
    return 'float' if forms & FORM_FLOAT else 'decimal' if forms & FORM_DECIMAL else 'integer'


# ---- the column profile (docs/kernel-abi.md, "The column profile") -------------------------------
def distinct_values(kernel, slot):
    """(distinct, distinct_exact): the exact set's size, or past DISTINCT_EXACT_LIMIT values the
    HyperLogLog estimate from the registers."""
    if not i32(slot, SLOT_DISTINCT_OVER):
        count, table = u32(slot, SLOT_DISTINCT_COUNT), u32(slot, SLOT_DISTINCT_TABLE)
        if table:  # the set: non-zero entries (an entry's h4 has its top bit set)
            entries = kernel.read(table, u32(slot, SLOT_DISTINCT_CAPACITY) * DISTINCT_ENTRY_SIZE)
            held = sum(1 for at in range(0, len(entries), DISTINCT_ENTRY_SIZE) if entries[at + 15] & 0x80)
            if held != count or count > DISTINCT_EXACT_LIMIT:
                raise RuntimeError(f'the exact set holds {held} hashes, the slot counts {count}')
        return count, True
    address = u32(slot, SLOT_HLL)
    registers = kernel.read(address, HLL_REGISTERS) if address else bytes(HLL_REGISTERS)
    m = HLL_REGISTERS
    total = math.fsum(2.0 ** -register for register in registers)  # exact: powers of two, 2^-33 to 2^14
    estimate = 0.7213 / (1 + 1.079 / m) * m * m / total
    zeros = registers.count(0)
    if estimate <= 2.5 * m and zeros:
        estimate = m * math.log(m / zeros)
    return math.floor(estimate + 0.5), False


def bucket_counts(kernel, slot, field):
    """(first key, [i64 counts]) of one sign's buckets; (0, []) when there are none."""
    address = u32(slot, field)
    if not address:
        return 0, []
    first, length = i32(slot, field + BUCKETS_FIRST), i32(slot, field + BUCKETS_LENGTH)
    data = kernel.read(address, 8 * length)
    return first, [i64(data, 8 * k) for k in range(length)]


def magnitude(key, j_offset):
    """The lower bound of key's magnitudes (j_offset 0) or its upper bound (1), exactly: a rational."""
    e, j = (key >> 8) - 51, (key & 255) + j_offset
    return Fraction(256 + j) * Fraction(2) ** (e - 1023 - 8)


def to_precision(x, digits):
    """Number(x.toPrecision(digits)) of a finite double: x rounded to that many significant digits,
    a tie away from zero (ECMAScript: "pick the larger n"), not to even as Python's format() does."""
    if x == 0:
        return 0.0
    exact = abs(Fraction(x))
    exponent = len(str(exact.numerator)) - len(str(exact.denominator))  # floor(log10(exact)), or one above
    while Fraction(10) ** exponent > exact:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= exact:
        exponent += 1
    scaled = exact / Fraction(10) ** (exponent - digits + 1)
    n = math.floor(scaled + Fraction(1, 2))  # ties up
    value = float(f'{n}e{exponent - digits + 1}')
    return -value if x < 0 else value


def shortest_in(low, high):
    """The shortest decimal in [low, high], two doubles of one sign: the fewest significant digits of
    their midpoint low + (high - low) / 2, in doubles, that lie in it."""
    middle = low + (high - low) / 2  # not the exact midpoint rounded: among subnormals they differ
    for digits in range(1, 18):
        value = to_precision(middle, digits)
        if low <= value <= high:
            return value
    return middle


def quartiles(kernel, slot, n, low, high):
    """(q1, median, q3) by nearest rank from the bucket counts, each the shortest decimal of its bucket
    clamped to [min, max]."""
    negative_first, negative = bucket_counts(kernel, slot, SLOT_NEGATIVE_BUCKETS)
    positive_first, positive = bucket_counts(kernel, slot, SLOT_POSITIVE_BUCKETS)
    zeros = i64(slot, SLOT_ZEROS)
    # the buckets in value order: negatives from the highest key down, zeros, positives up
    order = [(-1, negative_first + k, count) for k, count in reversed(list(enumerate(negative))) if count]
    order += [(0, 0, zeros)] if zeros else []
    order += [(1, positive_first + k, count) for k, count in enumerate(positive) if count]
    found = []
    for numerator in (1, 2, 3):
        rank = max(1, -(-numerator * n // 4))
        seen = 0
        for sign, key, count in order:
            seen += count
            if seen >= rank:
                break
        else:
            raise RuntimeError(f'the buckets count {seen} numbers, the slot {n}')
        if sign == 0:
            found.append(0.0)
        elif key >= QUANTILE_KEYS - 256:  # an infinite number's bucket
            found.append(sign * INF)
        else:
            # the doubles of the bucket: from the first at or above its lower bound to the last below
            # its upper bound (the bounds themselves are not always doubles: 2^1024, subnormals)
            first = nearest(magnitude(key, 0))
            first = first if first >= magnitude(key, 0) else math.nextafter(first, INF)
            last = min(nearest(magnitude(key, 1)), sys.float_info.max)
            last = last if last < magnitude(key, 1) else math.nextafter(last, 0)
            if sign < 0:
                first, last = -last, -first
            found.append(shortest_in(max(first, low), min(last, high)))
    return tuple(found)


def json_text(value):
    """csvscan's JSON, byte for byte: JSON.stringify's compact form, numbers as JavaScript prints them,
    infinities and NaN as strings, -0 as 0."""
    if isinstance(value, dict):
        return '{' + ','.join(f'{json.dumps(key, ensure_ascii=False)}:{json_text(item)}' for key, item in value.items()) + '}'
    if isinstance(value, list):
        return '[' + ','.join(json_text(item) for item in value) + ']'
    if isinstance(value, float):
        return number_text(value)
    return json.dumps(value, ensure_ascii=False)  # str (escaped as JSON.stringify does), int, bool, None


def number_text(x):
    """A double as JavaScript's Number.prototype.toString prints it: the shortest digits that read back
    as x (Python's repr finds the same ones), fixed from 1e-6 to below 1e21, else d.ddde+-N."""
    if math.isnan(x):
        return '"NaN"'
    if math.isinf(x):
        return '"Infinity"' if x > 0 else '"-Infinity"'
    if x == 0:
        return '0'
    mantissa, _, exponent = f'{abs(x)!r}'.partition('e')  # '1.5', '1e-07', '0.001', '1.2345e+16'
    whole, _, fraction = mantissa.partition('.')
    digits = (whole + fraction).lstrip('0')
    n = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))  # x = 0.DIGITS x 10^n
    digits = digits.rstrip('0')
    k = len(digits)
    sign = '-' if x < 0 else ''
    if k <= n <= 21:
        return sign + digits + '0' * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + '.' + digits[n:]
    if -6 < n <= 0:
        return sign + '0.' + '0' * -n + digits
    return sign + digits[0] + ('.' + digits[1:] if k > 1 else '') + 'e' + ('+' if n > 0 else '-') + str(abs(n - 1))


# ---- the scan --------------------------------------------------------------------------------------
def scan(args):
    kernel = Kernel(args.kernel if args.kernel.endswith('.wasm') else os.path.join(KERNELS, f'{args.kernel}.wasm'))
    kernel.grow_for(args.window)
    with open(args.file, 'rb') as stream:
        start = 3 if stream.read(3) == b'\xef\xbb\xbf' else 0  # a BOM is the host's to skip
        names = read_header(stream, start, args.delimiter, args.quote) if args.header else None
        keys = plan_columns('by', args.by, names) if args.by else []  # resolved as -c resolves columns
        if len(keys) > MAX_KEYS:
            raise UsageError(f'at most {MAX_KEYS} --by columns')
        key_fields = sorted({field for _, field in keys})  # the kernel's key fields: ascending, distinct
        planned = plan_columns(args.mode, args.column, names, keys)
        if planned is None:  # stats of every field of a file without a header: field i in slot i
            slot_of_field = list(range(MAX_SLOTS))
        else:
            fields = list(dict.fromkeys(field for _, field in planned))
            slot_of_field = [-1] * (max(fields) + 1 if fields else 0)
            for slot, field in enumerate(fields):
                slot_of_field[field] = slot
        flags = (FLAG_HEADER if args.header else 0) | (FLAG_SQUARES if args.mode != 'count' else 0)
        flags |= (FLAG_DISTINCT if args.distinct else 0) | (FLAG_QUANTILES if args.quantiles else 0)
        kernel.configure(args.delimiter, args.quote, flags, start, slot_of_field, key_fields)
        stream.seek(start)
        kernel.feed(stream, args.window)
    results = kernel.read(RESULTS_OFFSET, 128)
    records = i64(results, RESULT_RECORDS)
    result = {
        'file': args.file, 'rows': records,
        'bytes': i64(results, RESULT_BYTES) + start,  # RESULT_BYTES leaves the skipped BOM out
        'ragged': {'short': i64(results, RESULT_SHORT), 'long': i64(results, RESULT_LONG)},
    }
    widest = i64(results, RESULT_MAX_FIELDS)
    if names is None:
        for name, field in keys:
            if field >= widest:
                raise UsageError(f'unknown column {name!r}: records have up to {widest} fields')
    if args.mode == 'count' and not keys:
        return result
    if planned is None:
        if widest > MAX_SLOTS:
            raise UsageError(f'records have up to {widest} fields; stats of all columns handles at most {MAX_SLOTS}: choose some with -c')
        planned = [(str(field + 1), field) for field in range(widest)]
    elif names is None:
        for name, field in planned:
            if field >= widest:
                raise UsageError(f'unknown column {name!r}: records have up to {widest} fields')
    if keys:
        return grouped(kernel, result, keys, key_fields, planned, slot_of_field, args.mode)
    columns = []
    for name, field in planned:
        slot = kernel.read(SLOTS_OFFSET + slot_of_field[field] * SLOT_SIZE, SLOT_SIZE)
        column, profile = Accumulated.of_slot(slot), {}
        if args.distinct:
            profile['distinct'], profile['distinct_exact'] = distinct_values(kernel, slot)
        if args.quantiles and column.n > 0:
            profile['q1'], profile['median'], profile['q3'] = quartiles(kernel, slot, column.n, column.low, column.high)
        columns.append(column_result(name, field, column, records, profile))
    result['columns'] = columns
    return result


def grouped(kernel, result, keys, key_fields, planned, slot_of_field, mode):
    """The groups of a scan by key: count by records then key, sum and stats by key."""
    position = {field: k for k, field in enumerate(key_fields)}
    slots = sum(1 for slot in slot_of_field if slot >= 0) if mode != 'count' else 0
    groups = []
    for fields, records, blocks in kernel.groups(len(key_fields), slots):
        key = tuple(fields[position[field]] for _, field in keys)  # the --by order; a column may repeat
        group = {'key': [component.decode('utf-8', 'replace') for component in key], 'rows': records}
        if mode != 'count':
            group['columns'] = [
                column_result(name, field, Accumulated.of_group_column(*blocks[slot_of_field[field]]), records)
                for name, field in planned]
        groups.append((key, group))
    # keys compare bytewise unsigned, component by component, a prefix first: Python's tuples of bytes
    groups.sort(key=(lambda item: (-item[1]['rows'], item[0])) if mode == 'count' else (lambda item: item[0]))
    result.update({'by': [name for name, _ in keys], 'group_count': len(groups), 'groups': [group for _, group in groups]})
    return result


def byte_option(text):
    if text.lower() in ('tab', '\\t'):
        return 9
    data = text.encode('utf-8')
    if len(data) != 1 or data in (b'\r', b'\n'):
        raise argparse.ArgumentTypeError(f'one byte, not CR or LF: {text!r}')
    return data[0]


def main(argv, out=sys.stdout, err=sys.stderr):
    parser = argparse.ArgumentParser(prog='csvscan_host.py', description='count, sum and stats through the csvscan kernel')
    parser.add_argument('mode', choices=['count', 'sum', 'stats'])
    parser.add_argument('file')
    parser.add_argument('-c', '--column', action='append', default=[])
    parser.add_argument('--by', action='append', default=[], help='group by this key column (repeat: a composite key)')
    parser.add_argument('--no-header', dest='header', action='store_false')
    parser.add_argument('-d', '--delimiter', type=byte_option, default=44)
    parser.add_argument('--quote', type=byte_option, default=34)
    parser.add_argument('--window', type=int, default=DEFAULT_WINDOW)
    parser.add_argument('--kernel', default='simd', help='simd, scalar, or the path of a kernel .wasm')
    parser.add_argument('--distinct', action='store_true', help='stats: distinct non-empty values per column')
    parser.add_argument('--quantiles', action='store_true', help='stats: q1, median, q3 of the numbers')
    parser.add_argument('--all', action='store_true', help='stats: --distinct and --quantiles')
    args = parser.parse_args(argv)
    args.distinct, args.quantiles = args.distinct or args.all, args.quantiles or args.all
    try:
        if (args.distinct or args.quantiles) and (args.mode != 'stats' or args.by):
            raise UsageError('--distinct, --quantiles and --all are for stats without --by (the profile is of whole columns)')
        if args.window < 1:
            raise UsageError('--window must be at least 1 byte')
        if args.delimiter == args.quote:
            raise UsageError('the delimiter and the quote must differ')
        if args.mode == 'sum' and not args.column:
            raise UsageError('sum needs at least one -c COLUMN')
        print(json_text(scan(args)), file=out)
        return 0
    except (Unterminated, ProfileFailed) as error:
        print(f'csvscan_host: {args.file}: {error}', file=err)
        return 1
    except (UsageError, OSError) as error:
        print(f'csvscan_host: {error}', file=err)
        return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
