import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configVariables } from '../src/config.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) => heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

describe('The README and docs/', () => {
  it('When a document links or names a file of the repository, then that file is in the repository', () => {
    const missing: string[] = [];
    for (const document of documents) {
      const text = read(document);
      const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^(https?:|#)/.test(target));
      // Paths in backticks: under a source folder, or a Markdown file (forum-api.md, the team's notes, is not one of ours).
      const named = [...text.matchAll(/`([^`\s]+)`/g)]
        .map((match) => match[1]!.split(/[:#]/)[0]!)
        .filter((path) => /^(src|test|docs|deploy|bench|bin|\.ci)\/|^[\w.-]+\.md$/.test(path) && !/[*<…{]/.test(path));
      for (const target of [...links, ...named]) {
        const candidates = [join(root, target), join(root, 'docs', target)];
        if (!candidates.some((path) => existsSync(path))) missing.push(`${document}: ${target}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("When the README links a section of itself, then that heading exists", () => {
    const readme = read('README.md');
    const anchors = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((match) => anchorOf(match[1]!)));
    const broken = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]!).filter((anchor) => !anchors.has(anchor));
    assert.deepEqual(broken, []);
  });

  it('When the README names an npm script, then package.json has it', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const named = [...new Set([...read('README.md').matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]!))];
    assert.deepEqual(named.filter((name) => !(name in scripts)), []);
  });

  it('When the configuration reads a variable, then the README table and .env.example both describe it', () => {
    const readme = read('README.md');
    const example = read('.env.example');
    const undocumented = configVariables.filter((name) => {
      const inReadme = readme.includes(`| \`${name}\``) || (/^OAUTH_\w+_CLIENT_(ID|SECRET)$/.test(name) && readme.includes(`| \`${name.replace(/_(ID|SECRET)$/, '_ID')}\``));
      return !inReadme || !new RegExp(`^${name}=`, 'm').test(example);
    });
    assert.deepEqual(undocumented, []);
  });
});
