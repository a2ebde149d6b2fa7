/**
 * Writing results so that nothing is lost: paths are checked for writability before any training, and
 * every file (or directory of files) is written beside its target under a temporary name, then renamed
 * over it, so a full disk, a crash or Ctrl-C never leaves a broken file where a good one was.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Throws a sentence when `file` could not be written (missing or read-only directory, a directory in its place). */
export function checkWritableFile(file: string, what: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new Error(`cannot write ${what} ${file}: the directory ${dir} does not exist`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new Error(`cannot write ${what} ${file}: it is a directory`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    if (fs.existsSync(file)) fs.accessSync(file, fs.constants.W_OK);
  } catch {
    throw new Error(`cannot write ${what} ${file}: permission denied`);
  }
}

/** Throws a sentence when directory `dir` could not be created or replaced. */
export function checkWritableDir(dir: string, what: string): void {
  const parent = path.dirname(path.resolve(dir));
  if (!fs.existsSync(parent)) throw new Error(`cannot write ${what} ${dir}: the directory ${parent} does not exist`);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new Error(`cannot write ${what} ${dir}: a file of that name exists`);
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    throw new Error(`cannot write ${what} ${dir}: permission denied`);
  }
}

const temporary = (p: string) => path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.tmp`);

/** Write `bytes` to `file` atomically: a temporary file beside it, then a rename over it. */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = temporary(file);
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`could not write ${file}: ${(e as Error).message}`);
  }
}

/**
 * Write a set of files into `dir` as a whole: all into a temporary directory beside it, then swapped in
 * (an existing `dir` is moved aside first and removed only after the new one is in place).
 */
export function writeDirAtomic(dir: string, files: Record<string, Uint8Array | string>): void {
  const tmp = temporary(dir);
  const old = `${tmp}.old`;
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp);
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(tmp, name), data);
    const replacing = fs.existsSync(dir);
    if (replacing) fs.renameSync(dir, old);
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      if (replacing) fs.renameSync(old, dir);
      throw e;
    }
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`could not write ${dir}: ${(e as Error).message}`);
  }
}
