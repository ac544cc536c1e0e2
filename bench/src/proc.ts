// CPU time and peak resident memory of a process, from /proc (Linux), read from outside so the
// figures are the process's own and cost it nothing.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

/** User + system CPU time so far, in ms (10 ms resolution). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

function statusKb(pid: number, key: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  return line === undefined ? NaN : Number(/\d+/.exec(line)?.[0]);
}

/** Resident set now (VmRSS) in MB. */
export function rssMb(pid: number): number {
  return statusKb(pid, 'VmRSS') / 1024;
}

/** Peak resident set (VmHWM) in MB, since start or since the last resetPeakRss. */
export function peakRssMb(pid: number): number {
  return statusKb(pid, 'VmHWM') / 1024;
}

/**
 * Restarts the peak-RSS high-water mark at the current RSS (clear_refs "5", Linux ≥ 4.0), so each
 * measurement reports its own peak. False when not allowed: the peak is then since start.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The parent pid of every process (field 4 of /proc/<pid>/stat). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      out.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone since the listing.
    }
  }
  return out;
}

/** The command lines of a process and all its descendants: what runs in the measured tree. */
export function processTree(pid: number): string[] {
  const cmdline = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      return `(pid ${p} gone)`;
    }
  };
  const parentOf = parents();
  const out: string[] = [];
  const walk = (p: number, depth: number) => {
    out.push(`${'  '.repeat(depth)}${cmdline(p)}`);
    for (const [child, parent] of parentOf) if (parent === p) walk(child, depth + 1);
  };
  walk(pid, 0);
  return out;
}
