/**
 * What the logger writes: secrets never, whatever the shape they arrive in; everything else as given.
 * Through the real logger (pino, JSON lines), as an operator would read them.
 */
import { captureLogs } from '../support/log-capture';
import { childLogger } from '../../src/logging/logger';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQ';
const KEY = 'AccountKey=Zm9vYmFyYmF6cXV4;EndpointSuffix=core.windows.net';

describe('log lines', () => {
  it('mask secret keys at any depth, tokens and storage keys inside any string, and keep the rest', () => {
    const { logger, lines } = captureLogs('info');
    const err = Object.assign(new Error(`call failed with Bearer ${JWT}`), { request: { headers: { authorization: `Bearer ${JWT}` }, url: 'https://api.partnercenter.microsoft.com/v1/x' } });
    logger.info({ authorization: 'Bearer abc', token: 'plain-token-value', status: 200 }, 'top');
    logger.info({ call: { headers: { Authorization: 'Bearer abc' }, nested: { deeper: { clientSecret: 's3cr3t-value' } } } }, 'nested');
    logger.info({ list: [{ password: 'hunter2-value' }, `see ${JWT}`], conn: `DefaultEndpointsProtocol=https;${KEY}` }, `message with ${JWT}`);
    logger.warn({ err }, 'error');
    logger.info({ when: new Date('2026-12-02T00:00:00Z'), at: new URL(`https://x.example/cb?t=${JWT}`) }, 'to json');
    const text = lines().join('\n');
    for (const secret of ['abc', 'plain-token-value', 's3cr3t-value', 'hunter2-value', JWT, 'Zm9vYmFyYmF6cXV4', 'c2lnbmF0dXJlLXBhcnQ']) expect(text).not.toContain(secret);
    const [top, nested, list, error, json] = lines().map((l) => JSON.parse(l));
    expect(top).toMatchObject({ authorization: '[redacted]', token: '[redacted]', status: 200, msg: 'top' });
    expect(nested.call.headers.Authorization).toBe('[redacted]');
    expect(nested.call.nested.deeper.clientSecret).toBe('[redacted]');
    expect(list.list[0].password).toBe('[redacted]');
    expect(list.list[1]).toBe('see [redacted-jwt]');
    expect(list.conn).toBe('DefaultEndpointsProtocol=https;AccountKey=[redacted];EndpointSuffix=core.windows.net');
    expect(list.msg).toBe('message with [redacted-jwt]');
    expect(error.err).toMatchObject({ type: 'Error', message: 'call failed with Bearer [redacted]', request: { headers: { authorization: '[redacted]' }, url: 'https://api.partnercenter.microsoft.com/v1/x' } });
    expect(error.err.stack).toMatch(/^Error: call failed with Bearer \[redacted\]\n\s+at /);
    expect(json.when).toBe('2026-12-02T00:00:00.000Z');
    expect(json.at).toBe('https://x.example/cb?t=[redacted-jwt]');
  });

  it('pass a line with nothing secret through unchanged, and leave the caller\'s objects alone', () => {
    const { logger, lines } = captureLogs('info');
    const fields = { method: 'GET', path: '/v1/servicerequests/1', status: 200, headers: { authorization: 'Bearer abc' }, tags: ['a', 'b'] };
    const child = childLogger(logger, { conversationId: 'a:1', activityId: 'act-1', correlationId: 'c-1' });
    child.info(fields, 'partner center call');
    expect(fields.headers.authorization).toBe('Bearer abc'); // masked in the line, not in the object
    const line = JSON.parse(lines()[0]!);
    expect(line).toMatchObject({ conversationId: 'a:1', activityId: 'act-1', correlationId: 'c-1', method: 'GET', path: '/v1/servicerequests/1', status: 200, tags: ['a', 'b'], msg: 'partner center call' });
    expect(line.headers.authorization).toBe('[redacted]');
  });
});
