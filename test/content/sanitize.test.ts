import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeRichText } from '../../src/content/sanitize.ts';

describe('Sanitizing rich text', () => {
  const kept = [
    '<p>plain <b>bold</b> <i>italic</i> <u>under</u> <s>struck</s> <strong>s</strong> <em>e</em></p>',
    '<h1>T</h1><h2>S</h2><h3>s</h3><ul><li>a</li></ul><ol start="3"><li>b</li></ol>',
    '<blockquote>quoted</blockquote><pre class="language-js"><code class="language-js">let a = 1;</code></pre>',
    '<table><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td rowspan="2">a</td><td>b</td></tr></tbody></table>',
    '<a href="https://example.com/a?b=c" target="_blank" rel="noopener noreferrer">link</a> <a href="mailto:a@b.c">mail</a>',
    '<img src="https://example.com/a.png" alt="a" width="100" height="50" /><img src="data:image/png;base64,iVBORw0KGgo=" />',
    '<p style="text-align:center"><span style="color:#ff0000;background-color:rgb(0, 0, 255);font-size:14px">c</span></p>',
    '<div>line<br />next</div><p><br /></p><font color="red">old-style colour</font>',
    '<p>한글 &amp; 😀 a &lt; b</p>',
  ];
  for (const html of kept) {
    it(`When the editor produces ${html.slice(0, 40)}…, then it is kept as it is and not reported as changed`, () => {
      assert.deepEqual(sanitizeRichText(html), { html, changed: false });
    });
  }

  it('When the HTML is only spelled differently (<br>, a bare >), then it is normalised but not reported as changed', () => {
    assert.deepEqual(sanitizeRichText('<p>a > b<br></p>'), { html: '<p>a &gt; b<br /></p>', changed: false });
  });

  const newTabs: Array<[string, string]> = [
    ['<a href="https://x" target="_blank">x</a>', '<a href="https://x" target="_blank" rel="noopener noreferrer">x</a>'],
    ['<a href="https://x" target="_blank" rel="opener">x</a>', '<a href="https://x" target="_blank" rel="noopener noreferrer">x</a>'],
    ['<a href="https://x" target="_blank" rel="OPENER nofollow noopener">x</a>', '<a href="https://x" target="_blank" rel="nofollow noopener noreferrer">x</a>'],
    ['<a target="_blank" href="https://x" rel="">x</a>', '<a target="_blank" href="https://x" rel="noopener noreferrer">x</a>'],
  ];
  for (const [dirty, clean] of newTabs) {
    it(`When a link opens a new tab (${dirty.slice(0, 50)}…), then it always carries rel="noopener noreferrer" (reverse tabnabbing)`, () => {
      assert.equal(sanitizeRichText(dirty).html, clean);
    });
  }

  const stripped: Array<[string, string]> = [
    ['<script>alert(1)</script><p>x</p>', '<p>x</p>'],
    ['<p onclick="steal()">x</p>', '<p>x</p>'],
    ['<img src="x" onerror="steal()" />', '<img src="x" />'],
    ['<a href="javascript:steal()">x</a>', '<a>x</a>'],
    ['<a href="JaVaScRiPt:steal()">x</a>', '<a>x</a>'],
    ['<a href="jav&#x09;ascript:steal()">x</a>', '<a>x</a>'],
    ['<a href="data:text/html,<script>steal()</script>">x</a>', '<a>x</a>'],
    ['<iframe src="https://evil.example">fallback</iframe><p>x</p>', '<p>x</p>'],
    ['<svg onload="steal()"><circle /></svg>', ''],
    ['<object data="x.swf"></object><embed src="x.swf" />', ''],
    ['<style>body{display:none}</style><p>x</p>', '<p>x</p>'],
    ['<form action="https://evil"><input name="pw" /></form>', ''],
    ['<p style="position:fixed;top:0;color:red">x</p>', '<p style="color:red">x</p>'],
    ['<p style="background-image:url(javascript:steal())">x</p>', '<p>x</p>'],
    ['<a href="https://x" target="_top">x</a>', '<a href="https://x">x</a>'],
    ['<code class="language-js evil">x</code>', '<code class="language-js">x</code>'],
    ['<meta http-equiv="refresh" content="0;url=https://evil" /><p>x</p>', '<p>x</p>'],
  ];
  for (const [dirty, clean] of stripped) {
    it(`When stored XSS is attempted with ${dirty.slice(0, 45)}…, then it is removed and reported as changed`, () => {
      assert.deepEqual(sanitizeRichText(dirty), { html: clean, changed: true });
    });
  }
});
