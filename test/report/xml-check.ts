// A tiny well-formedness check for the report's SVG and (XHTML-style) HTML: tags balanced, one
// root element, attributes quoted, every '<' and '&' in text or attributes escaped, and no
// JavaScript leftovers such as NaN or undefined. Returns the problems found (empty when fine).

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z][\w:.-]*)([^<>]*?)(\/?)>/g;
const ATTRIBUTES = /^(?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*\s*$/;
const BAD_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const LEFTOVERS = /\bNaN\b|\bundefined\b|\bInfinity\b|\[object Object\]/;

export function xmlProblems(doc: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  const checkText = (segment: string, where: number): void => {
    if (segment.includes('<')) problems.push(`unescaped '<' in text near offset ${where}`);
    if (BAD_AMPERSAND.test(segment)) problems.push(`unescaped '&' in text near offset ${where}`);
  };
  for (const match of doc.matchAll(TOKEN)) {
    const at = match.index ?? 0;
    checkText(doc.slice(last, at), last);
    last = at + match[0].length;
    const [, closing = '', name = '', attrs = '', selfClosing = ''] = match;
    if (name === '') continue; // comment, declaration, doctype
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at offset ${at}`);
      continue;
    }
    if (!ATTRIBUTES.test(attrs)) problems.push(`malformed attributes in <${name}${attrs}> at offset ${at}`);
    if (BAD_AMPERSAND.test(attrs)) problems.push(`unescaped '&' in attributes of <${name}> at offset ${at}`);
    if (stack.length === 0) roots += 1;
    if (selfClosing !== '/') stack.push(name);
  }
  checkText(doc.slice(last), last);
  if (stack.length > 0) problems.push(`unclosed elements: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`);
  const leftover = LEFTOVERS.exec(doc);
  if (leftover !== null) problems.push(`'${leftover[0]}' in output near offset ${leftover.index}`);
  return problems;
}

/** Number of elements carrying the given class (class="x" exactly). */
export function countClass(doc: string, className: string): number {
  return doc.split(`class="${className}"`).length - 1;
}
