/**
 * Where in the text API Management's validation messages point. The service
 * answers a policy it cannot accept with messages such as
 *   "Error in element 'set-header' on line 19, column 7: …"
 *   "The 'inbound' start tag on line 2 position 4 does not match the end tag of 'outbound'. Line 9, position 5."
 *   "Cannot find a property 'backend-key'"
 * Each becomes a range; a message that names no place points at the root element.
 */

export interface PublishProblem {
  message: string;
  /** Zero-based. */
  line: number;
  character: number;
  length: number;
}

export function locateProblems(text: string, messages: readonly string[]): PublishProblem[] {
  const lines = text.split('\n');
  return messages.flatMap((message) => locate(text, lines, message));
}

function locate(text: string, lines: string[], message: string): PublishProblem[] {
  const at = (line: number, character: number, length: number): PublishProblem[] => {
    const safeLine = Math.min(Math.max(line, 0), Math.max(lines.length - 1, 0));
    const lineText = lines[safeLine] ?? '';
    const safeCharacter = Math.min(Math.max(character, 0), lineText.length);
    return [{ message, line: safeLine, character: safeCharacter, length: Math.max(1, Math.min(length, lineText.length - safeCharacter)) }];
  };
  const element = /Error in element '([^']+)' on line (\d+), column (\d+)/.exec(message);
  if (element) return at(Number(element[2]) - 1, Number(element[3]) - 1, element[1].length);
  const xml = /Line (\d+), position (\d+)\.?\s*$/.exec(message);
  if (xml) return at(Number(xml[1]) - 1, Number(xml[2]) - 1, 1);
  const property = /Cannot find a property '([^']+)'/.exec(message);
  if (property) {
    const found = occurrences(text, new RegExp(`\\{\\{\\s*${escapeRegExp(property[1])}\\s*\\}\\}`, 'g'), message);
    if (found.length > 0) return found;
  }
  const fragment = /fragment '([^']+)'/i.exec(message);
  if (fragment) {
    const found = occurrences(text, new RegExp(`fragment-id\\s*=\\s*["']${escapeRegExp(fragment[1])}["']`, 'g'), message);
    if (found.length > 0) return found;
  }
  // Nowhere in particular: the root element's name, or the first line.
  const root = /<([A-Za-z][\w.-]*)/.exec(text);
  if (!root) return at(0, 0, lines[0]?.length ?? 1);
  const before = text.slice(0, root.index + 1).split('\n');
  return at(before.length - 1, before[before.length - 1].length, root[1].length);
}

function occurrences(text: string, pattern: RegExp, message: string): PublishProblem[] {
  const out: PublishProblem[] = [];
  for (const match of text.matchAll(pattern)) {
    const before = text.slice(0, match.index).split('\n');
    out.push({ message, line: before.length - 1, character: before[before.length - 1].length, length: match[0].length });
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
