#!/usr/bin/env node
// postinstall: patch @riaskov/mmap-io for what csvscan needs from a mapping, then rebuild it.
//
// 1. 64-bit sizes and offsets. The binding reads map()'s size and offset (and advise()/sync()'s
//    offset and length) with Nan::To<int>: a mapping is at most 2 GiB - 4 KiB, an offset >= 2 GiB
//    fails, and an offset of 4 GiB silently maps offset 0.
// 2. A guarded copy. Reading a mapped page past the end of a file truncated during the scan raises
//    SIGBUS, which Node cannot catch: the process dies. copy() catches it in C++ and returns false.
//
// The script patches the installed C++ source (idempotently: a marker comment says it is done),
// rebuilds the addon with node-gyp into the directory node-pre-gyp loads it from, and checks that
// `require('@riaskov/mmap-io')` now returns the patched build (CSVSCAN_PATCH) and that both
// patches work. The package is an optional dependency: where it cannot be built (no C/C++
// compiler), or this script cannot patch it, the install still succeeds, csvscan reads files
// instead of mapping them, and says why once on stderr.
//
// Usage: node scripts/patch-mmap-io.mjs [--force]   (--force rebuilds even when up to date)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@riaskov/mmap-io';
const PATCH_MARKER = '// csvscan-patch: 64-bit size/offset, guarded copy v2';
/** What the built addon exports as CSVSCAN_PATCH; src/io/mmap-binding.ts accepts only this version. */
const PATCH_VERSION = 2;
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');

/** Never fails the install: csvscan works without the addon (it reads instead of mapping). */
function fail(message, detail) {
  if (detail) process.stderr.write(`${detail.trimEnd().split('\n').slice(-20).join('\n')}\n`);
  process.stderr.write(`patch-mmap-io: ${message}\n` +
    'patch-mmap-io: csvscan will read files instead of mapping them (as with --io read)\n');
  process.exit(0);
}

