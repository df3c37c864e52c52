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

/** Cleans user HTML (post content, subject descriptions) before it is stored. */
export function cleanRichText(dirty: string): string {
  return htmlParser()(dirty, richText);
}

/** The same, and whether it removed anything: a second parse, which only the import needs (to list what changed). */
export function sanitizeRichText(dirty: string): SanitizedHtml {
  const html = cleanRichText(dirty);
  return { html, changed: html !== htmlParser()(dirty, keepEverything) };
}
