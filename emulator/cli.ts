// `npm run emulator` — starts the local ARM emulator and prints how to connect to it; runs until Ctrl+C.
import * as path from 'node:path';
import { credentialEnvironment, extensionSettings } from './connection';
import { startEmulator } from './index';
import type { EmulatorOptions, FaultSettings, RunningEmulator } from './types';

const USAGE = `Usage: node out/emulator/cli.js [options]

  --port N                   listen on 127.0.0.1:N (default: a free port)
  --fixture FILE             instance fixture JSON (default: emulator/fixtures/demo-instance.json)
  --extra-named-values N     add N generated named values to the first service
  --extra-apis N             add N generated APIs (two operations each) to the first service
  --cert-dir DIR             where to write ca.pem (default: a temp dir)
  --client-secret SECRET     fixed service-principal secret (default: random per start)
  --lro-duration-ms N        how long refreshSecret stays InProgress (default 300)
  --latency-ms N             fault: delay every ARM response by N ms
  --throttle-rate R          fault: probability 0..1 of 429 TooManyRequests
  --retry-after S|none       fault: Retry-After seconds on 429s (default: header omitted)
  --server-error-rate R      fault: probability 0..1 of 500/503
  --drop-rate R              fault: probability 0..1 of a dropped connection
  --malformed-rate R         fault: probability 0..1 of a corrupted 200 body
  --seed N                   seed for reproducible fault rolls
  --quiet                    do not log each request
  --help                     show this text
`;

function parseArgs(argv: string[]): EmulatorOptions {
  const options: EmulatorOptions = { quiet: false };
  const faults: FaultSettings = {};
  const number = (flag: string, raw: string | undefined): number => {
    const n = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (flag) {
      case '--help': case '-h': process.stdout.write(USAGE); process.exit(0); break;
      case '--port': options.port = number(flag, next()); break;
      case '--fixture': options.fixture = path.resolve(next() ?? ''); break;
      case '--extra-named-values': options.extraNamedValues = number(flag, next()); break;
      case '--extra-apis': options.extraApis = number(flag, next()); break;
      case '--cert-dir': options.certDir = path.resolve(next() ?? ''); break;
      case '--client-secret': options.clientSecret = next(); break;
      case '--lro-duration-ms': options.lroDurationMs = number(flag, next()); break;
      case '--latency-ms': faults.latencyMs = number(flag, next()); break;
      case '--throttle-rate': faults.throttleRate = number(flag, next()); break;
      case '--retry-after': {
        const v = next();
        faults.retryAfterSeconds = v === 'none' ? null : number(flag, v);
        break;
      }
      case '--server-error-rate': faults.serverErrorRate = number(flag, next()); break;
      case '--drop-rate': faults.dropRate = number(flag, next()); break;
      case '--malformed-rate': faults.malformedRate = number(flag, next()); break;
      case '--seed': faults.seed = number(flag, next()); break;
      case '--quiet': options.quiet = true; break;
      default: throw new Error(`unknown option '${flag}'\n\n${USAGE}`);
    }
  }
  options.faults = faults;
  return options;
}

/**
 * The connection details a client needs, in the forms people paste: the
 * extension's own settings (custom cloud + environment service principal +
 * the CA file + the demo instance) and the environment variables to start
 * VS Code with. Nothing emulator-specific: the same settings reach Azure Stack
 * or a private cloud.
 */
export function connectionInstructions(emu: RunningEmulator): string {
  const settings = extensionSettings(emu);
  const servicePrincipalSettings = {
    'apimPolicy.auth': 'servicePrincipal',
    'apimPolicy.servicePrincipal.tenantId': emu.tenantId,
    'apimPolicy.servicePrincipal.clientId': emu.clientId,
  };
  const env = [
    ...Object.entries(credentialEnvironment(emu)).map(([name, value]) => `${name}=${value}`),
    `NODE_EXTRA_CA_CERTS=${emu.caFile}`,
    `AZURE_AUTHORITY_HOST=${emu.url}`,
    `AZURE_RESOURCE_MANAGER_ENDPOINT=${emu.url}`,
  ];
  return [
    `APIM ARM emulator listening on ${emu.url}  (ARM endpoint and authority host)`,
    '',
    `  tenant id        ${emu.tenantId}`,
    `  client id        ${emu.clientId}`,
    `  client secret    ${emu.clientSecret}`,
    `  subscription     ${emu.subscriptionId}`,
    `  demo instance    ${emu.instanceId}`,
    `  CA certificate   ${emu.caFile}`,
    '',
    'VS Code settings (settings.json):',
    JSON.stringify(settings, null, 2),
    '',
    'Environment variables (start VS Code from a shell that exports them; "apimPolicy.auth": "environment" reads',
    'the first three; NODE_EXTRA_CA_CERTS can replace apimPolicy.extraCaCertificates; the last two serve other',
    'Azure SDK clients):',
    ...env.map((e) => `  export ${e}`),
    '',
    'Without environment variables, use a stored service principal instead: replace "apimPolicy.auth" with',
    JSON.stringify(servicePrincipalSettings, null, 2),
    `and run "APIM Policy: Set Service Principal Secret" with the client secret above (start the emulator with`,
    '--client-secret to keep it across restarts).',
    '',
    `Control endpoints: ${emu.url}/_emulator/{state,requests,faults,reset,vaults/<vault>[/secrets/<secret>],policies}`,
    `Change a policy behind the editor's back (the next save from the editor meets 412):`,
    `  curl --cacert ${emu.caFile} -X POST ${emu.url}/_emulator/policies -H 'content-type: application/json' -d '{"scope":"apis/orders-api"}'`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const emu = await startEmulator(options);
  process.stdout.write(connectionInstructions(emu));
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping emulator...\n');
    emu.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
