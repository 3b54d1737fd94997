/**
 * Turns on the C# features of the shared test language service. The parser
 * loads asynchronously, so suites that need it call `enableCSharp()` in a
 * `before` hook (the unit layer's root hook does it for every suite).
 */
import { loadBundledCSharpParser } from '../../../server/src/csharpWasm';
import { languageService } from './cursor';

export async function enableCSharp(): Promise<void> {
  const service = languageService();
  if (!service.expressions.ready) service.setCSharpParser(await loadBundledCSharpParser());
}

/** Mocha root hook plugin (see .mocharc files): every suite runs with C# on. */
export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await enableCSharp();
  },
};