/** Each edit replaces text that must occur exactly once in the pristine source. */
const EDITS = [
  {
    what: 'map(): size and offset as int64',
    from: `    const size_t    size            = static_cast<size_t>(get_v<int>(info[0]));`,
    to: `    ${PATCH_MARKER}: read size and offset as int64 (Nan::To<int> capped them at 2 GiB
    // and wrapped an offset of 4 GiB to 0).
    const int64_t   size_arg        = get_v<int64_t>(info[0]);
    const int64_t   offset_arg      = get_v<int64_t>(info[4], 0);
    if (size_arg <= 0)   return Nan::ThrowError("mmap: size (arg[0]) must be a positive integer");
    if (offset_arg < 0)  return Nan::ThrowError("mmap: offset (arg[4]) must be a non-negative integer");
    const size_t    size            = static_cast<size_t>(size_arg);`,
  },
  {
    what: 'map(): offset from the int64 read',
    from: `    const size_t    offset          = static_cast<size_t>(get_v<int>(info[4], 0));`,
    to: `    const off_t     offset          = static_cast<off_t>(offset_arg);`,
  },
  {
    what: 'advise(): offset and length as int64, bounded by the buffer',
    from: `            int offset = get_v<int>(info[1], 0);
            int length = get_v<int>(info[2], 0);
            int advise = get_v<int>(info[3], 0);
            return do_mmap_advice(data + offset, length, advise);`,
    to: `            const int64_t offset = get_v<int64_t>(info[1], 0);
            const int64_t length = get_v<int64_t>(info[2], 0);
            int advise = get_v<int>(info[3], 0);
            // A range outside the buffer could advise (e.g. MADV_DONTNEED) someone else's memory.
            if (offset < 0 || length < 0 || static_cast<uint64_t>(offset) + static_cast<uint64_t>(length) > size) {
                errno = EINVAL;
                return -1;
            }
            return do_mmap_advice(data + offset, static_cast<size_t>(length), advise);`,
  },
  {
    what: 'sync(): offset and length as int64, bounded by the buffer',
    from: `    int             offset          = get_v<int>(info[1], 0);
    size_t          length          = get_v<int>(info[2], 0);`,
    to: `    const int64_t   offset          = get_v<int64_t>(info[1], 0);
    const int64_t   length_arg      = get_v<int64_t>(info[2], 0);
    if (offset < 0 || length_arg < 0
        || static_cast<uint64_t>(offset) + static_cast<uint64_t>(length_arg) > node::Buffer::Length(buf)) {
        return Nan::ThrowError("sync(): offset/length outside the buffer");
    }
    size_t          length          = static_cast<size_t>(length_arg);`,
  },
  {
    what: 'export CSVSCAN_PATCH and copy(), and install the SIGBUS handler',
    from: `    set_fn_prop("map", mmap_map);`,
    to: `    set_int_prop("CSVSCAN_PATCH", ${PATCH_VERSION});
    csvscan_install_sigbus_handler();

    set_fn_prop("map", mmap_map);
    set_fn_prop("copy", mmap_copy);`,
  },
  {
    what: 'copy(): a memcpy out of a mapping that survives the file shrinking under it',
    from: `NAN_MODULE_INIT(Init) {`,
    to: `// A mapped page past the end of a file that was truncated raises SIGBUS on access, which kills
// the process. copy() is the only way csvscan reads a mapping: it arms a per-thread jump target,
// and the SIGBUS handler jumps back to it, so the copy reports failure instead. A SIGBUS outside
// copy() goes to whatever handled it before (by default: the process dies, as without the handler).
#ifndef _WIN32
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <atomic>
#include <mutex>

// volatile, and fenced below: the compiler sees no reader of it and would drop the store
// before memcpy, leaving the handler nothing to jump to.
static thread_local sigjmp_buf* volatile csvscan_copy_target = nullptr;
static struct sigaction csvscan_previous_sigbus;
static std::once_flag csvscan_sigbus_once;

static void csvscan_on_sigbus(int signal_number, siginfo_t* signal_info, void* context) {
    sigjmp_buf* target = csvscan_copy_target;
    if (target != nullptr) {
        csvscan_copy_target = nullptr;
        siglongjmp(*target, 1);
    }
    if (csvscan_previous_sigbus.sa_flags & SA_SIGINFO) {
        if (csvscan_previous_sigbus.sa_sigaction != nullptr) {
            csvscan_previous_sigbus.sa_sigaction(signal_number, signal_info, context);
            return;
        }
    } else if (csvscan_previous_sigbus.sa_handler != SIG_DFL && csvscan_previous_sigbus.sa_handler != SIG_IGN) {
        csvscan_previous_sigbus.sa_handler(signal_number);
        return;
    }
    // Default disposition: restore it; a faulting access then faults again and dies as it would
    // have, and a signal sent with kill() is raised again.
    sigaction(SIGBUS, &csvscan_previous_sigbus, nullptr);
    if (signal_info == nullptr || signal_info->si_code <= 0) raise(signal_number);
}

static void csvscan_install_sigbus_handler() {
    std::call_once(csvscan_sigbus_once, []() {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = csvscan_on_sigbus;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        sigaction(SIGBUS, &action, &csvscan_previous_sigbus);
    });
}

/** memcpy that returns false, instead of dying, when the source pages are gone. */
static bool csvscan_guarded_memcpy(char* destination, const char* source, size_t length) {
    sigjmp_buf target;
    if (sigsetjmp(target, 1) != 0) return false;
    csvscan_copy_target = &target;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    memcpy(destination, source, length);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    csvscan_copy_target = nullptr;
    return true;
}
#else
static void csvscan_install_sigbus_handler() {}
static bool csvscan_guarded_memcpy(char* destination, const char* source, size_t length) {
    memcpy(destination, source, length);
    return true;
}
#endif

// copy(mapping :Buffer, from :int, to :int, destination :Uint8Array, at :int) -> bool:
// mapping[from, to) into destination[at, ...); false when the mapped file no longer holds them.
JS_FN(mmap_copy) {
    if (info.Length() != 5 || !node::Buffer::HasInstance(info[0]) || !info[1]->IsNumber()
        || !info[2]->IsNumber() || !info[3]->IsUint8Array() || !info[4]->IsNumber()) {
        return Nan::ThrowTypeError("copy() takes (mapping :Buffer, from :int, to :int, destination :Uint8Array, at :int)");
    }
    const char*   mapping         = node::Buffer::Data(info[0]);
    const size_t  mapping_length  = node::Buffer::Length(info[0]);
    const int64_t from            = get_v<int64_t>(info[1]);
    const int64_t to              = get_v<int64_t>(info[2]);
    const int64_t at              = get_v<int64_t>(info[4]);
    Nan::TypedArrayContents<char> destination(info[3]);
    if (from < 0 || to < from || static_cast<uint64_t>(to) > mapping_length || at < 0
        || static_cast<uint64_t>(at) + static_cast<uint64_t>(to - from) > destination.length()) {
        return Nan::ThrowRangeError("copy(): range outside the mapping or the destination");
    }
    const bool copied = csvscan_guarded_memcpy(*destination + at, mapping + from, static_cast<size_t>(to - from));
    info.GetReturnValue().Set(copied);
}

NAN_MODULE_INIT(Init) {`,
  },
];

