// The checker the other report tests rely on must itself catch what it claims to catch.
import { describe, expect, it } from 'vitest';
import { xmlProblems } from './xml-check.ts';

describe('xmlProblems', () => {
  it('accepts a small well-formed document', () => {
    expect(xmlProblems('<?xml version="1.0"?>\n<svg a="1"><g><text x="2">a &amp; b &lt; c</text></g><rect/></svg>')).toEqual([]);
  });
  it.each([
    ['unbalanced tags', '<svg><g></svg>'],
    ['unclosed root', '<svg><g/>'],
    ['raw < in text', '<svg><text>a < b</text></svg>'],
    ['raw & in text', '<svg><text>a & b</text></svg>'],
    ['raw & in an attribute', '<svg><a href="x?a=1&b=2"/></svg>'],
    ['unquoted attribute', '<svg><rect x=1/></svg>'],
    ['two roots', '<svg/><svg/>'],
    ['NaN in a coordinate', '<svg><rect x="NaN"/></svg>'],
    ['undefined in text', '<svg><text>undefined</text></svg>'],
  ])('rejects %s', (_name, doc) => {
    expect(xmlProblems(doc)).not.toEqual([]);
  });
});
