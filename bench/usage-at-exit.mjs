// Preloaded (`node --import`) into a measured child: at exit it writes the process's own peak RSS and CPU time to the
// file named by DGMON_BENCH_USAGE_FILE, so the benchmark reads the child's figures, not its own.
import { writeFileSync } from 'node:fs';

const file = process.env.DGMON_BENCH_USAGE_FILE;
if (file) {
  process.once('exit', () => {
    const u = process.resourceUsage();
    // maxRSS is in kilobytes; CPU times in microseconds.
    writeFileSync(file, JSON.stringify({ maxRssBytes: u.maxRSS * 1024, userCpuS: u.userCPUTime / 1e6, systemCpuS: u.systemCPUTime / 1e6 }));
  });
}
