/**
 * Commands the language server links to from hovers (`command:` links),
 * declared once for both sides. The client trusts exactly these in server
 * Markdown; plain types only.
 */

/** Runs the Key Vault doctor on one named value of one instance. */
export namespace DiagnoseKeyVaultReferenceCommand {
  export const id = 'apimPolicy.diagnoseKeyVaultReference' as const;
  export interface Args {
    instanceId: string;
    /** ARM name or display name of the named value. */
    name: string;
  }
  /** A Markdown link target: `command:<id>?<encoded JSON array of arguments>`. */
  export function uri(args: Args): string {
    return `command:${id}?${encodeURIComponent(JSON.stringify([args]))}`;
  }
}

/** Every command server Markdown may link to. */
export const SERVER_LINKED_COMMANDS: readonly string[] = [DiagnoseKeyVaultReferenceCommand.id];
