// A minimal XML well-formedness checker for the tests: tags balance, one root, attributes are
// quoted and unique, text and attribute values hold no raw `<` and only valid entity references.
// Small on purpose, to avoid a parser dependency; it does not handle CDATA or DTDs (we emit none).

const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g;
const TOKEN = new RegExp(
  `<\\?[\\s\\S]*?\\?>|<!--[\\s\\S]*?-->|</(${NAME})\\s*>|<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>|<|[^<]+`,
  'g',
);
const ATTR = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');

function badAmpersand(text: string): boolean {
  return text.replace(ENTITY, '').includes('&');
}

/** Problems found, empty when the document is well-formed. */
export function checkWellFormed(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  for (const m of xml.matchAll(TOKEN)) {
    const [token, close, open, attrs, selfClose] = m;
    if (token.startsWith('<?') || token.startsWith('<!--')) continue;
    if (close !== undefined) {
      const top = stack.pop();
      if (top !== close) problems.push(`</${close}> at ${m.index} closes <${top ?? 'nothing'}>`);
      continue;
    }
    if (open !== undefined) {
      if (stack.length === 0) roots++;
      const seen = new Set<string>();
      for (const a of (attrs ?? '').matchAll(ATTR)) {
        const [, name, v1, v2] = a;
        if (seen.has(name as string)) problems.push(`duplicate attribute ${name} at ${m.index}`);
        seen.add(name as string);
        if (badAmpersand(v1 ?? v2 ?? '')) problems.push(`bad & in attribute ${name} at ${m.index}`);
      }
      if (selfClose !== '/') stack.push(open);
      continue;
    }
    if (token === '<') {
      problems.push(`stray < at ${m.index}: ${xml.slice(m.index, m.index + 40)}`);
      continue;
    }
    if (stack.length === 0 && token.trim() !== '')
      problems.push(`text outside the root at ${m.index}`);
    if (badAmpersand(token)) problems.push(`bad & in text at ${m.index}`);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
