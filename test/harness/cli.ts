// Shared plumbing of the harness's command-line entry points (integrationMain, electron,
// test/integration/run): flags, and the closing "N passed, N failed" contract.

/** The value after `--name` on the command line, if given. */
export function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/**
 * Runs an entry point and exits with its code. A crash still ends with the
 * "0 passed, 1 failed" line that callers and CI logs look for.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      console.log('0 passed, 1 failed');
      process.exit(1);
    },
  );
}
