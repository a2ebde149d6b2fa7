/**
 * The Markdown of the repository (README.md, docs/, bench/RESULTS.md and any other .md that git tracks
 * or would track): every relative link resolves to a file, every #anchor to a heading of its target
 * (GitHub's slugs), and the README stays a short front door. Plain Node: no GPU, no build.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const README_MAX_LINES = 400;
/** Never walked when git is not there to list the files (build outputs, dependencies, local results). */
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.vite', '.devbench', 'artifacts', 'results', 'shared']);

/** Every Markdown file git tracks or would track (untracked but not ignored), relative to ROOT. */
function markdownFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.md'], { cwd: ROOT, encoding: 'utf8' });
    return [...new Set(out.split('\0').filter((f) => f !== '' && fs.existsSync(path.join(ROOT, f))))].sort();
  } catch {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(rel);
        } else if (e.name.endsWith('.md')) found.push(rel);
      }
    };
    walk('');
    return found.sort();
  }
}

/**
 * GitHub's heading anchor (github-slugger): lowercase; drop every character that is not a letter, a
 * mark, a decimal or letter number, a connector (`_`), a hyphen or a space; then each space becomes a
 * hyphen (runs are not collapsed: "a = b" → "a--b").
 */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/**
 * The text a heading renders to: inline code keeps its content as written; outside it links keep their
 * text and HTML tags vanish.
 */
function headingText(raw: string): string {
  return raw
    .replace(/\s+#+\s*$/, '') // closing hashes
    .split(/(`+[^`]*`+)/)
    .map((part, i) =>
      i % 2 === 1
        ? part.replace(/^`+|`+$/g, '')
        : part.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<\/?[a-z][\w-]*(\s[^>]*)?>/gi, ''),
    )
    .join('')
    .trim();
}

interface Parsed {
  /** Anchors of the file's headings, duplicates suffixed -1, -2, … as GitHub does. */
  anchors: Set<string>;
  /** Link targets outside code, with the line they are on. */
  links: Array<{ target: string; line: number }>;
}

/** Headings and links of a Markdown file, skipping fenced code blocks and inline code spans. */
function parse(text: string): Parsed {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const links: Parsed['links'] = [];
  let fence: string | null = null;
  text.split('\n').forEach((line, i) => {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!.repeat(f[1]!.length);
      else if (f[1]!.startsWith(fence)) fence = null;
      return;
    }
    if (fence !== null) return;
    const h = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line);
    if (h) {
      const base = slug(headingText(h[1]!));
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    const prose = line.replace(/(`+)[\s\S]*?\1/g, '');
    for (const m of prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line: i + 1 });
  });
  return { anchors, links };
}

/**
 * What is wrong with each relative link of the given files: "file:line → target: why". `extra` holds
 * pages that exist only in memory (the test's own broken examples), beside the repository's files.
 */
function brokenLinks(files: string[], extra: ReadonlyMap<string, string> = new Map()): string[] {
  const cache = new Map<string, Parsed>();
  const parsed = (rel: string) => {
    if (!cache.has(rel)) cache.set(rel, parse(extra.get(rel) ?? fs.readFileSync(path.join(ROOT, rel), 'utf8')));
    return cache.get(rel)!;
  };
  const problems: string[] = [];
  for (const file of files) {
    for (const { target, line } of parsed(file).links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // http(s), mailto: not checked
      const where = `${file}:${line} → ${target}`;
      const hash = target.indexOf('#');
      const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
      const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
      if (pathPart === '' && anchor === null) {
        problems.push(`${where}: empty link`);
        continue;
      }
      const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
      if (resolved.startsWith('../') || path.posix.isAbsolute(resolved)) {
        problems.push(`${where}: outside the repository`);
        continue;
      }
      const abs = path.join(ROOT, resolved);
      if (!extra.has(resolved) && !fs.existsSync(abs)) {
        problems.push(`${where}: no such file (${resolved})`);
        continue;
      }
      if (anchor === null) continue;
      if (!resolved.endsWith('.md') || (!extra.has(resolved) && fs.statSync(abs).isDirectory())) {
        problems.push(`${where}: an anchor into something that is not a Markdown file`);
        continue;
      }
      if (!parsed(resolved).anchors.has(anchor)) problems.push(`${where}: no heading "#${anchor}" in ${resolved}`);
    }
  }
  return problems;
}

describe('the Markdown documentation', () => {
  const files = markdownFiles();

  it('finds the README, every docs/ page and the benchmark results', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('bench/RESULTS.md');
    for (const page of ['api', 'cli', 'elements', 'architecture', 'verification']) expect(files).toContain(`docs/${page}.md`);
    expect(files.filter((f) => f.split('/').includes('node_modules'))).toEqual([]);
  });

  it("every relative link resolves to a file, and every #anchor to a heading of its target", () => {
    expect(brokenLinks(files)).toEqual([]);
  });

  it(`the README is a front door: at most ${README_MAX_LINES} lines, and it links to every docs/ page`, () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
    const linked = new Set(parse(readme).links.map((l) => l.target.split('#')[0]));
    for (const page of files.filter((f) => f.startsWith('docs/') || f === 'bench/RESULTS.md')) expect(linked, page).toContain(page);
  });

  it("GitHub's slug rule, and the checker catches a missing file, a missing heading and a duplicate's suffix", () => {
    expect(slug('One training step = one command encoder, one submit')).toBe('one-training-step--one-command-encoder-one-submit');
    expect(slug(headingText("Text generation: TF.js's own example, and sampling speed"))).toBe('text-generation-tfjss-own-example-and-sampling-speed');
    expect(slug(headingText('`<lstm-forecaster>`'))).toBe('lstm-forecaster');
    expect(slug(headingText('2026-11-26 20:19–20:29 UTC: the real workload'))).toBe('2026-11-26-20192029-utc-the-real-workload');
    expect(slug(headingText('Layers: any LSTM model (Keras-style)'))).toBe('layers-any-lstm-model-keras-style');
    expect(slug(headingText('snake_case and [a link](x.md)'))).toBe('snake_case-and-a-link');
    const { anchors, links } = parse('# A\n\n## A\n\n```md\n# not a heading [x](nowhere.md)\n```\n\nsee `[y](code.md)` and [z](other.md#b)\n');
    expect([...anchors]).toEqual(['a', 'a-1']);
    expect(links.map((l) => l.target)).toEqual(['other.md#b']);
    // The checker on a page held in memory beside the README (nothing is written): it must report each
    // kind of broken link and pass the good ones.
    const scratch = 'docs/scratch.md';
    const page =
      '# Scratch\n\n[ok](../README.md) [ok](#scratch) [ok](api.md#data) [ok](../bench/RESULTS.md#bundle-sizes) [web](https://example.com/#nothing)\n' +
      '[gone](no-such-page.md) [bad anchor](../README.md#no-such-heading) [bad here](#nothing-here) [out](../../x.md)\n';
    const problems = brokenLinks([scratch], new Map([[scratch, page]]));
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/no-such-page\.md: no such file \(docs\/no-such-page\.md\)/);
    expect(problems[1]).toMatch(/README\.md#no-such-heading: no heading "#no-such-heading" in README\.md/);
    expect(problems[2]).toMatch(/#nothing-here: no heading "#nothing-here" in docs\/scratch\.md/);
    expect(problems[3]).toMatch(/\.\.\/\.\.\/x\.md: outside the repository/);
  });
});
