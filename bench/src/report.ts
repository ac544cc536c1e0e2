// The run's results: raw JSON, a markdown report, an SVG chart, all in bench/results/; README.md
// only with --update-readme.
import type { Dataset } from '../../sandbox/index.js';
import type { QueryName } from './dataset.js';
import type { UpstreamTally } from './ipc.js';
import { KIND_LABELS } from './kinds.js';
import { findCell, idOf, total, type BenchResults, type Phase } from './model.js';
import { QUERY_INFO, QUERY_NOTES, queryText } from './queries.js';
import { README_MARKERS, updateReadme } from './readme.js';
import { chart, floorMs } from './chart.js';
import { json, writeResults } from './results.js';
import { fmt, ratio } from './stats.js';
import { targets, targetsTable, type Target } from './targets.js';

function upstreamCell(t: UpstreamTally | undefined): string {
  if (t === undefined) return '–';
  const parts = `${t.users} users${t.vcard > 0 ? ` + ${t.vcard} vcard` : ''}`;
  return `${total(t)} (${parts}; ${t.distinct} distinct)`;
}

function phaseTable(results: BenchResults, phase: Phase): string[] {
  const rows: string[] = [
    '| query | system | req/s | this gateway ÷ system (req/s) | p50 ms | p99 ms | p50 ÷ floor | upstream req/query | CPU ms/query | CPU (cores) | peak RSS MB | simulators CPU (cores) | failed |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const ours = idOf(results, 'ours');
  for (const q of results.queries) {
    const mine = findCell(results, phase.latencyMs, phase.connections, q, ours);
    for (const s of results.systems) {
      const c = findCell(results, phase.latencyMs, phase.connections, q, s.id);
      if (c === undefined) continue;
      const floor = floorMs(q, phase.latencyMs);
      rows.push(
        `| ${q} | ${s.label} | ${fmt(c.requestsPerSec)} | ${fmt(ratio(mine?.requestsPerSec, c.requestsPerSec), 2)} | ${fmt(c.p50Ms)} | ${fmt(c.p99Ms)} | ${floor === 0 ? '—' : fmt(c.p50Ms / floor, 2)} | ${fmt(total(results.upstream[q][s.id]), 0)} | ${fmt(c.cpuMsPerQuery, 2)} | ${fmt(c.cpuUtilisation, 2)} | ${fmt(c.peakRssMb, 0)} | ${fmt(c.simulatorCpuUtilisation, 2)} | ${c.failures} |`,
      );
    }
  }
  return rows;
}

/** The figures of one system for one query that every comparison shows. */
function figures(results: BenchResults, q: QueryName, id: string | undefined) {
  const fast = findCell(results, 0, 16, q, id);
  const slow = findCell(results, 20, 1, q, id);
  return [
    { name: 'CPU ms/query (0 ms, 16 clients)', value: fast?.cpuMsPerQuery, digits: 2 },
    { name: 'req/s (0 ms, 16 clients)', value: fast?.requestsPerSec, digits: 1 },
    { name: 'p50 ms (20 ms, 1 client)', value: slow?.p50Ms, digits: 1 },
    {
      name: 'peak RSS MB (these cells)',
      value:
        fast === undefined && slow === undefined
          ? undefined
          : Math.max(fast?.peakRssMb ?? 0, slow?.peakRssMb ?? 0),
      digits: 0,
    },
  ];
}

/** Every figure of this gateway, and its ratio to each other system's in the same run. */
function ratioTable(results: BenchResults): string[] {
  const ours = idOf(results, 'ours');
  // Systems on the bench's own node; the other runtimes have their own table.
  const others = results.systems.filter((s) => s.id !== ours && s.id === s.kind);
  const rows = [
    `| query | figure | this gateway | ${others.map((s) => `÷ ${s.label}`).join(' | ')} |`,
    `|---|---|---:|${others.map(() => '---:|').join('')}`,
  ];
  for (const q of results.queries) {
    const mine = figures(results, q, ours);
    const theirs = others.map((s) => figures(results, q, s.id));
    mine.forEach((f, i) => {
      const cells = theirs.map((t) => fmt(ratio(f.value, t[i]?.value), 2));
      rows.push(`| ${q} | ${f.name} | ${fmt(f.value, f.digits)} | ${cells.join(' | ')} |`);
    });
  }
  return rows;
}

/** Each system that ran on more than one node binary, its runtimes side by side. */
function runtimeTable(results: BenchResults): string[] {
  const kinds = [...new Set(results.systems.map((s) => s.kind))];
  const groups = kinds
    .map((kind) => results.systems.filter((s) => s.kind === kind))
    .filter((group) => group.length > 1);
  const width = Math.max(0, ...groups.map((g) => g.length));
  if (width === 0) return [];
  const rows = [
    `| system | query | figure | ${Array.from({ length: width }, (_, i) => (i === 0 ? 'this node' : `other node ${i}`)).join(' | ')} | ${Array.from({ length: width - 1 }, (_, i) => `other ${i + 1} ÷ this`).join(' | ')} |`,
    `|---|---|---|${'---:|'.repeat(2 * width - 1)}`,
  ];
  for (const group of groups) {
    const [base] = group;
    if (base === undefined) continue;
    const name = `${KIND_LABELS[base.kind]} (${group.map((g) => g.node.version).join(' / ')})`;
    const row = (q: string, figure: string, values: (number | undefined)[], digits: number) => {
      const first = values[0];
      rows.push(
        `| ${name} | ${q} | ${figure} | ${values.map((v) => fmt(v, digits)).join(' | ')} | ${values
          .slice(1)
          .map((v) => fmt(ratio(v, first), 2))
          .join(' | ')} |`,
      );
    };
    const serving = group.filter((v) => v.notStarted === undefined);
    for (const v of group) {
      if (v.notStarted !== undefined)
        rows.push(`| ${v.label} | – | did not serve | ${v.notStarted} |`);
    }
    if (serving.length < 2) continue;
    for (const q of results.queries) {
      const all = group.map((v) => figures(results, q, v.id));
      if (all.every((a) => a.every((f) => f.value === undefined))) continue;
      (all[0] ?? []).forEach((f, i) =>
        row(
          q,
          f.name,
          all.map((a) => a[i]?.value),
          f.digits,
        ),
      );
    }
    row(
      '–',
      'idle RSS MB',
      group.map((v) => v.idleRssMb),
      0,
    );
    row(
      '–',
      'RSS after the run MB',
      group.map((v) => v.rssAfterRunMb),
      0,
    );
    for (const v of group) {
      if (v.notStarted !== undefined)
        rows.push(`| ${v.label} | – | did not serve | ${v.notStarted} |`);
    }
  }
  return rows;
}

function memoryTable(results: BenchResults): string[] {
  return [
    '| system | node | idle RSS MB (started, before load) | peak RSS MB (any cell) | RSS MB after the run | process tree |',
    '|---|---|---:|---:|---:|---|',
    ...results.systems.map((s) => {
      if (s.notStarted !== undefined) {
        return `| ${s.label} | ${s.node.version} | did not serve: ${s.notStarted.replace(/\|/g, '\\|')} | | | |`;
      }
      const peak = Math.max(
        ...results.cells.filter((c) => c.system === s.id).map((c) => c.peakRssMb),
      );
      const tree = s.processTree.map((l) => `\`${l.trim().replace(/\|/g, '\\|')}\``).join('<br>');
      return `| ${s.label} | ${s.node.version} | ${fmt(s.idleRssMb, 0)} | ${fmt(peak, 0)} | ${fmt(s.rssAfterRunMb, 0)} | ${tree} |`;
    }),
  ];
}

function markdown(results: BenchResults, dataset: Dataset, list: readonly Target[]): string {
  const m = results.meta;
  const runtimes = runtimeTable(results);
  const lines: string[] = [
    '# Gateway benchmark',
    '',
    `Generated by \`npm run bench${m.mode === 'quick' ? ' -- --quick' : ''}\` on ${m.date} (commit ${m.commit}), Node ${m.node}, ${m.cpu}; load average ${m.loadAverageBefore.join(' / ')} before, ${m.loadAverageAfter.join(' / ')} after (the machine is shared: absolute figures are noisy, ratios measured side by side in this run are the point).`,
    `Mode **${m.mode}**: each cell is ${m.rounds} round${m.rounds === 1 ? '' : 's'} of ${m.secondsPerCell} s, each after ${m.warmupSecondsPerCell} s of warm-up at the same concurrency; rounds and systems interleaved (the order rotates per query and round); ${m.totalSeconds} s in all.`,
    '',
    `This gateway: ${m.gatewayBuild}.`,
    '',
    '## Targets (issue #20; upstream counts: issue #9)',
    '',
    ...targetsTable(list),
    '',
    '## This gateway as a ratio to each system (same run)',
    '',
    'Each figure of this gateway, divided by the same figure of the other system: above 1 this gateway spends more CPU, serves more req/s, waits longer or holds more memory. The floors serve Q1 and Q2 only.',
    '',
    ...ratioTable(results),
    '',
    ...(runtimes.length === 0
      ? []
      : [
          '## Node.js runtimes side by side (same run, `--node`)',
          '',
          'The same compiled code on each node binary, in the same run, interleaved with the others.',
          '',
          ...runtimes,
          '',
        ]),
    '## Memory',
    '',
    ...memoryTable(results),
    '',
    '## Upstream requests per query',
    '',
    `Counted in the simulators’ request log, one query at a time, after warm-up, 3 times: ${results.upstreamVaried.length === 0 ? 'identical each time' : `the counts varied for ${results.upstreamVaried.join('; ')} (the last is shown)`}.`,
    '',
    `| query | floor (dependent round trips) | ${results.systems.map((s) => s.label).join(' | ')} |`,
    `|---|---:|${results.systems.map(() => '---|').join('')}`,
    ...results.queries.map(
      (q) =>
        `| ${q} | ${QUERY_INFO[q].floorRoundTrips} | ${results.systems.map((s) => upstreamCell(results.upstream[q][s.id])).join(' | ')} |`,
    ),
    '',
  ];
  for (const phase of results.phases) {
    lines.push(
      `## ${phase.latencyMs} ms upstream latency, ${phase.connections} concurrent client${phase.connections === 1 ? '' : 's'} (${phase.purpose})`,
      '',
      ...phaseTable(results, phase),
      '',
    );
  }
  lines.push(
    'Columns: req/s = completed queries per second; p50/p99 = latency seen by the load generator; floor = dependent upstream round trips × upstream latency; upstream req/query from the exact count above; CPU ms/query = the system process’s user + system CPU time (from /proc) during the cell ÷ completed queries; CPU (cores) = that CPU time ÷ wall time; peak RSS = the process’s high-water mark during the cell' +
      (m.peakRssPerCell ? ' (reset before each cell)' : ' (since start: it could not be reset)') +
      '; simulators CPU = the same for the simulator process (near 1.0 it may be what limits throughput); failed = transport errors, non-2xx answers and answers unlike the checked one.',
    '',
    '## Answers',
    '',
    'Each system’s answer to each query was checked once against the dataset before the load: the expected users in order, their extensions and DIDs, and (Q2) a vCard exactly where the vcard API has one.',
    '',
    `| query | ${results.systems.map((s) => s.label).join(' | ')} |`,
    `|---|${results.systems.map(() => '---|').join('')}`,
    ...results.queries.map(
      (q) =>
        `| ${q} | ${results.systems.map((s) => results.parity[q][s.id]?.summary ?? '–').join(' | ')} |`,
    ),
    '',
    ...setup(results),
    '## Queries',
    '',
  );
  const kinds = [...new Set(results.systems.map((s) => s.kind))];
  for (const q of results.queries) {
    lines.push(`### ${q}: ${QUERY_INFO[q].title}`, '');
    for (const kind of kinds) {
      const system = results.systems.find((s) => s.kind === kind);
      if (system === undefined || results.parity[q][system.id] === undefined) continue;
      const note = QUERY_NOTES[q][kind];
      const language = kind === 'raw' ? 'json' : 'graphql';
      lines.push(
        `- ${system.label}${note ? ` (${note})` : ''}:`,
        '',
        `  \`\`\`${language}`,
        `  ${abbreviate(queryText(q, kind, dataset))}`,
        '  ```',
        '',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function setup(results: BenchResults): string[] {
  const env = Object.entries(results.meta.gatewayEnv);
  return [
    '## Set-up',
    '',
    '- **Simulators**: `sandbox/` (both upstreams) in their own process, on 127.0.0.1, with the sandbox accounts plus account 1004 of 5,000 generated users; latency added to every request.',
    `- **this gateway**: ${results.meta.gatewayBuild}; \`NODE_ENV=production\`, service tokens, cross-request cache off (\`CACHE_TTL_MS=0\`), default limits${env.length > 0 ? `, plus ${env.map(([k, v]) => `\`${k}=${v}\``).join(', ')}` : ''}. With \`--node PATH\`, the same build again on that node binary.`,
    '- **floor: bare Yoga + undici** (`bench/floors/yoga.ts`): graphql-yoga with its defaults and no plugins, a schema of exactly what Q1 and Q2 select, resolvers calling the simulators on undici pools (one vCard call per user), the project’s vCard mapping (`src/vcard`); no validation, DataLoader, breakers, limits or observability.',
    '- **floor: node:http + undici** (`bench/floors/raw.ts`): no GraphQL; a plain JSON request answered with Q1’s or Q2’s JSON built by hand from the same upstream calls and mapping.',
    '- **naive gateway** (`bench/naive/server.ts`): the same SDL on graphql-yoga, one `fetch` per field that needs one, no DataLoader, offset cursors and the naive page mapping of `bench/planner.ts`.',
    '- **Mesh / Hive Gateway** (`bench/mesh/`): composed with `@graphql-mesh/compose-cli` + `@omnigraph/openapi` from the simulators’ `/openapi.json`, served by `@graphql-hive/gateway-runtime` with its defaults (its dependencies live in `bench/node_modules`, so it alone runs through tsx).',
    '- The floors and the naive gateway are compiled by tsc like this gateway (`bench/src/build.ts`) and run on plain node.',
    '- **Load**: `bench/src/load.ts` in the parent process: a closed loop of N clients on keep-alive connections (undici), each sending the next query when its answer is read; no query starts after the cell’s time is up and every started one is waited for.',
    '',
  ];
}

/** Q3 on Mesh has 100 aliased fields: show two. */
function abbreviate(query: string): string {
  const match = /^(query Q3 \{ u0: .*? \} \} \} \} \} )(u1: .*? \} \} \} \} \} )u2:/.exec(query);
  return match ? `${match[1]}${match[2]}… u99: … }` : query;
}

export function writeReports(
  results: BenchResults,
  options: { dataset: Dataset; updateReadme: boolean },
): void {
  const list = targets(results);
  writeResults({
    'gateway.json': json({ ...results, targets: list }),
    'gateway.md': markdown(results, options.dataset, list),
    'gateway.svg': chart(results),
  });
  process.stdout.write(
    `\n${targetsTable(list).join('\n')}\n\n${ratioTable(results).join('\n')}\n\n`,
  );
  const runtimes = runtimeTable(results);
  if (runtimes.length > 0) process.stdout.write(`${runtimes.join('\n')}\n\n`);
  if (options.updateReadme) {
    process.stdout.write(
      updateReadme(results, list)
        ? 'updated the Performance section of README.md\n'
        : `README.md has no ${README_MARKERS} block: not updated\n`,
    );
  }
}
