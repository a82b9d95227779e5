// The kernel ABI: every offset and constant shared by the AssemblyScript kernel and the TypeScript
// host. This file is compiled by both `asc` and `tsc`, so it holds integer literals only.
//
// Linear memory (byte offsets):
//
//   0 ─────────────── AssemblyScript static data (tables); must end below CONFIG_OFFSET
//   65536 ─────────── CONFIG   (4 KiB)  written by the host before reset()
//   69632 ─────────── RESULTS  (4 KiB)  record/line counters and status, read after scan()/finish()
//   73728 ─────────── NUMBER_TEXT (4 KiB) a rare number rendered as text for the host's Number()
//   77824 ─────────── KERNEL_SCRATCH (52 KiB) the kernel's own: field-end offsets of uniform runs, pending sums
//   131072 ────────── COLUMN_MAP (MAX_FIELDS x i16): field index -> slot, or -1 when not selected
//   262144 ────────── SLOTS (MAX_SLOTS x SLOT_SIZE): one accumulator block per selected column
//   WINDOW_OFFSET ─── WINDOW: the host copies each window of input here, then calls scan(length)
//
// One slot (SLOT_SIZE bytes):
//
//   +0   count i64        +8   (unused: empty = records - count - invalid)   +16 invalid i64
//   +24  outside i64 (numbers outside
//   +32  min f64          +40  max f64                                the exact decimal domain)
//   +48  fsum f64         +56  fsum compensation f64   (Neumaier sum of the doubles)
//   +64  fsq f64          +72  fsq compensation f64    (Neumaier sum of (double - shift)^2)
//        fsum, fsq, shift and fdev cover only the numbers outside the exact decimal domain
//   +80  first invalid: line i64 (1-based, relative to the scan start; 0 = none)
//   +88  first invalid: captured length i32 (<= 64)    +92 first invalid: bytes seen so far i32
//   +96  first invalid: value bytes [64]
//   +160 shift f64 (the slot's first number outside the exact domain: deviations from it keep the
//        double sums free of cancellation)
//   +168 fdev f64         +176 fdev compensation f64   (Neumaier sum of double - shift)
//   +184 min length i64 (bytes of the shortest non-empty field: a number or invalid; reset to
//        2^63 - 1)      +192 max length i64        +200 forms i32 (FORM_* bits of its numbers)
//   +204 the column profile (FLAG_DISTINCT, FLAG_QUANTILES), tables in the profile heap:
//        +204 distinct table u32 (0: none)  +208 its capacity u32  +212 hashes in it u32
//        +216 over the exact limit i32      +220 HyperLogLog registers u32 (0: none yet)
//        +224 negative buckets u32, first key i32, keys i32   +236 positive buckets: the same
//        +248 zeros i64
//   +256 SUM buckets:  SUM_BUCKETS x i128 (lo u64, hi i64), bucket b holds mantissas of 10^(b+SUM_EXP_MIN)
//   +1104 SQUARE buckets: SQ_BUCKETS x i128, bucket b holds 10^(b+SQ_EXP_MIN) units of the squares
//   +3072 end
//
// A number m x 10^k (m < 10^18, k in [-35, 17], |value| in [1e-18, 1e18)) is added exactly to SUM
// bucket k. Its square is split as m = hi*10^9 + lo so that hi^2, 2*hi*lo and lo^2 each fit in 62 bits
// and go to SQUARE buckets 2k+18, 2k+9 and 2k: no 128-bit multiply, and the 128-bit buckets cannot
// overflow before 2^66 additions.

export const LAYOUT_VERSION = 9;

export const CONFIG_OFFSET = 65536;
export const CONFIG_DELIMITER = 0; //       i32: delimiter byte
export const CONFIG_QUOTE = 4; //           i32: quote byte
export const CONFIG_FLAGS = 8; //           i32: FLAG_* bits
export const CONFIG_SLOT_COUNT = 12; //     i32: slots in use (selected columns)
export const CONFIG_MAPPED_FIELDS = 16; //  i32: entries of COLUMN_MAP in use
export const CONFIG_START_OFFSET = 32; //   i64: absolute file offset of the first byte fed
export const CONFIG_STOP_OFFSET = 40; //    i64: records that start at or after it are not scanned; 0 or -1: none
export const CONFIG_EXPECTED_FIELDS = 48; // i64: fields a record should have (0: the first record's)
export const CONFIG_PROFILE_BASE = 56; //   i32: with FLAG_DISTINCT or FLAG_QUANTILES, where the profile heap begins
export const CONFIG_KEY_COUNT = 20; //      i32: key fields (--by); 0: no groups
export const CONFIG_GROUP_BASE = 24; //     i32: address of the group region (table, then key arena)
export const CONFIG_GROUP_LIMIT = 28; //    i32: end of the group region; the host raises it after growing memory
export const CONFIG_KEY_FIELDS = 256; //    MAX_KEYS x i32: the key fields' 0-based indexes, ascending, distinct
export const MAX_KEYS = 64;

