/**
 * The outbox's sent marks are written in the sender's gaps, never later than MAX_DELAY_MS after the oldest
 * was queued, and all of them before the delivery ends (drain). Time here is a fake clock: nothing waits
 * on the machine's speed.
 */
import { silentLogger } from '../../src/logging/logger';
import { GAP_MS, Marks, MAX_DELAY_MS } from '../../src/notifications/marks';
import { KeyValueStore, MemoryStateStore } from '../../src/storage';
import { FakeClock } from '../support/fake-clock';

/** A sent mark as the notifier writes it (reads are checked against the outbox entry's schema). */
const SENT = { watchId: 'w-1', itemId: 'i', after: { status: 'open', count: 0, title: 't' }, view: { kind: 'service-request', id: 'i' }, at: 0, state: 'sent', sentId: 'a1', rootId: 'a1' };

describe('sent marks: written off the critical path, never lost', () => {
  const setup = () => {
    const clock = new FakeClock();
    const store = new KeyValueStore(new MemoryStateStore(), clock);
    const sender = { quiet: 0, quietFor: () => sender.quiet };
    const marks = new Marks<{ state: string }>({ store, sender, clock, logger: silentLogger });
    const written = async (keys: string[]) => (await store.getMany(keys)).size;
    return { clock, store, sender, marks, written };
  };
  /** A few of the marks' polls (real timers; the clock they compare with is the fake one). */
  const ticks = (n: number) => new Promise((r) => setTimeout(r, n * 15));
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await check()); i++) await ticks(1);
    expect(await check()).toBe(true);
  };

  it('waits while the sender has requests on the wire, and writes them all in its next gap', async () => {
    const { sender, marks, written } = setup();
    marks.add('outbox/a', SENT);
    marks.add('outbox/b', SENT);
    await ticks(5);
    expect(await written(['outbox/a', 'outbox/b'])).toBe(0);
    sender.quiet = GAP_MS; // a gap opens
    await eventually(async () => (await written(['outbox/a', 'outbox/b'])) === 2);
  });

  it('writes a mark that waited MAX_DELAY_MS even if the sender never pauses', async () => {
    const { clock, marks, written } = setup();
    marks.add('outbox/a', SENT);
    await ticks(5);
    expect(await written(['outbox/a'])).toBe(0);
    clock.advance(MAX_DELAY_MS);
    await eventually(async () => (await written(['outbox/a'])) === 1);
  });

  it('writes everything queued when the delivery ends, gap or not', async () => {
    const { marks, written, store } = setup();
    for (const k of ['a', 'b', 'c']) marks.add(`outbox/${k}`, SENT);
    await marks.drain();
    expect(await written(['outbox/a', 'outbox/b', 'outbox/c'])).toBe(3);
    expect((await store.get<{ state: string }>('outbox/b'))?.value).toEqual(SENT);
  });
});
