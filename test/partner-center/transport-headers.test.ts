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
    const filled = (await send(req)).headers;
    [...filled.entries()]; // fills the second one first
    const raw: Record<string, string> = {};
    const expected = new Headers();
    for (const [k, v] of filled.entries()) (raw[k] = v), expected.set(k, v);
    for (const name of ['ms-requestid', 'MS-RequestId', 'MS-CV', 'set-cookie', 'x-multi', 'etag', 'location', 'constructor', '__proto__', 'toString']) {
      expect([name, lazy.get(name), lazy.has(name)]).toEqual([name, expected.get(name), expected.has(name)]);
    }
    expect(() => lazy.get('bad name')).toThrow();
    expect(lazy).toBeInstanceOf(Headers);
    expect([...lazy.entries()]).toEqual([...expected.entries()]);
    expect(lazy.get('ms-cv')).toBe('cv.1');
    expect(lazy.get('x-multi')).toBe('x, y');
  } finally {
    await new Promise((r) => server.close(r));
  }
});