/** Returns true when it changed the file, false when it was already patched. */
function patchSource(sourcePath) {
  const original = fs.readFileSync(sourcePath, 'utf8');
  if (original.includes(PATCH_MARKER)) return false;
  if (original.includes('csvscan-patch')) {
    fail(`${sourcePath} holds an older csvscan patch; reinstall the package: ` +
      `rm -rf node_modules/${PACKAGE} && npm install`);
  }
  // The published source has CRLF line ends; match and write in whatever the file uses.
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const withEol = (text) => text.replaceAll('\n', eol);
  let patched = original;
  for (const edit of EDITS) {
    const from = withEol(edit.from);
    const occurrences = patched.split(from).length - 1;
    if (occurrences !== 1) {
      fail(`${sourcePath}: cannot apply "${edit.what}": expected text found ${occurrences} times ` +
        `(unexpected ${PACKAGE} version? this patch is written for 1.4.3)`);
    }
    patched = patched.replace(from, () => withEol(edit.to));
  }
  // Write beside and rename, so an interrupted run never leaves a half-written source.
  const temporary = `${sourcePath}.csvscan-tmp`;
  fs.writeFileSync(temporary, patched);
  fs.renameSync(temporary, sourcePath);
  return true;
}

/**
 * What a fresh process gets from require(PACKAGE): whether it is the patched build, whether a
 * mapping at offset 4 GiB really reads the file there (a sparse temporary file; null when the
 * temporary directory cannot hold one), and whether copy() from a page the file no longer has
 * returns false instead of dying of SIGBUS.
 */
