import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseOptions, UsageError } from '../../src/doctor/options.ts';
import { buildReport, colorWanted, fail, pass, renderHuman } from '../../src/doctor/report.ts';

describe('Doctor command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-options-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('When the URL has no scheme, then https is assumed and the defaults apply', () => {
    const options = parseOptions(['api.yongheonn.com'])!;
    assert.equal(options.url.href, 'https://api.yongheonn.com/');
    assert.equal(options.origin, 'https://yongheonn.com');
    assert.equal(options.timeoutMs, 5000);
    assert.equal(options.target, undefined);
  });

  it("When --resolve is given as host:ip or as curl's host:port:ip (IPv6 too), then each name is pinned", () => {
    const options = parseOptions(['https://api.forum.test', '--resolve', 'API.forum.test:127.0.0.1', '--resolve', 'v6.forum.test:443:[::1]'])!;
    assert.deepEqual([...options.resolve], [['api.forum.test', '127.0.0.1'], ['v6.forum.test', '::1']]);
  });

  it('When --target names an IPv6 instance, then host and port are split', () => {
    assert.deepEqual(parseOptions(['https://a.test', '--target', '[fd00::7]:8080'])!.target, { host: 'fd00::7', port: 8080 });
  });

  it("When --origin-host is given without a port, then the API URL's port is used (443 for https)", () => {
    assert.deepEqual(parseOptions(['https://api.yongheonn.com', '--origin-host', 'forum-alb-123.ap-northeast-2.elb.amazonaws.com'])!.originHost, { host: 'forum-alb-123.ap-northeast-2.elb.amazonaws.com', port: 443 });
    assert.deepEqual(parseOptions(['http://a.test:8443', '--origin-host', 'alb.test'])!.originHost, { host: 'alb.test', port: 8443 });
    assert.deepEqual(parseOptions(['https://a.test', '--origin-host', 'alb.test:8443'])!.originHost, { host: 'alb.test', port: 8443 });
    assert.equal(parseOptions(['https://a.test'])!.originHost, undefined);
  });

  it('When help is asked for, then no options are returned', () => {
    assert.equal(parseOptions(['--help']), undefined);
  });

  const badLines: Array<[string, string[], RegExp]> = [
    ['no URL', [], /exactly one API base URL/],
    ['two URLs', ['https://a.test', 'https://b.test'], /exactly one API base URL/],
    ['a non-http URL', ['ftp://a.test'], /not an http\(s\) URL/],
    ['an origin with a path', ['https://a.test', '--origin', 'https://yongheonn.com/'], /--origin must look like/],
    ['a target without a port', ['https://a.test', '--target', '10.0.3.7'], /--target must be host:port/],
    ['an origin host with a path', ['https://a.test', '--origin-host', 'alb.test/health'], /--origin-host must be the load balancer's DNS name/],
    ['a resolve without an address', ['https://a.test', '--resolve', 'a.test:nowhere'], /--resolve must be host:ip/],
    ['a tiny timeout', ['https://a.test', '--timeout', '5'], /--timeout must be/],
    ['an unknown option', ['https://a.test', '--insecure'], /Unknown option/],
  ];
  for (const [what, argv, message] of badLines) {
    it(`When the command line has ${what}, then it is a usage error saying so`, () => {
      assert.throws(() => parseOptions(argv), (error: unknown) => error instanceof UsageError && message.test(error.message));
    });
  }

  it('When --ca is not a readable PEM certificate file, then it is a usage error naming the file', () => {
    const notPem = join(dir, 'not-a-cert.txt');
    writeFileSync(notPem, 'hello');
    assert.throws(() => parseOptions(['https://a.test', '--ca', notPem]), /no PEM certificate in it/);
    assert.throws(() => parseOptions(['https://a.test', '--ca', join(dir, 'missing.pem')]), /missing\.pem: ENOENT/);
  });
});

describe('Doctor output', () => {
  const report = buildReport({
    url: 'https://api.forum.test',
    origin: 'https://yongheonn.com',
    target: null,
    startedAt: new Date(),
    checks: [pass('dns', 'api.forum.test → 127.0.0.1'), fail('tcp', 'connection refused', 'start the server')],
  });

  it('When colour is wanted, then statuses are painted; otherwise the text is plain', () => {
    assert.match(renderHuman(report, { color: true }), /\x1b\[32mPASS\x1b\[0m {2}dns/);
    assert.match(renderHuman(report, { color: true }), /verdict: \x1b\[31mFAIL\x1b\[0m/);
    assert.doesNotMatch(renderHuman(report, { color: false }), /\x1b\[/);
    assert.match(renderHuman(report, { color: false }), /^FAIL  tcp +connection refused\n +fix: start the server$/m);
  });

  it('When deciding on colour, then only a terminal gets it, and never with NO_COLOR set or TERM=dumb', () => {
    assert.equal(colorWanted({ isTTY: true }, {}), true);
    assert.equal(colorWanted({ isTTY: true }, { NO_COLOR: '' }), true);
    assert.equal(colorWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colorWanted({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(colorWanted({ isTTY: false }, {}), false);
    assert.equal(colorWanted({}, {}), false);
  });
});
