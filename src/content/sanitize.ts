import { createRequire } from 'node:module';
import type sanitizeHtml from 'sanitize-html';

const color = [/^#[0-9a-f]{3,8}$/i, /^rgba?\(\s*[\d.]+%?\s*(,\s*[\d.]+%?\s*){2,3}\)$/i, /^[a-z]{3,20}$/i];
const length = [/^\d+(\.\d+)?(px|em|rem|pt|%)$/];

/** A link that opens a new tab must not hand that tab `window.opener` (reverse tabnabbing) nor the post's address. */
function newTabWithoutOpener(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  if (attribs.target !== '_blank') return attribs;
  const kept = (attribs.rel ?? '').split(/\s+/).filter((token) => token !== '' && !/^(opener|noopener|noreferrer)$/i.test(token));
  return { ...attribs, rel: [...kept, 'noopener', 'noreferrer'].join(' ') };
}

/**
 * What a rich-text editor (the front end's contentEditable div, pasted documents) produces: text structure,
 * lists, links, images, code, quotes, tables and inline formatting. Anything else — scripts, event handlers,
 * javascript: URLs, iframes, forms, styles that can move things around the page — is never stored.
 */
const richText: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'div', 'span', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
    'ul', 'ol', 'li', 'a', 'img', 'code', 'pre', 'blockquote',
    'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
    'b', 'strong', 'i', 'em', 'u', 's', 'strike', 'del', 'ins', 'sub', 'sup', 'mark', 'small', 'font',
  ],
  allowedAttributes: {
    '*': ['style'],
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    ol: ['start'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
    col: ['span'],
    code: ['class'],
    pre: ['class'],
    // What document.execCommand('foreColor' …) writes in browsers that do not use CSS for it.
    font: ['color', 'size', 'face'],
  },
  // A new tab is fine; _top/_parent or a named window are not what an editor writes.
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: newTabWithoutOpener(Object.fromEntries(Object.entries(attribs).filter(([name, value]) => name !== 'target' || value === '_blank'))),
    }),
  },
  allowedClasses: { code: ['language-*'], pre: ['language-*'] },
  allowedStyles: {
    '*': {
      color,
      'background-color': color,
      'text-align': [/^(left|right|center|justify)$/],
      'font-weight': [/^(normal|bold|[1-9]00)$/],
      'font-style': [/^(normal|italic)$/],
      'text-decoration': [/^(none|underline|line-through)$/],
      'font-size': length,
    },
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Pasted screenshots arrive as data: URLs; inside <img> they cannot run script.
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  // The text inside these is code or a fallback, never content to keep.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template'],
};

/**
 * The same parse with nothing removed: serialising through it normalises spelling (`<br>` → `<br />`,
 * `>` → `&gt;`) exactly as the real pass does, so comparing the two shows only what was taken away.
 */
const keepEverything: sanitizeHtml.IOptions = {
  allowedTags: false,
  allowedAttributes: false,
  allowVulnerableTags: true,
  allowedSchemesAppliedToAttributes: [],
  nonTextTags: [],
  // Adding rel="noopener noreferrer" is not a removal: done here too, the comparison does not report it.
  transformTags: { a: (tagName, attribs) => ({ tagName, attribs: newTabWithoutOpener(attribs) }) },
};

export interface SanitizedHtml {
  html: string;
  /** True when something was removed (a tag, attribute, style or URL), not merely re-spelled. */
  changed: boolean;
}

// Loaded by the first write, not at start: reads, nearly all the traffic, never parse HTML (saves ~1.5 MB, ~40 ms).
let parser: typeof sanitizeHtml | undefined;
const htmlParser = () => (parser ??= createRequire(import.meta.url)('sanitize-html') as typeof sanitizeHtml);

/** Cleans user HTML. Requests go through src/content/cleaner.ts (bounded, off the event loop); the import calls this. */
export function cleanRichText(dirty: string): string {
  return htmlParser()(dirty, richText);
}

/**
 * What one post or description may hold, sized so that anything the original front end's editor (a
 * contentEditable div: its innerHTML) produces fits, and so that cleaning stays linear. The parser under
 * sanitize-html keeps its open elements in an array it shifts on every tag, so its cost grows with depth ×
 * elements: 166,000 nested `<a>` took 7 s. Browsers themselves stop nesting at 512 open elements.
 */
export const contentLimits = {
  /** Characters of HTML, as sent and once cleaned (cleaning closes open tags and escapes text). */
  maxChars: 1_000_000,
  maxElements: 20_000,
  maxDepth: 512,
  maxAttributesPerElement: 100,
} as const;

export type ContentProblem = 'elements' | 'depth' | 'attributes';
export type LimitedClean = { html: string } | { problem: ContentProblem };

class ContentLimitReached extends Error {
  readonly problem: ContentProblem;
  constructor(problem: ContentProblem) {
    super(problem);
    this.problem = problem;
  }
}

/**
 * cleanRichText, stopped as soon as the HTML goes past `contentLimits`: the parser reports every element it
 * opens and closes (void and implied closes included), so the depth counted here is the parser's own.
 */
export function cleanWithinLimits(dirty: string): LimitedClean {
  let elements = 0;
  let depth = 0;
  const counted: sanitizeHtml.IOptions = {
    ...richText,
    onOpenTag: (_name, attribs) => {
      elements += 1;
      depth += 1;
      if (elements > contentLimits.maxElements) throw new ContentLimitReached('elements');
      if (depth > contentLimits.maxDepth) throw new ContentLimitReached('depth');
      if (Object.keys(attribs).length > contentLimits.maxAttributesPerElement) throw new ContentLimitReached('attributes');
    },
    onCloseTag: () => {
      depth -= 1;
    },
  };
  try {
    return { html: htmlParser()(dirty, counted) };
  } catch (error) {
    if (error instanceof ContentLimitReached) return { problem: error.problem };
    throw error;
  }
}

/** The same, and whether it removed anything: a second parse, which only the import needs (to list what changed). */
export function sanitizeRichText(dirty: string): SanitizedHtml {
  const html = cleanRichText(dirty);
  return { html, changed: html !== htmlParser()(dirty, keepEverything) };
}
