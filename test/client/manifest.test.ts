/**
 * package.json's contributions against the identifiers the code uses
 * (client/src/contributions.ts): commands, settings, views, context keys,
 * menus and welcome views. A drift here means a dead menu entry, a command
 * that throws "not found", or a setting the code never reads.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLOUD_NAMES } from '../../client/src/azure/clouds';
import { COMMANDS, CONTEXT_KEYS, CONTEXT_VALUES, KEY_VAULT_DOCTOR_VIEW_ID, NAMED_VALUES_VIEW_ID, POLICIES_VIEW_ID, SETTINGS, VIEW_CONTAINER_ID } from '../../client/src/contributions';
import { POLICY_CONTEXT } from '../../client/src/policies/treeModel';
import { presentNamedValue } from '../../client/src/namedValues/model';
import { AUTH_SETTINGS } from '../../client/src/settings';
import { repoRoot } from '../support/repo';
import { packagedFiles } from './packagedFiles';
import { sampleMetadata } from './support';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: Array<{ command: string; title: string; category?: string; icon?: string; enablement?: string }>;
    configuration: { properties: Record<string, { type: string; default?: unknown; enum?: string[]; markdownDescription?: string; scope?: string; pattern?: string }> };
    viewsContainers: { activitybar: Array<{ id: string; title: string; icon: string }> };
    views: Record<string, Array<{ id: string; name: string; icon?: string }>>;
    viewsWelcome: Array<{ view: string; when: string; contents: string }>;
    menus: Record<string, Array<{ command: string; when?: string; group?: string }>>;
    languages: unknown[];
    grammars: unknown[];
  };
}

const root = repoRoot();
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const contributed = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
const BUILT_IN_COMMANDS = new Set(['workbench.action.openSettings']);

function whenClauses(): string[] {
  const clauses: string[] = [];
  for (const entries of Object.values(manifest.contributes.menus)) for (const e of entries) if (e.when) clauses.push(e.when);
  for (const w of manifest.contributes.viewsWelcome) clauses.push(w.when);
  for (const c of manifest.contributes.commands) if (c.enablement) clauses.push(c.enablement);
  return clauses;
}

describe('client/manifest (package.json contributions)', () => {
  it('contributes every command the code defines, in the "APIM Policy" category, and nothing else', () => {
    const ours = new Set<string>(Object.values(COMMANDS));
    for (const id of ours) {
      const c = contributed.get(id);
      assert.ok(c, `${id} is not contributed`);
      assert.equal(c.category, 'APIM Policy', id);
      assert.ok(c.title.length > 3, id);
    }
    assert.deepEqual([...contributed.keys()].filter((id) => !ours.has(id)), []);
  });

  it('registers every contributed command in the client code', () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (entry.name.endsWith('.ts')) sources.push(fs.readFileSync(p, 'utf8'));
      }
    };
    walk(path.join(root, 'client', 'src'));
    const text = sources.join('\n');
    for (const [key, id] of Object.entries(COMMANDS)) {
      const registered = text.includes(`register(COMMANDS.${key},`) || text.includes(`registerCommand('${id}'`);
      assert.ok(registered, `${id} (COMMANDS.${key}) is never registered`);
    }
  });

  it('references only existing commands from menus and welcome views', () => {
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) assert.ok(contributed.has(entry.command), `${menu}: ${entry.command}`);
    }
    for (const welcome of manifest.contributes.viewsWelcome) {
      for (const [, command] of welcome.contents.matchAll(/\(command:([\w.]+)/g)) {
        assert.ok(contributed.has(command) || BUILT_IN_COMMANDS.has(command), `welcome links to ${command}`);
      }
    }
  });

  it('gives inline and title buttons an icon', () => {
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) {
        if (entry.group?.startsWith('inline') || (menu === 'view/title' && entry.group?.startsWith('navigation'))) {
          assert.match(contributed.get(entry.command)?.icon ?? '', /^\$\([\w-]+\)$/, `${menu} ${entry.command}`);
        }
      }
    }
  });

  it('uses only context keys the code sets', () => {
    const known = new Set<string>([...Object.values(CONTEXT_KEYS), NAMED_VALUES_VIEW_ID, KEY_VAULT_DOCTOR_VIEW_ID, POLICIES_VIEW_ID]);
    for (const clause of whenClauses()) {
      for (const [key] of clause.matchAll(/(?<![\w.])apimPolicy\.[\w]+/g)) assert.ok(known.has(key), `unknown context key ${key} in "${clause}"`);
    }
  });

  it('targets item menus at the context values the tree produces', () => {
    const contextValues = new Map<string, string>();
    for (const nv of sampleMetadata().namedValues) for (const refreshing of [false, true]) contextValues.set(presentNamedValue(nv, refreshing).contextValue, nv.kind);
    assert.deepEqual(new Set(contextValues.values()), new Set(['plain', 'secret', 'keyVault']));
    const targets = (command: string) =>
      manifest.contributes.menus['view/item/context']
        .filter((e) => e.command === command)
        .map((e) => {
          const match = /viewItem =~ \/(.+)\/$/.exec(e.when ?? '');
          return match ? new RegExp(match[1]) : undefined;
        })
        .filter((r): r is RegExp => !!r);
    const kindsMatched = (command: string) => {
      const kinds = new Set<string>();
      for (const re of targets(command)) for (const [value, kind] of contextValues) if (re.test(value)) kinds.add(kind);
      return [...kinds].sort();
    };
    assert.deepEqual(kindsMatched(COMMANDS.refreshKeyVaultSecret), ['keyVault']);
    assert.deepEqual(kindsMatched(COMMANDS.revealValue), ['keyVault', 'secret']);
    assert.deepEqual(kindsMatched(COMMANDS.diagnoseKeyVaultReference), ['keyVault']);
    for (const command of [COMMANDS.copyReference, COMMANDS.insertReference, COMMANDS.goToDefinition, COMMANDS.findUsages, COMMANDS.editNamedValue, COMMANDS.deleteNamedValue]) {
      assert.deepEqual(kindsMatched(command), ['keyVault', 'plain', 'secret'], command);
    }
    const instanceEntries = manifest.contributes.menus['view/item/context'].filter((e) => e.when?.includes(`viewItem == ${CONTEXT_VALUES.instance}`));
    assert.ok(instanceEntries.some((e) => e.command === COMMANDS.refreshNamedValues && e.group?.startsWith('inline')));
  });

  it('contributes every setting the code reads, each with a description, and no others', () => {
    const properties = manifest.contributes.configuration.properties;
    const ours = new Set<string>(Object.values(SETTINGS));
    for (const key of ours) {
      assert.ok(properties[key], `${key} is not contributed`);
      assert.ok((properties[key].markdownDescription ?? '').length > 20, `${key} needs a markdownDescription`);
    }
    assert.deepEqual(Object.keys(properties).filter((k) => !ours.has(k)), []);
    assert.deepEqual(properties[SETTINGS.auth].enum, [...AUTH_SETTINGS]);
    assert.equal(properties[SETTINGS.auth].default, 'vscode');
    assert.deepEqual(properties[SETTINGS.cloud].enum, [...CLOUD_NAMES]);
    assert.equal(properties[SETTINGS.instance].scope, 'resource');
    assert.equal(properties[SETTINGS.unknownAttributes].default, true);
    assert.equal(properties[SETTINGS.hideUnavailablePolicies].default, false);
    assert.equal(properties[SETTINGS.detectPolicyRoots].default, true);
    assert.deepEqual(properties[SETTINGS.traceServer].enum, ['off', 'messages', 'verbose']);
    assert.ok(!Object.keys(properties).some((k) => /secret/i.test(k)), 'no setting may hold a secret');
  });

  it('validates apimPolicy.instance with a pattern that accepts service ids and rejects others', () => {
    const pattern = new RegExp(manifest.contributes.configuration.properties[SETTINGS.instance].pattern ?? '');
    const id = '/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/rg-contoso-apis/providers/Microsoft.ApiManagement/service/contoso-apim';
    assert.ok(pattern.test(id));
    assert.ok(pattern.test(''));
    assert.ok(!pattern.test(`${id}/namedValues/x`));
    assert.ok(!pattern.test('contoso-apim'));
  });

  it('declares the activity bar container, the Named Values view and welcome content for every empty state', () => {
    const container = manifest.contributes.viewsContainers.activitybar.find((c) => c.id === VIEW_CONTAINER_ID);
    assert.ok(container);
    assert.equal(container.title, 'API Management');
    assert.ok(fs.existsSync(path.join(root, container.icon)), container.icon);
    const view = manifest.contributes.views[VIEW_CONTAINER_ID]?.find((v) => v.id === NAMED_VALUES_VIEW_ID);
    assert.ok(view);
    assert.equal(view.name, 'Named Values');
    const welcome = (state: string) => manifest.contributes.viewsWelcome.filter((w) => w.view === NAMED_VALUES_VIEW_ID && w.when.includes(`apimPolicy.state == ${state}`));
    assert.ok(welcome('signedOut').some((w) => w.contents.includes(`command:${COMMANDS.signIn}`)));
    assert.ok(welcome('noInstance').some((w) => w.contents.includes(`command:${COMMANDS.selectInstance}`)));
    assert.ok(manifest.contributes.viewsWelcome.some((w) => w.contents.includes('npm run emulator')), 'the no-Azure welcome explains the emulator');
    assert.ok(manifest.activationEvents.includes(`onView:${NAMED_VALUES_VIEW_ID}`));
    assert.equal(manifest.contributes.languages.length, 1, 'the language contribution stays');
    assert.equal(manifest.contributes.grammars.length, 1, 'the grammar contribution stays');
  });

  it('declares the Policies view beside Named Values, its menus on the context values its tree produces, and the instance file system', () => {
    const views = manifest.contributes.views[VIEW_CONTAINER_ID] ?? [];
    assert.deepEqual(views.map((v) => v.id), [NAMED_VALUES_VIEW_ID, POLICIES_VIEW_ID, KEY_VAULT_DOCTOR_VIEW_ID], 'the Key Vault Doctor view comes last, shown only with a diagnosis');
    assert.equal(views[1].name, 'Policies');
    for (const state of ['signedOut', 'noInstance']) {
      assert.ok(manifest.contributes.viewsWelcome.some((w) => w.view === POLICIES_VIEW_ID && w.when.includes(`apimPolicy.state == ${state}`)), state);
    }
    const values = Object.values(POLICY_CONTEXT) as string[];
    const matched = (command: string) => manifest.contributes.menus['view/item/context']
      .filter((e) => e.command === command && e.when?.includes(`view == ${POLICIES_VIEW_ID}`))
      .flatMap((e) => {
        const regex = /viewItem =~ \/(.+)\/$/.exec(e.when ?? '');
        const equal = /viewItem == ([\w.]+)/.exec(e.when ?? '');
        return values.filter((v) => (regex ? new RegExp(regex[1]).test(v) : equal?.[1] === v));
      });
    assert.deepEqual(matched(COMMANDS.deletePolicy), [POLICY_CONTEXT.withPolicy]);
    assert.deepEqual(new Set(matched(COMMANDS.openInstancePolicy)), new Set([POLICY_CONTEXT.withPolicy, POLICY_CONTEXT.withoutPolicy, POLICY_CONTEXT.unknownPolicy, POLICY_CONTEXT.fragment]));
    assert.deepEqual(new Set(matched(COMMANDS.refreshPolicies)), new Set([POLICY_CONTEXT.instance, POLICY_CONTEXT.folder, POLICY_CONTEXT.workspace]));
    for (const command of [COMMANDS.compareWithInstance, COMMANDS.publishToInstance, COMMANDS.pullFromInstance]) {
      assert.ok(manifest.contributes.menus['explorer/context'].some((e) => e.command === command && e.when?.includes('resourceFilename == policy.xml')), command);
      assert.ok(manifest.contributes.menus['editor/context'].some((e) => e.command === command), command);
    }
    assert.ok(manifest.activationEvents.includes('onFileSystem:apim-instance'));
    assert.ok(manifest.activationEvents.includes(`onView:${POLICIES_VIEW_ID}`));
    assert.ok(manifest.contributes.menus.commandPalette.some((e) => e.command === COMMANDS.loadMorePolicies && e.when === 'false'), 'Load More is a row, not a palette command');
  });

  it('is ready for the Marketplace: a 128×128 PNG icon, links, banner, preview, a changelog, and a lean package', async () => {
    const listing = manifest as unknown as Record<string, unknown> & { icon: string; repository: { url: string }; bugs: { url: string }; homepage: string; galleryBanner: { color: string; theme: string }; preview: boolean; version: string };
    const icon = fs.readFileSync(path.join(root, listing.icon));
    assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG', 'the icon is a PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'the icon is 128×128');
    for (const url of [listing.repository.url, listing.bugs.url, listing.homepage]) assert.match(url, /^https:\/\//);
    assert.match(listing.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(listing.galleryBanner.theme));
    assert.equal(listing.preview, listing.version.startsWith('0.'), 'preview while the version is 0.x');
    const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, /^## \[Unreleased\]/m);
    assert.match(changelog, new RegExp(`^## \\[${listing.version.replace(/\./g, '\\.')}\\]`, 'm'), 'the current version has its entry');

    // What `vsce ls` lists: runtime files, the walkthrough's pages, the README with its images, the changelog.
    const listed = await packagedFiles();
    const allowed = [/^dist\/(client|server)\.js$/, /^dist\/[^/]+\.wasm$/, /^syntaxes\/[^/]+\.json$/, /^schemas\/.+\.json$/, /^resources\/(apim-activitybar\.svg|icon\.png)$/, /^resources\/walkthrough\/[^/]+\.md$/, /^docs\/images\/[^/]+\.png$/, /^(package\.json|language-configuration\.json|README\.md|CHANGELOG\.md|LICENSE)$/];
    assert.deepEqual(listed.filter((file) => !allowed.some((re) => re.test(file))), [], 'nothing else is packaged');
    for (const needed of ['dist/client.js', 'dist/server.js', 'resources/icon.png', 'CHANGELOG.md', 'README.md']) assert.ok(listed.includes(needed), `${needed} is packaged`);
  });
});
