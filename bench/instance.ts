/**
 * The instance part of `npm run bench`: loading an instance with 10,000 named values beside the demo's (101 pages)
 * from the emulator at 0, 100 and 200 ms of latency per request, with the parallel pager (the
 * default bound of 8) beside the sequential baseline (bound 1) in the same run. The emulator runs
 * in its own process, as ARM runs elsewhere.
 */
import { startEmulatorProcess } from './emulatorProcess';
import { createApimClient, createCredential, loadInstanceMetadata, resolveCloud, type GateStats } from '../client/src/azure';

interface LoadFigures {
  ms: number;
  requests: number;
  maxInFlight: number;
  namedValues: number;
}

export async function benchInstance(latencies: readonly number[] = [0, 100, 200]): Promise<void> {
  const emu = await startEmulatorProcess({ extraNamedValues: 10_000 });
  try {
    const options = {
      cloud: resolveCloud({ cloud: 'custom', customArmEndpoint: emu.url, customAuthorityHost: emu.url }),
      extraCaCertificates: [emu.caPem],
    };
    const credential = createCredential({
      kind: 'servicePrincipal',
      servicePrincipal: { tenantId: emu.tenantId, clientId: emu.clientId, clientSecret: emu.clientSecret },
      ...options,
    });
    const client = createApimClient(credential, emu.subscriptionId, options);
    const load = async (parallelRequests: number): Promise<LoadFigures> => {
      await emu.resetStats();
      let gate: GateStats | undefined;
      const started = performance.now();
      const { metadata } = await loadInstanceMetadata(client, emu.instanceId, { parallelRequests, onStats: (s) => (gate = s) });
      const ms = performance.now() - started;
      const served = await emu.stats();
      if (!gate || served.maxInFlight > parallelRequests) throw new Error(`the bound of ${parallelRequests} was exceeded: ${served.maxInFlight}`);
      return { ms, requests: served.requests, maxInFlight: served.maxInFlight, namedValues: metadata.namedValues.length };
    };
    const warm = await load(8); // warm up: token, TLS connections, JIT

    console.log(`\nInstance load: ${warm.namedValues.toLocaleString('en')} named values (${Math.ceil(warm.namedValues / 100)} pages of 100) plus backends, fragments, loggers … from the emulator.`);
    console.log('| latency per request | parallel (bound 8) | requests | most in flight | sequential (bound 1) | requests | speed-up |');
    console.log('|---|---|---|---|---|---|---|');
    for (const latencyMs of latencies) {
      await emu.setFaults({ latencyMs });
      const parallel = await load(8);
      const sequential = await load(1);
      if (parallel.namedValues !== sequential.namedValues) throw new Error('parallel and sequential loads disagree');
      console.log(
        `| ${latencyMs} ms | ${(parallel.ms / 1000).toFixed(2)} s | ${parallel.requests} | ${parallel.maxInFlight} | ` +
          `${(sequential.ms / 1000).toFixed(2)} s | ${sequential.requests} | ${(sequential.ms / parallel.ms).toFixed(1)}× |`,
      );
    }
  } finally {
    await emu.stop();
  }
}