export const FLAG_HEADER = 1; //     the first record is a header: not counted, not accumulated
export const FLAG_SQUARES = 2; //    accumulate squares (for stddev: stats, and sum whose JSON reports it)
export const FLAG_MID_FILE = 4; //   the scan starts inside the file: skip to the first record boundary
export const FLAG_DISTINCT = 8; //   hash each non-empty value into an exact set and HyperLogLog registers
export const FLAG_QUANTILES = 16; // count each number in its log-linear bucket

export const RESULTS_OFFSET = 69632;
export const RESULT_RECORDS = 0; //         i64: data records (header excluded)
export const RESULT_LINES = 8; //           i64: LF bytes consumed (physical lines)
export const RESULT_SHORT = 16; //          i64: records with fewer fields than expected
export const RESULT_LONG = 24; //           i64: records with more fields than expected
export const RESULT_MAX_FIELDS = 32; //     i64: widest record
export const RESULT_EXPECTED_FIELDS = 40; // i64: header width, or first record's width (0 = none yet)
export const RESULT_STATUS = 48; //         i32: STATUS_*
export const RESULT_QUOTE_LINE = 56; //     i64: line (1-based, relative) of an unterminated quote
export const RESULT_QUOTE_BYTE = 64; //     i64: absolute offset of that quote
export const RESULT_FIRST_RECORD = 72; //   i64: absolute offset where counting began (-1 = never)
export const RESULT_STOP_POSITION = 80; //  i64: absolute offset of the first record at/after stop (-1 = EOF)
export const RESULT_BYTES = 88; //          i64: bytes fed
export const RESULT_HEADER_FIELDS = 96; //  i64: fields in the header record (0 = none)
export const RESULT_LINES_AT_FIRST = 104; // i64: LF bytes consumed before counting began
export const RESULT_GROUP_COUNT = 112; //   i64: groups in the table
export const RESULT_GROUP_CAPACITY = 120; // i64: entries of the table (a power of two) at CONFIG_GROUP_BASE
export const RESULT_GROUP_ARENA = 128; //   i64: address of the key arena (right after the table)
export const RESULT_GROUP_NEED = 136; //    i64: with STATUS_GROUPS_FULL, the group limit the kernel needs
export const RESULT_PROFILE_FAILED = 144; // i32: 1 when memory could not grow for the profile (it is incomplete)

export const STATUS_OK = 0;
export const STATUS_UNTERMINATED_QUOTE = 1;
export const STATUS_STOPPED = 2; // reached the stop offset: feed nothing more
export const STATUS_GROUPS_FULL = 3; // the group region is full: raise CONFIG_GROUP_LIMIT to RESULT_GROUP_NEED, call again

// Groups (--by): an open-addressing table of GROUP_ENTRY_SIZE-byte entries at CONFIG_GROUP_BASE
// (tag u32: the hash's low 24 bits and min(L, 255) above them; key offset u32 in the arena; records
// i64, 0 = empty; the key's first 16 bytes, zero-padded, as two u64), then the key arena. A key in
// the arena: u32 L, L bytes (the key fields, unquoted, in field order), one u32 length per key field.
export const GROUP_ENTRY_SIZE = 32;
export const GROUP_INITIAL_CAPACITY = 512;

// sum and stats by key: after a group's key in the arena, one GROUP_COLUMN_SIZE block per slot.
// The common case (exact numbers whose sums and squares fit 64 bits at one decimal scale) stays in
// it; anything else widens the column into a wide block (GROUP_WIDE_SIZE bytes) in the arena (a slot's layout, of
// which only OUTSIDE, SHIFT, FSUM, FDEV, FSQ, SUMS and SQUARES are used): the column's sums are the
// compact ones plus the wide block's.
export const GROUP_COLUMN_SIZE = 80;
export const GC_COUNT = 0; //    i64: numbers
export const GC_INVALID = 8; //  i64: invalid fields
export const GC_MIN = 16; //     f64 (Infinity: none)
export const GC_MAX = 24; //     f64 (-Infinity: none)
export const GC_SUM = 32; //     i64: sum of the compact numbers' signed mantissas, in units of 10^scale
export const GC_SQUARES = 40; // i64: sum of their squares, in units of 10^(2 scale) (with FLAG_SQUARES)
export const GC_SCALE = 48; //   i32: the compact sums' decimal exponent; GC_SCALE_NONE before the first
export const GC_WIDE = 52; //    u32: arena offset of the column's wide block; 0: none
export const GC_INVALID_AT = 56; // u32: arena offset of the first invalid field; 0: none
export const GC_FORMS = 60; //   i32: FORM_* bits of its numbers
export const GC_MIN_LENGTH = 64; // i64: as SLOT_MIN_LENGTH
export const GC_MAX_LENGTH = 72; // i64
export const GC_SCALE_NONE = 2147483647;
export const GROUP_WIDE_SIZE = 3072; // SLOT_SIZE
// the first invalid field of a group's column, in the arena: line i64 (1-based, relative to the
// scan start), bytes seen i32, bytes kept i32 (<= INVALID_CAPTURE), the kept bytes
export const GROUP_INVALID_HEADER = 16;

