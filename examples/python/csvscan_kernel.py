"""The csvscan kernel ABI from Python (docs/kernel-abi.md): its constants, a kernel instance driven
through wasmtime (configure, scan in windows, finish) and the header record read by the ABI's rules.
examples/python/csvscan_host.py turns what it reads into csvscan's results.
"""

import wasmtime

# ---- the ABI (docs/kernel-abi.md; a test checks these against assembly/layout.ts) ----------------
LAYOUT_VERSION = 9
PAGE_SIZE = 65536
CONFIG_OFFSET = 65536
CONFIG_DELIMITER = 0
CONFIG_QUOTE = 4
CONFIG_FLAGS = 8
CONFIG_SLOT_COUNT = 12
CONFIG_MAPPED_FIELDS = 16
CONFIG_START_OFFSET = 32
CONFIG_PROFILE_BASE = 56
CONFIG_KEY_COUNT = 20
CONFIG_GROUP_BASE = 24
CONFIG_GROUP_LIMIT = 28
CONFIG_KEY_FIELDS = 256
MAX_KEYS = 64
FLAG_HEADER = 1
FLAG_SQUARES = 2
FLAG_DISTINCT = 8
FLAG_QUANTILES = 16
RESULTS_OFFSET = 69632
RESULT_RECORDS = 0
RESULT_SHORT = 16
RESULT_LONG = 24
RESULT_MAX_FIELDS = 32
RESULT_QUOTE_LINE = 56
RESULT_QUOTE_BYTE = 64
RESULT_BYTES = 88
RESULT_GROUP_COUNT = 112
RESULT_GROUP_CAPACITY = 120
RESULT_GROUP_ARENA = 128
RESULT_GROUP_NEED = 136
RESULT_PROFILE_FAILED = 144
STATUS_UNTERMINATED_QUOTE = 1
STATUS_GROUPS_FULL = 3
GROUP_ENTRY_SIZE = 32
GROUP_COLUMN_SIZE = 80
GC_COUNT = 0
GC_INVALID = 8
GC_MIN = 16
GC_MAX = 24
GC_SUM = 32
GC_SQUARES = 40
GC_SCALE = 48
GC_WIDE = 52
GC_INVALID_AT = 56
GC_FORMS = 60
GC_MIN_LENGTH = 64
GC_MAX_LENGTH = 72
GC_SCALE_NONE = 2147483647
GROUP_WIDE_SIZE = 3072
GROUP_INVALID_HEADER = 16
COLUMN_MAP_OFFSET = 131072
MAX_FIELDS = 65536
SLOTS_OFFSET = 262144
MAX_SLOTS = 2048
SLOT_SIZE = 3072
SLOT_COUNT = 0
SLOT_INVALID = 16
SLOT_OUTSIDE = 24
SLOT_MIN = 32
SLOT_MAX = 40
SLOT_FSUM = 48
SLOT_FSUM_COMP = 56
SLOT_FSQ = 64
SLOT_FSQ_COMP = 72
SLOT_INVALID_LINE = 80
SLOT_INVALID_LENGTH = 88
SLOT_INVALID_BYTES = 96
SLOT_SHIFT = 160
SLOT_FDEV = 168
SLOT_FDEV_COMP = 176
SLOT_MIN_LENGTH = 184
SLOT_MAX_LENGTH = 192
SLOT_FORMS = 200
SLOT_DISTINCT_TABLE = 204
SLOT_DISTINCT_CAPACITY = 208
SLOT_DISTINCT_COUNT = 212
SLOT_DISTINCT_OVER = 216
SLOT_HLL = 220
SLOT_NEGATIVE_BUCKETS = 224
SLOT_POSITIVE_BUCKETS = 236
BUCKETS_FIRST = 4
BUCKETS_LENGTH = 8
SLOT_ZEROS = 248
FORM_DECIMAL = 1
FORM_FLOAT = 2
SLOT_SUMS = 256
SUM_EXP_MIN = -35
SUM_BUCKETS = 53
SLOT_SQUARES = 1104
SQ_EXP_MIN = -70
SQ_BUCKETS = 123
DISTINCT_EXACT_LIMIT = 100000
DISTINCT_ENTRY_SIZE = 16
HLL_PRECISION = 14
HLL_REGISTERS = 16384
QUANTILE_KEYS = 537344
PROFILE_BLOCK_MIN = 4096
WINDOW_OFFSET = 6553600
DEFAULT_WINDOW = 1048576
WINDOW_SLACK = 64



