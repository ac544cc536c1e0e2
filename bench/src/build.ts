// The gateway runs in the bench as it runs in production: compiled JavaScript on plain node, with
// the node flags of the production start command, no npm and no tsx in its process tree.
//
// With a `build` script in package.json (`npm run build` → dist/src/main.js) that is what runs.
// Without one, TypeScript transpiles the same sources into node_modules/.cache/bench-build/ (there,
// the compiled files still resolve the project's node_modules and read ../schema/ as from dist/).
// The floors and the naive gateway are compiled the same way, so none of the compared systems
// carries a TypeScript loader.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './results.js';

const BUILD_DIR = join(ROOT, 'node_modules/.cache/bench-build');
const OUT = join(BUILD_DIR, 'out');
/**
 * Folders compiled here: the gateway (with top-level sandbox/ once it moves there), the floors, the
 * naive gateway and what they import.
 */
const COMPILED = ['src', 'sandbox', 'bench/floors', 'bench/naive', 'bench/src'];

export interface GatewayBuild {
  /** The gateway's compiled entry point. */
  gatewayEntry: string;
  /** Node flags of the production start command (none when it is not `node … main.js`). */
  nodeFlags: string[];
  /** How the gateway was built and started, for the report. */
  description: string;
  /** The compiled entry of a bench-side system (floors, naive). */
  compiled(source: string): string;
}

interface PackageJson {
  scripts?: Record<string, string>;
}

/** Every TypeScript file below `dir` (no node_modules). */
function sources(dir: string): string[] {
  // Not readdirSync's `recursive`: on Node 20 it fails on some trees (ENOTDIR on a file).
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Transpiles (no type check: `npm test` does that) file by file, as tsc would emit them: the
 * project's files are isolated modules with explicit `.js` imports, so each one stands alone.
 */
function compileHere(): void {
  rmSync(OUT, { recursive: true, force: true });
  const folders = COMPILED.filter((dir) => existsSync(join(ROOT, dir)));
  for (const file of folders.flatMap(sources)) {
    const output = ts.transpileModule(readFileSync(join(ROOT, file), 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        sourceMap: false,
      },
    });
    const target = join(OUT, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  // Read at run time relative to the compiled files, as from dist/.
  cpSync(join(ROOT, 'schema'), join(OUT, 'schema'), { recursive: true });
}

/** `node [flags] dist/src/main.js` → the flags; anything else (tsx, npm) → none. */
export function productionNodeFlags(start: string | undefined): string[] | undefined {
  const words = (start ?? '').trim().split(/\s+/);
  if (words[0] !== 'node') return undefined;
  const entry = words.findIndex((w) => w.endsWith('main.js'));
  return entry === -1 ? undefined : words.slice(1, entry);
}

export function buildGateway(): GatewayBuild {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  const start = pkg.scripts?.['start'];
  const flags = productionNodeFlags(start);
  process.stderr.write('compiling the floors and the naive gateway (TypeScript transpile)…\n');
  compileHere();
  const compiled = (source: string) => join(OUT, source.replace(/\.ts$/, '.js'));
  const startNote =
    flags === undefined
      ? `the start script (\`${start ?? 'none'}\`) is not \`node … main.js\`: no node flags taken from it`
      : `node flags of the start script: ${flags.length === 0 ? 'none' : flags.join(' ')}`;
  // Switches to the production build as soon as package.json has one.
  if (pkg.scripts?.['build'] !== undefined) {
    process.stderr.write('building the gateway (npm run build)…\n');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    return {
      gatewayEntry: join(ROOT, 'dist/src/main.js'),
      nodeFlags: flags ?? [],
      description: `\`npm run build\` → dist/src/main.js on plain node; ${startNote}`,
      compiled,
    };
  }
  return {
    gatewayEntry: compiled('src/main.ts'),
    nodeFlags: flags ?? [],
    description: `no \`npm run build\` yet: src/ transpiled by TypeScript (transpileModule, ES2022) into node_modules/.cache/bench-build, run on plain node; ${startNote}`,
    compiled,
  };
}
