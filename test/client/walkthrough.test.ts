/**
 * The Get Started walkthrough in package.json against what the extension really does: each step
 * completes on an event that can happen (a contributed command, a contributed view, a context key
 * the client sets), its buttons run commands that exist, and its pages and pictures ship in the .vsix.
 * The workbench side (steps ticking off as a person goes) is test/ui/walkthrough.ui.ts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, CONTEXT_KEYS, WALKTHROUGH_ID } from '../../client/src/contributions';
import { isNamedValueCompletion, WalkthroughProgress } from '../../client/src/walkthrough/progress';
import { NAMED_VALUE_COMPLETION_KIND } from '../../protocol/protocol';
import { repoRoot } from '../support/repo';
import { packagedFiles } from './packagedFiles';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string | Record<string, string>; altText?: string };
  completionEvents?: string[];
}

interface Manifest {
  contributes: {
    commands: Array<{ command: string }>;
    views: Record<string, Array<{ id: string }>>;
    walkthroughs?: Array<{ id: string; title: string; description: string; steps: Step[] }>;
  };
}

const root = repoRoot();
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const commands = new Set(manifest.contributes.commands.map((c) => c.command));
const views = new Set(Object.values(manifest.contributes.views).flatMap((list) => list.map((v) => v.id)));
/** Workbench commands the steps may link to. */
const BUILT_IN_COMMANDS = new Set(['workbench.action.openSettings', 'workbench.action.quickOpen']);

function walkthrough() {
  const found = manifest.contributes.walkthroughs?.find((w) => w.id === WALKTHROUGH_ID);
  assert.ok(found, `package.json contributes no walkthrough "${WALKTHROUGH_ID}"`);
  return found;
}

function mediaMarkdown(step: Step): string {
  return step.media.markdown ? fs.readFileSync(path.join(root, step.media.markdown), 'utf8') : '';
}

/** The command ids of `command:` links in Markdown (arguments after `?` left out). */
function linkedCommands(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(command:([\w.-]+)/g)].map((m) => m[1]);
}

/** Every runnable command: contributed ones, the focus command VS Code adds for each contributed view, built-in ones we use. */
function runnable(command: string): boolean {
  return commands.has(command) || BUILT_IN_COMMANDS.has(command) || (command.endsWith('.focus') && views.has(command.slice(0, -'.focus'.length)));
}

function clientSources(): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) sources.set(path.relative(root, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(root, 'client', 'src'));
  return sources;
}

/** Context keys WalkthroughProgress sets to true when it sees every event it watches for. */
async function keysSetByProgress(): Promise<Set<string>> {
  const set = new Set<string>();
  const progress = new WalkthroughProgress(async (key, value) => {
    if (value) set.add(key);
  });
  await progress.policyShown();
  await progress.completionAnswered([{ label: 'backend-url', data: { kind: NAMED_VALUE_COMPLETION_KIND, name: 'backend-url', uri: 'file:///p.xml' } }]);
  return set;
}

/** Context keys a client module passes to `setContext` by their CONTEXT_KEYS name (the connection controller, the panel's filter). */
function keysSetInSource(): Set<string> {
  const set = new Set<string>();
  for (const text of clientSources().values()) {
    if (!text.includes("'setContext'")) continue;
    for (const [name, key] of Object.entries(CONTEXT_KEYS)) if (new RegExp(`[(,]\\s*CONTEXT_KEYS\\.${name}\\s*,`).test(text)) set.add(key);
  }
  return set;
}

