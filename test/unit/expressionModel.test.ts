// Checks the expression model data (server/src/language/expressions/model/*.json)
// against its schema (types.ts): a hand edit that breaks the contract fails
// here, with every problem listed, instead of in a feature.
import * as assert from 'node:assert/strict';
import { ExpressionModel, MODEL_FILES, TYPE_KEYWORDS } from '../../server/src/language/expressions/model/model';
import { parseTypeSyntax, type Type } from '../../server/src/language/expressions/model/typeRefs';
import type { ExpressionModelFile, MemberSpec, TypeSpec } from '../../server/src/language/expressions/model/types';

const TYPE_KINDS = ['class', 'static-class', 'struct', 'interface', 'enum', 'delegate'];
const MEMBER_KINDS = ['property', 'field', 'method', 'constructor', 'indexer', 'enum-value'];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkMember(type: TypeSpec, member: MemberSpec, problems: string[]): void {
  const at = `${type.name}.${member.name}`;
  if (!MEMBER_KINDS.includes(member.kind)) problems.push(`${at}: unknown member kind '${member.kind}'`);
  if (member.kind === 'indexer' ? member.name !== 'this' : !IDENTIFIER.test(member.name)) problems.push(`${at}: bad member name`);
  if (!member.description?.trim()) problems.push(`${at}: no description`);
  if (member.docs !== undefined && !member.docs.startsWith('https://')) problems.push(`${at}: docs must be an https link`);
  if (member.kind === 'constructor') {
    if (member.name !== type.name) problems.push(`${at}: a constructor is named like its type`);
    if (member.type) problems.push(`${at}: a constructor has no type`);
  } else if (!member.type) problems.push(`${at}: no type`);
  if ((member.kind === 'method' || member.kind === 'constructor' || member.kind === 'indexer') && !Array.isArray(member.parameters)) {
    problems.push(`${at}: parameters missing`);
  }
  if ((member.kind === 'property' || member.kind === 'field' || member.kind === 'enum-value') && member.parameters) problems.push(`${at}: only methods, constructors and indexers take parameters`);
  if (member.kind === 'enum-value' && type.kind !== 'enum') problems.push(`${at}: enum values belong to enums`);
  if (type.kind === 'static-class' && member.kind !== 'constructor' && !member.static) problems.push(`${at}: members of a static class are static`);
  if (member.extension) {
    if (!member.static || member.kind !== 'method') problems.push(`${at}: an extension is a static method`);
    if (member.parameters?.[0]?.modifier !== 'this') problems.push(`${at}: an extension's first parameter has modifier 'this'`);
  } else if (member.parameters?.some((p) => p.modifier === 'this')) problems.push(`${at}: 'this' parameter on a non-extension`);
  for (const parameter of member.parameters ?? []) {
    if (!IDENTIFIER.test(parameter.name)) problems.push(`${at}: bad parameter name '${parameter.name}'`);
  }
  const seenParameters = new Set<string>();
  for (const parameter of member.parameters ?? []) {
    if (seenParameters.has(parameter.name)) problems.push(`${at}: parameter '${parameter.name}' twice`);
    seenParameters.add(parameter.name);
  }
}

function checkType(file: ExpressionModelFile, type: TypeSpec, problems: string[]): void {
  const at = type.namespace ? `${type.namespace}.${type.name}` : type.name;
  if (!IDENTIFIER.test(type.name)) problems.push(`${at}: bad type name`);
  if (!TYPE_KINDS.includes(type.kind)) problems.push(`${at}: unknown kind '${type.kind}'`);
  if (!type.description?.trim()) problems.push(`${at}: no description`);
  if (!type.docs?.startsWith('https://')) problems.push(`${at}: docs must be an https link`);
  if (typeof type.complete !== 'boolean') problems.push(`${at}: 'complete' must be true or false`);
  if (!Array.isArray(type.members)) problems.push(`${at}: members missing`);
  if (type.keyword !== undefined && TYPE_KEYWORDS[type.keyword] !== at) problems.push(`${at}: keyword '${type.keyword}' names ${TYPE_KEYWORDS[type.keyword]}`);
  if (type.kind === 'delegate' ? !type.invoke : type.invoke) problems.push(`${at}: 'invoke' belongs to delegates (and every delegate has one)`);
  if (type.allowedMembers !== undefined && type.allowedMembers !== 'all' && type.allowedMembers !== 'listed') problems.push(`${at}: allowedMembers is 'all' or 'listed'`);
  if (type.allowed === false && file.types.length && type.members.length) problems.push(`${at}: a type that is not allowed lists no members`);
  for (const member of type.members ?? []) checkMember(type, member, problems);
}