class UsageError(Exception):
    """exit 2"""


class ProfileFailed(Exception):
    """exit 1: memory could not grow for the column profile, which is incomplete"""

    def __init__(self):
        super().__init__('memory could not grow for the column profile (--distinct, --quantiles)')


class Unterminated(Exception):
    """exit 1: the input ended inside a quoted field that opened at this line and byte"""

    def __init__(self, line, byte):
        super().__init__(f'line {line} (byte {byte}): quoted field never closed')


def i64(data, at):
    return int.from_bytes(data[at:at + 8], 'little', signed=True)


def i32(data, at):
    return int.from_bytes(data[at:at + 4], 'little', signed=True)


def u32(data, at):
    return int.from_bytes(data[at:at + 4], 'little')


def f64(data, at):
    return memoryview(data)[at:at + 8].cast('d')[0]


# ---- the kernel: instantiate, configure, scan in windows -----------------------------------------
_modules = {}


class Kernel:
    def __init__(self, path):
        engine, module = _modules.get(path) or (None, None)
        if module is None:
            engine = wasmtime.Engine()
            module = wasmtime.Module.from_file(engine, path)
            _modules[path] = (engine, module)
        self.store = wasmtime.Store(engine)
        linker = wasmtime.Linker(engine)
        number = wasmtime.FuncType([wasmtime.ValType.i32(), wasmtime.ValType.i32()], [wasmtime.ValType.f64()])
        # The text is ASCII digits, 'e' and a decimal exponent (no sign); float() rounds it to the
        # nearest double, inf on overflow and 0.0 on underflow, as the ABI asks.
        linker.define_func('env', 'parseNumberText', number,
                           lambda caller, pointer, length: float(caller['memory'].read(caller, pointer, pointer + length).decode('ascii')),
                           access_caller=True)
        exports = linker.instantiate(self.store, module).exports(self.store)
        self.memory = exports['memory']
        self.call = {name: exports[name] for name in ('layoutVersion', 'reset', 'scan', 'finish', '_start')}
        version = self.call['layoutVersion'](self.store)
        if version != LAYOUT_VERSION:
            raise UsageError(f'{path} has layout {version}, this host speaks {LAYOUT_VERSION}')
        self.call['_start'](self.store)

    def grow_for(self, window):
        self.grow_to(WINDOW_OFFSET + window + WINDOW_SLACK)  # the kernel reads whole blocks past the window
        # a group region, if any, starts after the window, 16-byte aligned
        self.group_base = (WINDOW_OFFSET + window + WINDOW_SLACK + 15) // 16 * 16
        # the profile's heap, if any, after the window too, at a multiple of PROFILE_BLOCK_MIN: the
        # kernel grows memory for it itself (memory.read and data_len always see the current memory)
        self.profile_base = -(-(WINDOW_OFFSET + window + WINDOW_SLACK) // PROFILE_BLOCK_MIN) * PROFILE_BLOCK_MIN

    def grow_to(self, needed):
        size = self.memory.data_len(self.store)
        if size < needed:
            self.memory.grow(self.store, -(-(needed - size) // PAGE_SIZE))

    def write(self, offset, data):
        self.memory.write(self.store, bytes(data), offset)

    def read(self, offset, length):
        return self.memory.read(self.store, offset, offset + length)

    def configure(self, delimiter, quote, flags, start, slot_of_field, key_fields=()):
        """slot_of_field: COLUMN_MAP entries [0, mapped); -1 for a field not accumulated. key_fields: the
        key's 0-based fields, ascending and distinct (none: no groups)."""
        config = bytearray(1024)  # zeroed: no stop offset, expected width from the first record, no groups
        if key_fields:
            # the group region: from after the window to a limit the kernel raises by STATUS_GROUPS_FULL
            limit = self.group_base + 65536
            self.grow_to(limit)
            config[CONFIG_KEY_COUNT:CONFIG_KEY_COUNT + 4] = len(key_fields).to_bytes(4, 'little')
            config[CONFIG_GROUP_BASE:CONFIG_GROUP_BASE + 4] = self.group_base.to_bytes(4, 'little')
            config[CONFIG_GROUP_LIMIT:CONFIG_GROUP_LIMIT + 4] = limit.to_bytes(4, 'little')
            for k, field in enumerate(key_fields):
                config[CONFIG_KEY_FIELDS + 4 * k:CONFIG_KEY_FIELDS + 4 * k + 4] = field.to_bytes(4, 'little')
        config[CONFIG_DELIMITER:CONFIG_DELIMITER + 4] = delimiter.to_bytes(4, 'little')
        config[CONFIG_QUOTE:CONFIG_QUOTE + 4] = quote.to_bytes(4, 'little')
        config[CONFIG_FLAGS:CONFIG_FLAGS + 4] = flags.to_bytes(4, 'little')
        slots = sum(1 for slot in slot_of_field if slot >= 0)
        config[CONFIG_SLOT_COUNT:CONFIG_SLOT_COUNT + 4] = slots.to_bytes(4, 'little')
        config[CONFIG_MAPPED_FIELDS:CONFIG_MAPPED_FIELDS + 4] = len(slot_of_field).to_bytes(4, 'little')
        config[CONFIG_START_OFFSET:CONFIG_START_OFFSET + 8] = start.to_bytes(8, 'little', signed=True)
        if flags & (FLAG_DISTINCT | FLAG_QUANTILES):  # the column profile (not with groups)
            config[CONFIG_PROFILE_BASE:CONFIG_PROFILE_BASE + 4] = self.profile_base.to_bytes(4, 'little')
        self.write(CONFIG_OFFSET, config)
        self.write(COLUMN_MAP_OFFSET, b''.join(slot.to_bytes(2, 'little', signed=True) for slot in slot_of_field))
        self.call['reset'](self.store)

    def feed(self, stream, window):
        """scan() window after window, then finish(); raises Unterminated."""
        while True:
            piece = stream.read(window)
            if not piece:
                break
            self.write(WINDOW_OFFSET, piece)
            # no stop offset: never STATUS_STOPPED
            self.until_groups_fit(lambda: self.call['scan'](self.store, len(piece)))
        if self.until_groups_fit(lambda: self.call['finish'](self.store)) == STATUS_UNTERMINATED_QUOTE:
            results = self.read(RESULTS_OFFSET, 128)
            raise Unterminated(i64(results, RESULT_QUOTE_LINE), i64(results, RESULT_QUOTE_BYTE))
        if i32(self.read(RESULTS_OFFSET + RESULT_PROFILE_FAILED, 4), 0):
            raise ProfileFailed()


    def until_groups_fit(self, call):
        """call() again, with the same length, while the group region is full: memory may simply grow."""
        while True:
            status = call()
            if status != STATUS_GROUPS_FULL:
                return status
            need = i64(self.read(RESULTS_OFFSET + RESULT_GROUP_NEED, 8), 0)
            self.grow_to(need)
            self.write(CONFIG_OFFSET + CONFIG_GROUP_LIMIT, need.to_bytes(4, 'little'))

    def groups(self, key_count, slot_count):
        """[(the key fields' bytes in field order, records, [column block and its arena records])]."""
        results = self.read(RESULTS_OFFSET, 256)
        capacity, arena = i64(results, RESULT_GROUP_CAPACITY), i64(results, RESULT_GROUP_ARENA)
        table = self.read(self.group_base, capacity * GROUP_ENTRY_SIZE)
        memory = self.read(arena, self.memory.data_len(self.store) - arena)
        found = []
        for entry in range(0, capacity * GROUP_ENTRY_SIZE, GROUP_ENTRY_SIZE):
            records = i64(table, entry + 8)
            if records == 0:  # an empty entry
                continue
            at = u32(table, entry + 4)
            length = u32(memory, at)
            data = bytes(memory[at + 4:at + 4 + length])
            fields, offset = [], 0
            for k in range(key_count):
                size = u32(memory, at + 4 + length + 4 * k)
                fields.append(data[offset:offset + size])
                offset += size
            blocks = at + 4 + length + 4 * key_count
            columns = []
            for slot in range(slot_count):
                block = bytes(memory[blocks + slot * GROUP_COLUMN_SIZE:blocks + (slot + 1) * GROUP_COLUMN_SIZE])
                wide, invalid = u32(block, GC_WIDE), u32(block, GC_INVALID_AT)
                first_invalid = None
                if invalid:
                    kept = i32(memory, invalid + 12)
                    kept_bytes = memory[invalid + GROUP_INVALID_HEADER:invalid + GROUP_INVALID_HEADER + kept]
                    first_invalid = (i64(memory, invalid), bytes(kept_bytes))  # line, kept bytes
                columns.append((block, bytes(memory[wide:wide + GROUP_WIDE_SIZE]) if wide else None, first_invalid))
            found.append((fields, records, columns))
        if len(found) != i64(results, RESULT_GROUP_COUNT):
            raise RuntimeError(f'read {len(found)} groups, the kernel counts {i64(results, RESULT_GROUP_COUNT)}')
        return found


# ---- the header: the first record after blank lines (docs/kernel-abi.md, "The header") ------------
LF, CR = 10, 13


def read_header(stream, start, delimiter, quote):
    """The header's names, [] when the input holds no record; raises Unterminated."""
    names, field = [], bytearray()
    state, line, offset, opened = 'blank', 1, start, (0, 0)

    def unquoted(byte):
        nonlocal state
        if byte == delimiter:
            names.append(bytes(field))
            field.clear()
            state = 'field'
        elif byte == LF:
            state = 'done'
        elif byte == CR:
            state = 'cr'
        else:
            field.append(byte)

    stream.seek(start)
    while state != 'done':
        chunk = stream.read(65536)
        if not chunk:
            break
        for byte in chunk:
            if state == 'blank' or state == 'field':
                if state == 'blank' and byte == LF:
                    line += 1
                elif state == 'blank' and byte == CR:
                    state = 'blank-cr'
                elif byte == quote:
                    state, opened = 'quoted', (line, offset)
                else:
                    state = 'unquoted'
                    unquoted(byte)
            elif state == 'blank-cr':
                if byte == LF:
                    line, state = line + 1, 'blank'
                else:  # a CR not before LF is data: the record starts with it
                    field.append(CR)
                    state = 'unquoted'
                    unquoted(byte)
            elif state == 'unquoted':
                unquoted(byte)
            elif state == 'quoted':
                if byte == quote:
                    state = 'quoted-quote'
                else:
                    line += byte == LF
                    field.append(byte)
            elif state == 'quoted-quote':
                if byte == quote:  # doubled: one quote
                    field.append(quote)
                    state = 'quoted'
                else:  # closed: what follows up to the delimiter or line end is appended
                    state = 'unquoted'
                    unquoted(byte)
            elif state == 'cr':
                if byte == LF:
                    state = 'done'
                else:
                    field.append(CR)
                    state = 'unquoted'
                    unquoted(byte)
            offset += 1
            if state == 'done':
                break
    if state == 'blank':
        return []
    if state == 'quoted':
        raise Unterminated(*opened)
    if state in ('blank-cr', 'cr'):  # a CR at the end of input is data
        field.append(CR)
    names.append(bytes(field))
    return [name.decode('utf-8', 'replace') for name in names]