function probeLoadedBinding() {
  const probe = `
    const fs = require('fs'), os = require('os'), path = require('path');
    const mmap = require(${JSON.stringify(PACKAGE)});
    const result = { patched: mmap.CSVSCAN_PATCH === ${PATCH_VERSION}, offset4GiB: null, guardedCopy: null };
    const withTemporaryFile = (suffix, use) => {
      const file = path.join(os.tmpdir(), 'csvscan-mmap-probe-' + process.pid + suffix);
      const fd = fs.openSync(file, 'w+');
      try { use(fd); } finally { fs.closeSync(fd); fs.unlinkSync(file); }
    };
    if (result.patched) {
      withTemporaryFile('-offset', (fd) => {
        try {
          const FOUR_GIB = 2 ** 32;
          fs.ftruncateSync(fd, FOUR_GIB + mmap.PAGESIZE);
          fs.writeSync(fd, Buffer.from('at zero!'), 0, 8, 0);
          fs.writeSync(fd, Buffer.from('at 4GiB!'), 0, 8, FOUR_GIB);
          const view = mmap.map(mmap.PAGESIZE, mmap.PROT_READ, mmap.MAP_SHARED, fd, FOUR_GIB);
          result.offset4GiB = view.toString('latin1', 0, 8) === 'at 4GiB!';
        } catch (error) {
          if (!['EFBIG', 'ENOSPC', 'EINVAL', 'EDQUOT'].includes(error.code)) throw error;
        }
      });
      withTemporaryFile('-truncated', (fd) => {
        fs.writeSync(fd, Buffer.alloc(2 * mmap.PAGESIZE, 120), 0, 2 * mmap.PAGESIZE, 0);
        const view = mmap.map(2 * mmap.PAGESIZE, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0);
        const destination = new Uint8Array(mmap.PAGESIZE);
        const whole = mmap.copy(view, 0, mmap.PAGESIZE, destination, 0);
        fs.ftruncateSync(fd, 0);
        const gone = mmap.copy(view, mmap.PAGESIZE, 2 * mmap.PAGESIZE, destination, 0);
        result.guardedCopy = whole === true && destination[0] === 120 && gone === false;
      });
    }
    process.stdout.write(JSON.stringify(result));`;
  const run = spawnSync(process.execPath, ['-e', probe], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (run.status !== 0) return { error: `${run.stderr}${run.stdout}${run.signal ? `killed by ${run.signal}` : ''}` };
  return JSON.parse(run.stdout);
}

/** The node-gyp npm runs scripts with, else the package's own dependency, else npm's bundled one. */
function findNodeGyp(packageRequire) {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(packageRequire.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed beside the package; try npm's own
  }
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm',
    'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((candidate) => candidate && fs.existsSync(candidate));
  if (!found) fail('node-gyp not found (neither npm_config_node_gyp, nor node-gyp beside the package, nor npm\'s)');
  return found;
}

/**
 * Headers of the running node, so node-gyp never downloads them: npm passes its `nodedir` config,
 * else the install prefix of this node if its headers match its version.
 */
function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  try {
    const header = fs.readFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => header.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
    if (`${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === process.versions.node) return prefix;
  } catch {
    // no local headers: node-gyp falls back to its cache (or a download)
  }
  return undefined;
}

function rebuild(packageDir, packageRequire) {
  // The same lookup dist/mmap-io.js does, so the build lands where require() will look.
  const nodePreGyp = packageRequire('@mapbox/node-pre-gyp');
  const modulePath = nodePreGyp.find(path.join(packageDir, 'package.json'));
  const nodeGyp = findNodeGyp(packageRequire);
  const nodeDir = findNodeDir();
  const args = [
    nodeGyp, 'rebuild',
    `--module=${modulePath}`,
    `--module_name=${path.basename(modulePath, '.node')}`,
    `--module_path=${path.dirname(modulePath)}`,
    ...(nodeDir ? [`--nodedir=${nodeDir}`] : []),
  ];
  const run = spawnSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) {
    fail(`node-gyp rebuild in ${packageDir} exited with ${run.status ?? run.signal}`, `${run.stdout}${run.stderr}`);
  }
  if (!fs.existsSync(modulePath)) fail(`node-gyp succeeded but ${modulePath} does not exist`);
  return modulePath;
}

function main() {
  const projectRequire = createRequire(path.join(PROJECT_ROOT, 'package.json'));
  let packageJsonPath;
  try {
    packageJsonPath = projectRequire.resolve(`${PACKAGE}/package.json`);
  } catch {
    fail(`${PACKAGE} is not installed under ${PROJECT_ROOT}/node_modules (it is optional: its build needs a C/C++ compiler)`);
  }
  const packageDir = path.dirname(packageJsonPath);
  const packageRequire = createRequire(packageJsonPath);
  const sourcePath = path.join(packageDir, 'src', 'mmap-io.cc');
  if (!fs.existsSync(sourcePath)) fail(`${sourcePath} is missing: cannot patch ${PACKAGE}`);

  const sourceChanged = patchSource(sourcePath);
  if (!sourceChanged && !force) {
    const loaded = probeLoadedBinding();
    if (loaded.patched && loaded.offset4GiB !== false && loaded.guardedCopy === true) {
      process.stdout.write(`patch-mmap-io: ${PACKAGE} already patched for 64-bit offsets and built; nothing to do\n`);
      return;
    }
  }

  const modulePath = rebuild(packageDir, packageRequire);
  const loaded = probeLoadedBinding();
  if (loaded.error) fail(`the rebuilt ${PACKAGE} does not load`, loaded.error);
  if (!loaded.patched) fail(`require('${PACKAGE}') does not load the rebuilt ${modulePath}`);
  if (loaded.offset4GiB === false) fail(`the rebuilt ${modulePath} still maps offset 4 GiB wrongly`);
  if (loaded.guardedCopy !== true) fail(`the rebuilt ${modulePath} does not survive reading a truncated mapping`);
  const checked = loaded.offset4GiB ? ', checked a mapping at offset 4 GiB' : '';
  process.stdout.write(`patch-mmap-io: ${sourceChanged ? 'patched' : 'source already patched,'} ` +
    `${path.relative(PROJECT_ROOT, sourcePath)} for 64-bit size/offset and a guarded copy, and rebuilt ` +
    `${path.relative(PROJECT_ROOT, modulePath)}${checked}\n`);
}

main();
