import { parseOptions, usage, UsageError } from './options.ts';
import { colorWanted, renderHuman, renderJson } from './report.ts';
import { runDoctor } from './run.ts';

/** 0: nothing failed (warnings allowed); 1: a check failed; 2: the command line was wrong. */
async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`forum-api-doctor: ${error.message}\n\n${usage}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const report = await runDoctor(options);
  process.stdout.write(options.json ? renderJson(report) : renderHuman(report, { color: colorWanted(process.stdout, process.env) }));
  return report.verdict === 'fail' ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
