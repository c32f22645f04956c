// The lowest layer of the chart toolkit: turning strings and numbers into SVG/XML text that is
// always well-formed. Everything that ends up in a report passes through escapeXml or coord, so a
// node name with '<' in it, or a NaN from a division by zero, cannot corrupt a file a student
// has to paste somewhere.

/** Characters XML 1.0 forbids outright (C0 controls except tab, newline, carriage return). */
const FORBIDDEN_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for use both between tags and inside double- or single-quoted attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(FORBIDDEN_XML_CHARS, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Formats a coordinate or length with at most one decimal. A non-finite number here is a bug in
 * the chart code (inputs are filtered before layout), so it fails loudly instead of writing NaN.
 */
export function coord(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`chart coordinate is not a finite number: ${String(value)}`);
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

export type AttributeValue = string | number | undefined;

/** Renders attributes, skipping undefined ones; numbers go through coord, strings are escaped. */
export function attributes(attrs: Readonly<Record<string, AttributeValue>>): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? coord(value) : escapeXml(value)}"`;
  }
  return out;
}

/** An element; children are already-rendered markup (use text() for plain strings). */
export function el(name: string, attrs: Readonly<Record<string, AttributeValue>>, ...children: string[]): string {
  const inner = children.join('');
  return inner === '' ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${inner}</${name}>`;
}

/** Plain text content, escaped. */
export function text(content: string): string {
  return escapeXml(content);
}

/** Formats a number for a human (tick labels, tables): no float noise like 0.30000000000000004. */
export function formatNumber(value: number, significantDigits = 6): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const trimmed = Number(value.toPrecision(significantDigits));
  const magnitude = Math.abs(trimmed);
  if (magnitude >= 1e6 || magnitude < 1e-4) return trimmed.toExponential().replace('e+', 'e');
  return String(trimmed);
}

/** Rough width of a string in pixels for a sans-serif font: enough to size legends and margins. */
export function approximateTextWidth(content: string, fontSize: number): number {
  return content.length * fontSize * 0.58;
}
