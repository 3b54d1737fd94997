// Names of the environment variables the driver (environment.ts) hands to the editor process and
// the in-host suites read (support/host.ts). Kept import-free: the suites load it in the extension host.

export const ENV = {
  /** https://127.0.0.1:<port> of the emulator serving the demo instance (ARM, authority and /_emulator control). */
  emulatorUrl: 'APIM_TEST_EMULATOR_URL',
  /** PEM file of that emulator's certificate. */
  emulatorCa: 'APIM_TEST_EMULATOR_CA',
  /** The emulator serving the demo instance plus 10,000 generated named values (optional). */
  bigEmulatorUrl: 'APIM_TEST_BIG_EMULATOR_URL',
  bigEmulatorCa: 'APIM_TEST_BIG_EMULATOR_CA',
  /** Id of the extension under test. */
  extensionId: 'APIM_EXTENSION_ID',
} as const;

export const REAL_EXTENSION_ID = 'apim-policy-studio.apim-policy-studio';

/** Every secret value in the emulator's demo fixture starts with this, so leaks are easy to search for. */
export const SECRET_MARKER = 'SECRET-DO-NOT-LEAK-';
