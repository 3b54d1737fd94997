import * as assert from 'node:assert/strict';
import type { PolicyDiagnostic } from '../../server/src/language/languageService';
import { MAX_DIAGNOSTICS } from '../../server/src/language/features/diagnosticLimits';
import { InstanceIndex } from '../../server/src/language/languageService';
import { realWorldPolicies } from '../support/repo';
import { testInstance } from '../support/instanceFixture';
import { inSection, languageService, parse } from './support/cursor';

function validate(text: string, instance?: InstanceIndex): PolicyDiagnostic[] {
  return languageService().doValidation(parse(text), instance);
}

function only(text: string, instance?: InstanceIndex): PolicyDiagnostic {
  const diagnostics = validate(text, instance);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics, null, 1));
  return diagnostics[0];
}

describe('validation', () => {
  it('accepts a complete, valid policy', () => {
    const text = `<policies>
  <inbound>
    <base />
    <rate-limit calls="10" renewal-period="60" />
    <set-header name="x-id" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header>
  </inbound>
  <backend><forward-request timeout="30" /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;
    assert.deepEqual(validate(text), []);
  });

  it('collapses a run of one problem on a line into one diagnostic that counts them', () => {
    const text = inSection('inbound', '<bogus /><bogus />  <bogus />');
    const d = only(text);
    assert.equal(d.message, '<bogus> is not an API Management policy. (3 in a row)');
    assert.equal(text.slice(d.start, d.end), 'bogus /><bogus />  <bogus');
    // On separate lines, each keeps its own mark.
    assert.equal(validate(inSection('inbound', '<bogus />\n<bogus />')).length, 2);
  });

  it(`reports at most ${MAX_DIAGNOSTICS} problems, errors first, then how many more`, () => {
    const warnings = Array.from({ length: MAX_DIAGNOSTICS + 10 }, (_, k) => `w${k}="1"`).join('\n');
    const diagnostics = validate(inSection('inbound', `<set-header name="a" exists-action="override" ${warnings}><value>v</value></set-header>\n<bogus />`));
    assert.equal(diagnostics.length, MAX_DIAGNOSTICS + 1);
    assert.ok(diagnostics.some((d) => d.code === 'unknown-element'));
    const summary = diagnostics[MAX_DIAGNOSTICS];
    assert.equal(summary.code, 'too-many-problems');
    assert.equal(summary.severity, 'warning');
    assert.match(summary.message, /^…and 11 more problems/);
  });

  it('malformed-xml: structure errors from the parser', () => {
    const d = only('<policies><inbound></policies>');
    assert.equal(d.code, 'malformed-xml');
    assert.equal(d.severity, 'error');
  });

  it('malformed-expression: an unclosed expression', () => {
    const d = only(inSection('inbound', '<set-variable name="a" value="@(context.Request.Headers" />'));
    assert.equal(d.code, 'malformed-expression');
  });

  it('unknown-element: an element that is not a policy, with the expected alternatives for children', () => {
    assert.equal(only(inSection('inbound', '<set-headr name="a" />')).code, 'unknown-element');
    const child = only(inSection('inbound', '<choose><when condition="@(true)" /><sometimes /></choose>'));
    assert.equal(child.code, 'unknown-element');
    assert.match(child.message, /expected <when>, <otherwise>/);
    assert.equal(only('<policy />').code, 'unknown-element');
  });

  it('misplaced-policy: a policy outside its sections', () => {
    const d = only(inSection('inbound', '<forward-request />'));
    assert.equal(d.code, 'misplaced-policy');
    assert.match(d.message, /belongs in backend/);
    assert.equal(only('<policies><set-header name="a" /></policies>').code, 'misplaced-policy');
  });

  it('checks the section inside nested blocks too', () => {
    assert.equal(only(inSection('inbound', '<choose><when condition="@(true)"><forward-request /></when></choose>')).code, 'misplaced-policy');
  });

  it('not-allowed-in-fragment: base, sections and include-fragment in a fragment', () => {
    assert.equal(only('<fragment><base /></fragment>').code, 'not-allowed-in-fragment');
    assert.equal(only('<fragment><inbound /></fragment>').code, 'not-allowed-in-fragment');
    assert.equal(only('<fragment><include-fragment fragment-id="x" /></fragment>').code, 'not-allowed-in-fragment');
    assert.deepEqual(validate('<fragment><set-header name="a" /></fragment>'), []);
  });

  it('duplicate-section: a section twice', () => {
    const diagnostics = validate('<policies><inbound /><outbound /><inbound /></policies>');
    assert.deepEqual(diagnostics.map((d) => d.code), ['duplicate-section']);
  });

  it('missing-required-attribute', () => {
    const d = only(inSection('inbound', '<set-variable value="1" />'));
    assert.equal(d.code, 'missing-required-attribute');
    assert.match(d.message, /'name'/);
  });

  it('invalid-attribute-value: enums, booleans and numbers, but never expressions or named values', () => {
    assert.equal(only(inSection('inbound', '<set-header name="a" exists-action="sometimes" />')).code, 'invalid-attribute-value');
    assert.equal(only(inSection('backend', '<forward-request buffer-request-body="yes" />')).code, 'invalid-attribute-value');
    assert.equal(only(inSection('inbound', '<rate-limit calls="ten" renewal-period="60" />')).code, 'invalid-attribute-value');
    assert.deepEqual(validate(inSection('inbound', '<set-header name="a" exists-action="@(&quot;skip&quot;)" />')), []);
    assert.deepEqual(validate(inSection('inbound', '<set-header name="a" exists-action="{{action}}" />')), []);
    assert.deepEqual(validate(inSection('inbound', '<rate-limit calls="{{calls}}" renewal-period="@(60)" />')), []);
  });

  it('unknown-attribute: a warning', () => {
    const d = only(inSection('inbound', '<set-header name="a" colour="red" />'));
    assert.equal(d.code, 'unknown-attribute');
    assert.equal(d.severity, 'warning');
  });

  it('no policy diagnostics inside payload content', () => {
    const text = inSection('outbound', '<set-body><root><forward-request /><anything at="all" /></root></set-body>');
    assert.deepEqual(validate(text), []);
  });

  it('missing-required-element: a warning for required children', () => {
    const d = only(inSection('inbound', '<choose></choose>'));
    assert.equal(d.code, 'missing-required-element');
    assert.equal(d.severity, 'warning');
  });

  it('duplicate-policy: a once-per-section policy used twice', () => {
    const d = only(inSection('inbound', '<rate-limit calls="1" renewal-period="1" /><rate-limit calls="2" renewal-period="1" />'));
    assert.equal(d.code, 'duplicate-policy');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(validate(inSection('inbound', '<set-header name="a" /><set-header name="b" />')), []);
  });

  it('stops at an unknown element instead of piling up diagnostics inside it', () => {
    assert.deepEqual(validate(inSection('inbound', '<custom-thing><set-header bad="1" /></custom-thing>')).map((d) => d.code), ['unknown-element']);
  });

  describe('with an instance', () => {
    const instance = new InstanceIndex(testInstance());

    it('unknown-named-value is an error; known ones pass; nothing without an instance', () => {
      const text = inSection('inbound', '<set-header name="{{backend-url}}-{{missing-one}}" />');
      const d = only(text, instance);
      assert.equal(d.code, 'unknown-named-value');
      assert.equal(d.severity, 'error');
      assert.equal(text.slice(d.start, d.end), '{{missing-one}}');
      assert.deepEqual(validate(text), []);
    });

    it('key-vault-refresh-failed at each use of a failing Key Vault value, with its message', () => {
      const text = inSection('inbound', '<set-header name="a"><value>{{partner-token}}</value></set-header><set-header name="b"><value>{{partner-token}}</value></set-header>');
      const diagnostics = validate(text, instance);
      assert.deepEqual(diagnostics.map((d) => d.code), ['key-vault-refresh-failed', 'key-vault-refresh-failed']);
      assert.equal(diagnostics[0].severity, 'warning');
      assert.match(diagnostics[0].message, /Forbidden: The managed identity lacks permission/);
      assert.deepEqual(validate(inSection('inbound', '<set-header name="{{orders-key}}" />'), instance), []);
    });

    it('unknown-entity for backends, fragments, loggers and certificates the instance lacks', () => {
      assert.equal(only(inSection('inbound', '<set-backend-service backend-id="nope" />'), instance).code, 'unknown-entity');
      assert.equal(only(inSection('inbound', '<include-fragment fragment-id="nope" />'), instance).code, 'unknown-entity');
      assert.equal(only(inSection('inbound', '<log-to-eventhub logger-id="nope">x</log-to-eventhub>'), instance).code, 'unknown-entity');
      assert.equal(only(inSection('inbound', '<authentication-certificate certificate-id="nope" />'), instance).code, 'unknown-entity');
      assert.deepEqual(validate(inSection('inbound', '<set-backend-service backend-id="ORDERS-BACKEND" />'), instance), []);
    });

    it('ignores Liquid output tags that look like named values', () => {
      const text = inSection('outbound', '<set-body template="liquid">{"id": "{{body.id}}"}</set-body>');
      assert.deepEqual(validate(text, instance), []);
    });

    it('policy-not-available when the instance does not list the policy', () => {
      const limited = new InstanceIndex(testInstance({ policyDescriptions: [{ name: 'set-header' }] }));
      assert.equal(only(inSection('inbound', '<rate-limit calls="1" renewal-period="1" />'), limited).code, 'policy-not-available');
    });
  });

  describe('real-world policies', () => {
    for (const file of realWorldPolicies()) {
      it(`reports no errors in ${file.name}`, () => {
        const errors = validate(file.text).filter((d) => d.severity === 'error');
        assert.deepEqual(errors, []);
      });
    }
  });
});
