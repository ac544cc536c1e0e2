// Side-by-side A/B of gateway variants in one `npm run bench` run (#20): each NAME=GITREF is
// compiled from that commit's src/, sandbox/ and schema/ (TypeScript transpile, as the bench builds
// the gateway) into node_modules/.cache/bench-variants/NAME/, and gets a "node binary" there that
// the bench's `--node PATH` runs: it answers `--version` with `<node version>-NAME` (so the report
// labels the variant) and starts that variant's main.js instead of the checkout's, with the same
// node flags. The checkout itself is the bench's own "this gateway".
//
//   npx tsx scripts/bench-variants.ts base=main jit=HEAD~1
//   npm run bench -- --node node_modules/.cache/bench-variants/base.node --node …/jit.node
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE = join(ROOT, 'node_modules/.cache/bench-variants');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function build(name: string, ref: string): string {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`variant name: letters, digits, . _ - (${name})`);
  const out = join(CACHE, name);
  const tree = join(CACHE, `${name}.src`);
  rmSync(out, { recursive: true, force: true });
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const folders = ['src', 'sandbox', 'schema'].filter(
    (dir) => execFileSync('git', ['ls-tree', '--name-only', ref, dir], { cwd: ROOT }).length > 0,
  );
  const archive = execFileSync('git', ['archive', ref, ...folders], { cwd: ROOT });
  execFileSync('tar', ['-x', '-C', tree], { input: archive });
  for (const file of sources(tree).filter((f) => !f.startsWith(join(tree, 'schema')))) {
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    const target = join(out, file.slice(tree.length + 1).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  cpSync(join(tree, 'schema'), join(out, 'schema'), { recursive: true });
  rmSync(tree, { recursive: true, force: true });
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT })
    .toString()
    .trim();
  const launcher = join(CACHE, `${name}.node`);
  writeFileSync(
    launcher,
    `#!/usr/bin/env bash
# Variant ${name} = ${ref} (${commit}), built by scripts/bench-variants.ts.
if [ "$1" = --version ]; then echo "$(${process.execPath} --version)-${name}"; exit 0; fi
args=()
for a in "$@"; do
  case "$a" in */src/main.js) a=${join(out, 'src/main.js')} ;; esac
  args+=("$a")
done
exec ${process.execPath} "\${args[@]}"
`,
  );
  chmodSync(launcher, 0o755);
  return `${name}: ${ref} (${commit}) → ${launcher}`;
}

for (const arg of process.argv.slice(2)) {
  const [name, ref] = arg.split('=');
  if (name === undefined || ref === undefined) throw new Error(`expected NAME=GITREF, got ${arg}`);
  process.stdout.write(`${build(name, ref)}\n`);
}
