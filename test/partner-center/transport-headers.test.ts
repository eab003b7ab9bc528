/**
 * httpTransport's response headers (filled lazily) answer as a Headers filled with every header would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpTransport, type PcRequest } from '../../src/partner-center/pipeline';

test('response headers: get, has, iteration as a filled Headers', async () => {
  const server = http.createServer((_req, res) => {
    res.setHeader('MS-RequestId', 'r-1');
    res.setHeader('ms-cv', '  cv.1  ');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.setHeader('X-Multi', ['x', 'y']);
    res.setHeader('ETag', 'W/"7"');
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`;
    const req = { method: 'GET', url, headers: new Headers(), call: { correlationId: 'c' } } as unknown as PcRequest;
    const send = httpTransport(10_000);
    const lazy = (await send(req)).headers;
    // The oracle is not the code under test: the values the Fetch standard's Headers gives, written out.
    const literal: Record<string, string | null> = {
      'ms-requestid': 'r-1',
      'MS-RequestId': 'r-1',
      'MS-CV': 'cv.1',
      'set-cookie': 'a=1, b=2',
      'x-multi': 'x, y',
      etag: 'W/"7"',
      location: null,
      constructor: null,
      __proto__: null,
      toString: null,
    };
    for (const [name, value] of Object.entries(literal)) {
      expect([name, lazy.get(name), lazy.has(name)]).toEqual([name, value, value !== null]);
    }
    expect(() => lazy.get('bad name')).toThrow();
    expect(lazy).toBeInstanceOf(Headers);
    // Iteration: lower-case names in order, values as set (set-cookie joined, as a Headers filled by set()).
    const ours = new Set(['etag', 'ms-cv', 'ms-requestid', 'set-cookie', 'x-multi']);
    const entries = [...lazy.entries()];
    expect(entries.filter(([k]) => ours.has(k))).toEqual([
      ['etag', 'W/"7"'],
      ['ms-cv', 'cv.1'],
      ['ms-requestid', 'r-1'],
      ['set-cookie', 'a=1, b=2'],
      ['x-multi', 'x, y'],
    ]);
    const names = entries.map(([k]) => k);
    expect(names).toEqual([...names].sort());
    expect(names.every((k) => k === k.toLowerCase())).toBe(true);
    expect(names).toEqual(expect.arrayContaining(['content-length', 'date']));
  } finally {
    await new Promise((r) => server.close(r));
  }
});
