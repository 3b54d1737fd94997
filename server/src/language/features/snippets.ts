/**
 * Insert texts for elements and attributes, generated from the catalog:
 * required attributes become tab stops, enums become choices, required
 * children are written out.
 */
import type { AttributeSpec, ContentKind, ElementSpec } from '../catalog/types';
import { literalChoices } from './values';

/** Escapes text for LSP snippet syntax. */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

class TabStops {
  private next = 1;
  take(): number {
    return this.next++;
  }
}

function valuePlaceholder(spec: AttributeSpec, stops: TabStops): string {
  const choices = literalChoices(spec);
  const n = stops.take();
  if (choices.length > 1 && choices.length <= 12) {
    const ordered = spec.default && choices.includes(spec.default) ? [spec.default, ...choices.filter((c) => c !== spec.default)] : choices;
    return `\${${n}|${ordered.map((c) => c.replace(/[|,\\$}]/g, (m) => `\\${m}`)).join(',')}|}`;
  }
  return spec.default ? `\${${n}:${escapeSnippet(spec.default)}}` : `$${n}`;
}

export function attributeSnippet(spec: AttributeSpec, stops = new TabStops()): string {
  return `${spec.name}="${valuePlaceholder(spec, stops)}"`;
}

interface ElementShape {
  name: string;
  content: ContentKind;
  attributes: readonly AttributeSpec[];
  elements: readonly ElementSpec[];
}

/**
 * The snippet for an element, without the leading `<`. Nested required
 * children are expanded one level deep with the same indentation rules.
 */
export function elementSnippet(shape: ElementShape, stops = new TabStops(), depth = 0): string {
  const attributes = shape.attributes
    .filter((a) => a.required === true)
    .map((a) => ` ${attributeSnippet(a, stops)}`)
    .join('');
  const open = `${shape.name}${attributes}`;
  const requiredChildren = depth < 1 ? shape.elements.filter((e) => e.required) : [];
  switch (shape.content) {
    case 'empty':
      return `${open} />`;
    case 'text':
    case 'markup':
      return `${open}>$${stops.take()}</${shape.name}>`;
    case 'policies':
      return `${open}>\n\t$${stops.take()}\n</${shape.name}>`;
    case 'elements': {
      if (!requiredChildren.length) {
        return shape.elements.length ? `${open}>\n\t$${stops.take()}\n</${shape.name}>` : `${open} />`;
      }
      const children = requiredChildren.map((child) => indent(`<${elementSnippet(child, stops, depth + 1)}`)).join('\n');
      return `${open}>\n${children}\n</${shape.name}>`;
    }
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `\t${line}`)
    .join('\n');
}
