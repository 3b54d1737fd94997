/**
 * Azure cloud endpoints. The well-known clouds are fixed; `custom` (Azure
 * Stack Hub, private clouds, the local emulator) takes both endpoints from
 * settings. Public endpoint values: https://learn.microsoft.com/azure/azure-government/documentation-government-developers-guide
 * and https://learn.microsoft.com/azure/china/resources-developer-guide.
 */
import { AzureAccessError } from './errors';

export type CloudName = 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment' | 'custom';

export const CLOUD_NAMES: readonly CloudName[] = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment', 'custom'];

export interface CloudSettings {
  cloud: CloudName;
  /** Required when `cloud` is `custom`, e.g. `https://management.local.azurestack.external`. */
  customArmEndpoint?: string;
  /** Required when `cloud` is `custom`, e.g. `https://login.local.azurestack.external/adfs`. */
  customAuthorityHost?: string;
}

export interface ResolvedCloud {
  name: CloudName;
  /** ARM endpoint without trailing slash. */
  armEndpoint: string;
  /** Microsoft Entra authority host without trailing slash. */
  authorityHost: string;
  /** Token scope for ARM: `<armEndpoint>/.default`. */
  armScope: string;
  portalUrl?: string;
  /**
   * Instance discovery asks login.microsoftonline.com whether the authority is
   * known; a custom authority would fail that check, so it is switched off.
   */
  disableInstanceDiscovery: boolean;
}

const WELL_KNOWN: Record<Exclude<CloudName, 'custom'>, { armEndpoint: string; authorityHost: string; portalUrl: string }> = {
  AzureCloud: {
    armEndpoint: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
    portalUrl: 'https://portal.azure.com',
  },
  AzureChinaCloud: {
    armEndpoint: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    portalUrl: 'https://portal.azure.cn',
  },
  AzureUSGovernment: {
    armEndpoint: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
    portalUrl: 'https://portal.azure.us',
  },
};

export function resolveCloud(settings: CloudSettings): ResolvedCloud {
  if (settings.cloud === 'custom') {
    const armEndpoint = normalizeHttpsUrl(settings.customArmEndpoint, 'customArmEndpoint');
    const authorityHost = normalizeHttpsUrl(settings.customAuthorityHost, 'customAuthorityHost');
    return { name: 'custom', armEndpoint, authorityHost, armScope: `${armEndpoint}/.default`, disableInstanceDiscovery: true };
  }
  const known = WELL_KNOWN[settings.cloud];
  if (!known) {
    throw new AzureAccessError({
      kind: 'invalidInput',
      message: `Unknown cloud "${String(settings.cloud)}".`,
      userMessage: `Unknown Azure cloud "${String(settings.cloud)}". Use one of: ${CLOUD_NAMES.join(', ')}.`,
      retryable: false,
    });
  }
  return { name: settings.cloud, ...known, armScope: `${known.armEndpoint}/.default`, disableInstanceDiscovery: false };
}

function normalizeHttpsUrl(raw: string | undefined, settingName: string): string {
  const fail = (why: string): never => {
    throw new AzureAccessError({
      kind: 'invalidInput',
      message: `${settingName}: ${why}`,
      userMessage: `The custom cloud setting "${settingName}" ${why} Expected an https URL such as https://management.example.com.`,
      retryable: false,
    });
  };
  const text = raw?.trim();
  if (!text) return fail('is empty.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`is not a valid URL ("${text}").`);
  }
  if (url.protocol !== 'https:') fail(`must use https ("${text}").`);
  if (url.search || url.hash) fail(`must not contain a query or fragment ("${text}").`);
  return url.toString().replace(/\/+$/, '');
}
