#!/usr/bin/env node
// postinstall: make @riaskov/mmap-io take 64-bit sizes and offsets, then rebuild it.
//
// The binding reads map()'s size and offset (and advise()/sync()'s offset and length) with
// Nan::To<int>: a mapping is at most 2 GiB - 4 KiB, an offset >= 2 GiB fails, and an offset of
// 4 GiB silently maps offset 0. csvscan maps files of any size in segments, so it needs 64-bit
// offsets. This script patches the installed C++ source (idempotently: a marker comment says it is
// done), rebuilds the addon with node-gyp into the directory node-pre-gyp loads it from, and checks
// that `require('@riaskov/mmap-io')` now returns the patched build (it exports CSVSCAN_64BIT = 1).
//
// Usage: node scripts/patch-mmap-io.mjs [--force]   (--force rebuilds even when up to date)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@riaskov/mmap-io';
const PATCH_MARKER = '// csvscan-patch: 64-bit size/offset v1';
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');

function fail(message, detail) {
  if (detail) process.stderr.write(`${detail.trimEnd()}\n`);
  process.stderr.write(`patch-mmap-io: FAILED: ${message}\n`);
  process.exit(1);
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
    what: 'export CSVSCAN_64BIT so the loaded build can be told apart',
    from: `    set_fn_prop("map", mmap_map);`,
    to: `    set_int_prop("CSVSCAN_64BIT", 1);

    set_fn_prop("map", mmap_map);`,
  },
];

/** Returns true when it changed the file, false when it was already patched. */
function patchSource(sourcePath) {
  const original = fs.readFileSync(sourcePath, 'utf8');
  if (original.includes(PATCH_MARKER)) return false;
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
 * What a fresh process gets from require(PACKAGE): whether it is the patched build, and whether a
 * mapping at offset 4 GiB really reads the file there (a sparse temporary file; null when the
 * temporary directory cannot hold one).
 */
function probeLoadedBinding() {
  const probe = `
    const fs = require('fs'), os = require('os'), path = require('path');
    const mmap = require(${JSON.stringify(PACKAGE)});
    const result = { patched: mmap.CSVSCAN_64BIT === 1, offset4GiB: null };
    if (result.patched) {
      const file = path.join(os.tmpdir(), 'csvscan-mmap-probe-' + process.pid);
      const fd = fs.openSync(file, 'w+');
      try {
        const FOUR_GIB = 2 ** 32;
        fs.ftruncateSync(fd, FOUR_GIB + mmap.PAGESIZE);
        fs.writeSync(fd, Buffer.from('at zero!'), 0, 8, 0);
        fs.writeSync(fd, Buffer.from('at 4GiB!'), 0, 8, FOUR_GIB);
        const view = mmap.map(mmap.PAGESIZE, mmap.PROT_READ, mmap.MAP_SHARED, fd, FOUR_GIB);
        result.offset4GiB = view.toString('latin1', 0, 8) === 'at 4GiB!';
      } catch (error) {
        if (!['EFBIG', 'ENOSPC', 'EINVAL', 'EDQUOT'].includes(error.code)) throw error;
      } finally {
        fs.closeSync(fd);
        fs.unlinkSync(file);
      }
    }
    process.stdout.write(JSON.stringify(result));`;
  const run = spawnSync(process.execPath, ['-e', probe], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (run.status !== 0) return { error: `${run.stderr}${run.stdout}` };
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
    fail(`${PACKAGE} is not installed under ${PROJECT_ROOT}/node_modules (csvscan needs it for --io mmap)`);
  }
  const packageDir = path.dirname(packageJsonPath);
  const packageRequire = createRequire(packageJsonPath);
  const sourcePath = path.join(packageDir, 'src', 'mmap-io.cc');
  if (!fs.existsSync(sourcePath)) fail(`${sourcePath} is missing: cannot patch ${PACKAGE}`);

  const sourceChanged = patchSource(sourcePath);
  if (!sourceChanged && !force) {
    const loaded = probeLoadedBinding();
    if (loaded.patched && loaded.offset4GiB !== false) {
      process.stdout.write(`patch-mmap-io: ${PACKAGE} already patched for 64-bit offsets and built; nothing to do\n`);
      return;
    }
  }

  const modulePath = rebuild(packageDir, packageRequire);
  const loaded = probeLoadedBinding();
  if (loaded.error) fail(`the rebuilt ${PACKAGE} does not load`, loaded.error);
  if (!loaded.patched) fail(`require('${PACKAGE}') does not load the rebuilt ${modulePath}`);
  if (loaded.offset4GiB === false) fail(`the rebuilt ${modulePath} still maps offset 4 GiB wrongly`);
  const checked = loaded.offset4GiB ? ', checked a mapping at offset 4 GiB' : '';
  process.stdout.write(`patch-mmap-io: ${sourceChanged ? 'patched' : 'source already patched,'} ` +
    `${path.relative(PROJECT_ROOT, sourcePath)} for 64-bit size/offset and rebuilt ` +
    `${path.relative(PROJECT_ROOT, modulePath)}${checked}\n`);
}

main();
