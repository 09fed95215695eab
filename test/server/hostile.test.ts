/** Hostile story markup, published: every public page, parsed with parse5, carries no script of any kind. */
import fc from 'fast-check';
import { parse } from 'parse5';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { putStory, sampleStory, startServer, type TestServer } from './helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

const FRAGMENTS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)><circle/></svg>',
  '<a href="javascript:alert(1)">click</a>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '[link](javascript:alert(1))',
  '[link](JaVaScRiPt:alert(1))',
  '[link](java&#x73;cript:alert(1))',
  '[link](&#106;avascript:alert(1))',
  '[link](%6Aavascript:alert(1))',
  '[link]( javascript:alert(1))',
  '[link](<javascript:alert(1)>)',
  '[link](vbscript:msgbox(1))',
  '[link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![img](javascript:alert(1))',
  '![img](data:image/svg+xml,<svg onload=alert(1)>)',
  '![img "title" onerror="alert(1)"](https://example.org/x.png)',
  '<javascript:alert(1)>',
  '[ref][evil]\n\n[evil]: javascript:alert(1)',
  '{{entity:sam-altman|<img src=x onerror=alert(1)>}}',
  '{{entity:sam-altman|" onmouseover="alert(1)}}',
  '{{beat:open-source-ai|<script>alert(1)</script>}}',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '<style>body{background:url(javascript:alert(1))}</style>',
  '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
  '<a href="&#x6A;avascript:alert(1)">x</a>',
  '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
  '"><script>alert(1)</script>',
  '</textarea><script>alert(1)</script>',
  '<!--<script>alert(1)</script>-->',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '[x](https://example.org/"onmouseover="alert(1))',
  'Plain text with a citation[1].',
];
const HOSTILE_TEXT = '<script>alert("t")</script>"><img src=x onerror=alert(1)>';

const BAD_URL = /^(javascript|data|vbscript):/;
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'data', 'poster', 'background', 'content']);

interface Node {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node[];
  content?: Node;
}

/** The story page's one data block: a JSON-LD script that parses as JSON is data, never run. */
function isJsonLd(n: Node): boolean {
  if (n.tagName !== 'script' || n.attrs?.length !== 1 || n.attrs[0]!.name !== 'type' || n.attrs[0]!.value !== 'application/ld+json') return false;
  try {
    JSON.parse((n.childNodes ?? []).map((c) => (c as { value?: string }).value ?? '').join(''));
    return true;
  } catch {
    return false;
  }
}

function problems(html: string): string[] {
  const found: string[] = [];
  const walk = (n: Node) => {
    if (n.tagName) {
      if (
        ['script', 'iframe', 'object', 'embed', 'base', 'form', 'meta'].includes(n.tagName) &&
        !(n.tagName === 'meta' && !n.attrs?.some((a) => a.name === 'http-equiv')) &&
        !isJsonLd(n)
      ) {
        found.push(`<${n.tagName}>`);
      }
      for (const a of n.attrs ?? []) {
        if (a.name.startsWith('on')) found.push(`${n.tagName}[${a.name}]`);
        const v = a.value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
        if (URL_ATTRS.has(a.name) && BAD_URL.test(v)) found.push(`${n.tagName}[${a.name}=${a.value}]`);
        if (a.name === 'style' && /javascript:|expression\(/i.test(a.value)) found.push(`${n.tagName}[style]`);
      }
    }
    for (const c of n.childNodes ?? []) walk(c);
    if (n.content) walk(n.content);
  };
  walk(parse(html) as unknown as Node);
  return found;
}

it('parse5 check catches what it should', () => {
  expect(problems('<p><script>x</script><a href=" JavaScript:x" onclick="y">a</a></p>')).toHaveLength(3);
  expect(problems('<p><a href="https://x.org">a</a></p>')).toHaveLength(0);
  expect(problems('<script type="application/ld+json">{"a":1}</script>')).toHaveLength(0);
  expect(problems('<script type="application/ld+json">alert(1)</script><script type="application/ld+json" src="x"></script>')).toHaveLength(2);
});

async function publish(slug: string, body: string, over: Record<string, unknown> = {}): Promise<void> {
  const r = await putStory(
    s,
    slug,
    sampleStory({
      status: 'published',
      body,
      citations: [{ n: 1, url: 'https://example.org/"><script>alert(1)</script>', title: HOSTILE_TEXT, source: HOSTILE_TEXT }],
      ...over,
    }),
    {
      token: s.tokens.publisher,
      ifNoneMatch: '*',
    },
  );
  expect(r.status, await r.clone().text()).toBe(201);
}

it('publishes every hostile fragment at once and serves no script', async () => {
  await publish('hostile-all', FRAGMENTS.join('\n\n') + '\n', { title: HOSTILE_TEXT, dek: HOSTILE_TEXT });
  for (const path of ['/stories/hostile-all', '/', '/beats/open-source-ai', '/entities/sam-altman']) {
    const r = await fetch(`${s.url}${path}`);
    expect(r.status, path).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(problems(await r.text()), path).toEqual([]);
  }
  const txt = await fetch(`${s.url}/stories/hostile-all.txt`);
  expect(txt.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(txt.headers.get('x-content-type-options')).toBe('nosniff');
});

it('publishes 60 generated mixes of hostile fragments; no page has script, handlers or script URLs', async () => {
  const mixes = fc.sample(
    fc
      .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 8 })
      .chain((parts) => fc.tuple(fc.constant(parts), fc.constantFrom('\n\n', '\n', ' ', '\n- ', '\n> '))),
    { numRuns: 60, seed: 42 },
  );
  let i = 0;
  for (const [parts, sep] of mixes) {
    const slug = `hostile-mix-${++i}`;
    await publish(slug, `Intro[1].${sep}${parts.join(sep)}\n`);
    const html = await (await fetch(`${s.url}/stories/${slug}`)).text();
    expect(problems(html), `${slug}: ${JSON.stringify(parts)}`).toEqual([]);
  }
});