describe('expression model', () => {
  const model = new ExpressionModel(MODEL_FILES);

  it('every file and record follows the schema', () => {
    const problems: string[] = [];
    const keys = new Set<string>();
    for (const file of MODEL_FILES) {
      if (file.version !== 1) problems.push(`file version ${String(file.version)}`);
      if (!file.about?.trim()) problems.push('a file without "about"');
      for (const type of file.types) {
        checkType(file, type, problems);
        const key = `${type.namespace ?? ''}.${type.name}\`${type.typeParameters?.length ?? 0}`;
        if (keys.has(key)) problems.push(`${key}: defined twice`);
        keys.add(key);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every type reference parses, and resolves once the .NET list is complete', () => {
    const problems: string[] = [];
    const resolveAll = (type: TypeSpec): void => {
      const scope = type.typeParameters ?? [];
      const owner = type.namespace ? `${type.namespace}.${type.name}` : type.name;
      const check = (text: string, where: string, extra: readonly string[] = []): void => {
        try {
          parseTypeSyntax(text);
          model.resolveReference(text, [...scope, ...extra], where);
        } catch (error) {
          problems.push(`${where}: ${(error as Error).message}`);
        }
      };
      for (const base of type.bases ?? []) check(base, owner);
      if (type.invoke) {
        check(type.invoke.returns, owner);
        for (const p of type.invoke.parameters) check(p.type, owner);
      }
      for (const member of type.members) {
        const where = `${owner}.${member.name}`;
        if (member.type) check(member.type, where, member.typeParameters);
        for (const p of member.parameters ?? []) check(p.type, where, member.typeParameters);
        for (const t of member.allowedTypeArguments ?? []) check(t, where);
      }
    };
    for (const file of MODEL_FILES) for (const type of file.types) resolveAll(type);
    assert.deepEqual(problems, []);
    // APIM's own types must all resolve among themselves or to .NET types; a .NET
    // type may be missing only while the .NET list is partial.
    const apimNames = new Set(MODEL_FILES[0].types.map((t) => t.name));
    for (const entry of model.unresolved) {
      const name = entry.slice(entry.indexOf(': ') + 2).replace(/<\d+>$/, '');
      assert.ok(!apimNames.has(name), `${entry} names an APIM type that does not resolve`);
      assert.match(name, /^[A-Z][A-Za-z0-9]*$/, `${entry}: not a .NET type name`);
    }
    if (model.listsAllAllowedTypes) assert.deepEqual([...model.unresolved], [], 'the .NET list claims to be complete');
  });

  it('extension methods apply to the receivers their first parameter names', () => {
    const headers = model.resolveReference('IReadOnlyDictionary<string, string[]>', [], 'test');
    const variables = model.resolveReference('IReadOnlyDictionary<string, object>', [], 'test');
    const onHeaders = model.findMembers(headers, 'GetValueOrDefault');
    assert.ok(onHeaders.length >= 2 && onHeaders.every((f) => model.memberType(f).kind === 'named'), 'header lookups return string');
    const onVariables = model.findMembers(variables, 'GetValueOrDefault');
    assert.ok(onVariables.some((f) => f.member.typeParameters?.[0] === 'T'), 'variable lookup is generic');
    assert.ok(!onVariables.some((f) => f.member.parameters?.[0].type.includes('string[]')), 'header overloads do not apply to variables');
    const where = model.findMembers(headers, 'Where');
    // Enumerable.Where has two overloads (with and without the element's index).
    assert.ok(where.length >= 1, 'LINQ reaches a dictionary through IEnumerable<KeyValuePair<…>>');
    for (const overload of where) {
      const source = overload.bindings.get('TSource');
      assert.ok(source?.kind === 'named' && source.type.spec.name === 'KeyValuePair', 'TSource binds to the dictionary\'s pair type');
    }
  });

  it('the context has every member the reference documents, and the types the diagnostics rely on are complete', () => {
    const context = model.globals.get('context');
    assert.ok(context && context.type.kind === 'named', 'context resolves');
    const names = new Set(model.allMembers(context.type).map((f) => f.member.name));
    for (const name of ['Api', 'Backend', 'Deployment', 'Elapsed', 'GraphQL', 'LastError', 'Operation', 'Product', 'Request', 'RequestId',
      'Response', 'Subscription', 'Timestamp', 'Tracing', 'Trace', 'User', 'Variables', 'Workspace']) {
      assert.ok(names.has(name), `context.${name}`);
    }
    assert.ok(model.isComplete(context.type));
    const member = (type: Type, name: string): Type => model.memberType(model.findMembers(type, name)[0]);
    const request = member(context.type, 'Request');
    const user = member(context.type, 'User');
    assert.ok(model.isComplete(request) && model.findMembers(request, 'Header').length === 0);
    assert.ok(model.isComplete(user) && model.findMembers(user, 'EmailAddress').length === 0);
    const body = member(request, 'Body');
    const as = model.findMembers(body, 'As')[0];
    assert.deepEqual(as.member.typeParameters, ['T']);
    assert.equal(as.member.parameters?.[0].default, 'false');
  });

  it('types without a complete member list are never marked complete through their bases', () => {
    const jobject = model.bySimple('JObject')[0];
    assert.ok(jobject);
    assert.equal(model.isComplete({ kind: 'named', type: jobject, args: [] }), false);
  });
});