export const NUMBER_TEXT_OFFSET = 73728;
export const NUMBER_TEXT_CAPACITY = 4096;
export const MAX_KEPT_DIGITS = 800; // digits past the 19th kept for exact rounding (768 suffice)

export const KERNEL_SCRATCH_OFFSET = 77824; // NUMBER_TEXT_OFFSET + NUMBER_TEXT_CAPACITY; the host never touches it
export const KERNEL_SCRATCH_SIZE = 53248; //   up to COLUMN_MAP_OFFSET

export const COLUMN_MAP_OFFSET = 131072;
export const MAX_FIELDS = 65536;

export const SLOTS_OFFSET = 262144;
export const MAX_SLOTS = 2048;
export const SLOT_SIZE = 3072;
export const SLOT_COUNT = 0;
export const SLOT_INVALID = 16;
export const SLOT_OUTSIDE = 24;
export const SLOT_MIN = 32;
export const SLOT_MAX = 40;
export const SLOT_FSUM = 48;
export const SLOT_FSUM_COMP = 56;
export const SLOT_FSQ = 64;
export const SLOT_FSQ_COMP = 72;
export const SLOT_INVALID_LINE = 80;
export const SLOT_INVALID_LENGTH = 88;
export const SLOT_INVALID_SEEN = 92;
export const SLOT_INVALID_BYTES = 96;
export const INVALID_CAPTURE = 64;
export const SLOT_SHIFT = 160;
export const SLOT_FDEV = 168;
export const SLOT_FDEV_COMP = 176;
export const SLOT_MIN_LENGTH = 184;
export const SLOT_MAX_LENGTH = 192;
export const SLOT_FORMS = 200;
export const SLOT_DISTINCT_TABLE = 204; //    u32: address of the exact set (0: none yet, or over the limit)
export const SLOT_DISTINCT_CAPACITY = 208; // u32: its entries (a power of two), DISTINCT_ENTRY_SIZE bytes each
export const SLOT_DISTINCT_COUNT = 212; //    u32: hashes in it
export const SLOT_DISTINCT_OVER = 216; //     i32: 1 once more than DISTINCT_EXACT_LIMIT distinct values were seen
export const SLOT_HLL = 220; //               u32: address of HLL_REGISTERS u8 registers (0: none yet, all zero)
export const SLOT_NEGATIVE_BUCKETS = 224; //  u32: address of i64 counts of negative numbers by magnitude key (0: none)
export const SLOT_POSITIVE_BUCKETS = 236; //  the same for positive numbers
export const BUCKETS_FIRST = 4; //            i32 after the address: the key of counts[0]
export const BUCKETS_LENGTH = 8; //           i32: keys held (a power of two)
export const SLOT_ZEROS = 248; //             i64: numbers equal to zero (+0 or -0)
/** a number's form, for the column's type: a '.' (decimal), an exponent (float) */
export const FORM_DECIMAL = 1;
export const FORM_FLOAT = 2;
export const SLOT_SUMS = 256;
export const SUM_EXP_MIN = -35;
export const SUM_BUCKETS = 53;
export const SLOT_SQUARES = 1104;
export const SQ_EXP_MIN = -70;
export const SQ_BUCKETS = 123;

// The column profile. A value's hash is MurmurHash3_x86_128 (seed 0) of its bytes after unquoting:
// words h1..h4. The exact set holds them as 16-byte entries (h1, h2, h3, h4 | 2^31: never all zero),
// at index h1 & (capacity - 1), probing linearly; the HyperLogLog register of a value is h2 >>> 18,
// its rank clz32(h3) + 1. A number's bucket key: for |x| a normal double with biased exponent E and
// mantissa bits M, ((E + 51) << 8) | (M >>> 44); a subnormal's is that of x * 2^64 less 64 << 8.
// Key k covers [2^(e-1023) (1 + j/256), 2^(e-1023) (1 + (j+1)/256)), e = (k >> 8) - 51, j = k & 255.
export const DISTINCT_EXACT_LIMIT = 100000;
export const DISTINCT_ENTRY_SIZE = 16;
export const DISTINCT_INITIAL_CAPACITY = 1024;
export const DISTINCT_MAX_CAPACITY = 131072;
export const HLL_PRECISION = 14;
export const HLL_REGISTERS = 16384;
export const QUANTILE_SUB_BITS = 8;
export const QUANTILE_KEYS = 537344; // (2047 + 52) << 8: bucket arrays stay below it; Infinity's key is (2047 + 51) << 8, none above
export const QUANTILE_INITIAL_KEYS = 512;
export const PROFILE_BLOCK_MIN = 4096; // heap blocks are powers of two of at least this many bytes

export const WINDOW_OFFSET = 6553600; // SLOTS_OFFSET + MAX_SLOTS * SLOT_SIZE
export const DEFAULT_WINDOW = 1048576;
export const WINDOW_SLACK = 64; // readable bytes past the window: the kernel loads whole 8- or 32-byte blocks
export const PAGE_SIZE = 65536;