describe('client/walkthrough (Get Started)', () => {
  it('is contributed under the id the Get Started command opens, with its steps in order', () => {
    const w = walkthrough();
    assert.equal(w.title, 'Get started with APIM Policy Studio');
    assert.ok(w.description.length > 20);
    assert.deepEqual(
      w.steps.map((s) => s.id),
      ['signIn', 'selectInstance', 'openPolicy', 'namedValueCompletion', 'namedValuesPanel', 'diagnoseKeyVault'],
    );
    assert.ok(commands.has(COMMANDS.openWalkthrough), 'the Get Started command is contributed');
    for (const step of w.steps) {
      assert.ok(step.title.length > 5, step.id);
      assert.ok(step.description.length > 40, `${step.id} explains itself`);
      // Step descriptions render links only: backticks and asterisks would show literally.
      assert.doesNotMatch(step.description, /[`*]{1,2}\w/, `${step.id}: Markdown other than links in the description`);
    }
  });

  it('completes every step on an event: a contributed command, a contributed view, or a context key the client sets', async () => {
    const setKeys = new Set([...(await keysSetByProgress()), ...keysSetInSource()]);
    const ourKeys = new Set<string>(Object.values(CONTEXT_KEYS));
    for (const step of walkthrough().steps) {
      const events = step.completionEvents ?? [];
      assert.ok(events.length > 0, `${step.id} has no completion event, so it completes when merely opened`);
      for (const event of events) {
        const match = /^(onCommand|onView|onContext):(.+)$/.exec(event);
        assert.ok(match, `${step.id}: unexpected completion event ${event}`);
        const [, kind, target] = match;
        if (kind === 'onCommand') assert.ok(commands.has(target), `${step.id}: ${target} is not a contributed command`);
        if (kind === 'onView') assert.ok(views.has(target), `${step.id}: ${target} is not a contributed view`);
        if (kind === 'onContext') {
          const keys = [...target.matchAll(/(?<![\w.])apimPolicy\.\w+/g)].map((m) => m[0]);
          assert.ok(keys.length > 0, `${step.id}: "${target}" names none of our context keys`);
          for (const key of keys) {
            assert.ok(ourKeys.has(key), `${step.id}: ${key} is not in CONTEXT_KEYS`);
            assert.ok(setKeys.has(key), `${step.id}: nothing in the client sets ${key}`);
          }
        }
      }
    }
  });

  it('offers the step\'s own action as a button where the step waits for a command or a view', () => {
    for (const step of walkthrough().steps) {
      const linked = new Set(linkedCommands(step.description));
      for (const event of step.completionEvents ?? []) {
        const [kind, target] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        if (kind === 'onCommand') assert.ok(linked.has(target), `${step.id} waits for ${target} but does not link it`);
        if (kind === 'onView') assert.ok(linked.has(`${target}.focus`), `${step.id} waits for view ${target} but does not link its focus command`);
      }
    }
  });

  it('links only commands that exist, from step descriptions and their pages', () => {
    let links = 0;
    for (const step of walkthrough().steps) {
      for (const command of [...linkedCommands(step.description), ...linkedCommands(mediaMarkdown(step))]) {
        links++;
        assert.ok(runnable(command), `${step.id} links to ${command}, which is neither contributed nor a view's focus command nor a known built-in`);
      }
    }
    assert.ok(links >= 6, `only ${links} command links`);
  });

  it('has media that exist and ship in the package, pictures included', async () => {
    const listed = new Set(await packagedFiles());
    for (const step of walkthrough().steps) {
      assert.ok(step.media.markdown || step.media.image, `${step.id} has no media`);
      const files: string[] = [];
      if (step.media.markdown) {
        files.push(step.media.markdown);
        const dir = path.posix.dirname(step.media.markdown);
        for (const [, target] of mediaMarkdown(step).matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) {
          if (!/^https:/.test(target)) files.push(path.posix.normalize(path.posix.join(dir, target)));
        }
      }
      if (typeof step.media.image === 'string') files.push(step.media.image);
      else if (step.media.image) files.push(...Object.values(step.media.image));
      for (const file of files) {
        assert.ok(fs.existsSync(path.join(root, file)), `${step.id}: ${file} does not exist`);
        assert.ok(listed.has(file), `${step.id}: ${file} is not packaged (.vscodeignore)`);
      }
    }
  });

  it('links the Learn pages it cites over https only', () => {
    for (const step of walkthrough().steps) {
      for (const [, url] of mediaMarkdown(step).matchAll(/\]\((https?:[^)\s]+)\)/g)) assert.match(url, /^https:\/\/learn\.microsoft\.com\//, `${step.id}: ${url}`);
    }
  });
});

describe('client/walkthrough progress pulses', () => {
  /** A SetContext that records calls and lets the test decide when the workbench has applied each. */
  const recorder = () => {
    const calls: Array<[string, boolean]> = [];
    const pending: Array<() => void> = [];
    const progress = new WalkthroughProgress((key, value) => {
      calls.push([key, value]);
      return new Promise<void>((resolve) => pending.push(resolve));
    });
    /** Applies every set waiting so far, then lets the pulse continue. */
    const apply = async () => {
      for (const resolve of pending.splice(0)) resolve();
      await new Promise((resolve) => setImmediate(resolve));
    };
    return { calls, progress, apply };
  };
  const namedValueItem = { label: 'api-version', data: { kind: NAMED_VALUE_COMPLETION_KIND, name: 'api-version', uri: 'file:///a/policy.xml' } };

  it('pulses "policy opened": true, then false only once the workbench has applied true, again on the next policy', async () => {
    const { calls, progress, apply } = recorder();
    const first = progress.policyShown();
    assert.deepEqual(calls, [[CONTEXT_KEYS.policyOpened, true]], 'false waits until true is applied');
    await apply();
    assert.deepEqual(calls, [[CONTEXT_KEYS.policyOpened, true], [CONTEXT_KEYS.policyOpened, false]]);
    await apply();
    await first;
    const second = progress.policyShown();
    await apply();
    await apply();
    await second;
    assert.equal(calls.length, 4, 'each policy shown after a finished pulse pulses again');
  });

  it('folds occurrences during a pulse into it', async () => {
    const { calls, progress, apply } = recorder();
    const pulses = [progress.policyShown(), progress.policyShown(), progress.policyShown()];
    await apply();
    await apply();
    await Promise.all(pulses);
    assert.deepEqual(calls, [[CONTEXT_KEYS.policyOpened, true], [CONTEXT_KEYS.policyOpened, false]]);
  });

  it('pulses "named value completion shown" only for an answer holding named values', async () => {
    const { calls, progress, apply } = recorder();
    await progress.completionAnswered([]);
    await progress.completionAnswered([{ label: 'set-header' }, { label: 'rate-limit', data: undefined }]);
    await progress.completionAnswered([{ label: 'orders-backend', data: { kind: 'entity' } }, { label: 'x', data: 'named-value' }, { label: 'y', data: null }]);
    assert.deepEqual(calls, [], 'policies, entities and odd data are not named values');
    const pulse = progress.completionAnswered([{ label: 'set-header' }, namedValueItem]);
    await apply();
    await apply();
    await pulse;
    assert.deepEqual(calls, [[CONTEXT_KEYS.namedValueCompletionShown, true], [CONTEXT_KEYS.namedValueCompletionShown, false]]);
  });

  it('recognises named-value items by their data alone', () => {
    assert.equal(isNamedValueCompletion([namedValueItem]), true);
    assert.equal(isNamedValueCompletion([{ label: 'api-version', kind: 20 }]), false);
    assert.equal(isNamedValueCompletion([]), false);
  });
});
