import {
  serviceRequestSchema,
  subscriptionSchema,
  supportProfileSchema,
  collectionSchema,
  subscriptionChangeSchema,
  isNewCommerce,
} from '../../src/partner-center/schemas';
import * as seed from '../fixtures/seed-examples';

describe('resource schemas read what Partner Center sends', () => {
  it('reads the seed create response; DateTime.MinValue is "no date"', () => {
    const sr = serviceRequestSchema.parse(seed.createServiceRequestResponse);
    expect(sr.id).toBe('616122292874576');
    expect(sr.severity).toBe('critical');
    expect(sr.primaryContact?.organization?.name).toBe('TEST_TEST_BugBash1');
    expect(sr.createdDate).toBeNull();
    expect(sr.lastClosedDate).toBeNull();
  });

  it('reads the seed update response with its notes', () => {
    const sr = serviceRequestSchema.parse(seed.updateServiceRequestResponse);
    expect(sr.status).toBe('open');
    expect(sr.notes?.[0]).toMatchObject({ text: 'Sample Note', createdByName: 'Account' });
    expect(sr.createdDate).toBe('2016-12-22T20:31:17.24Z');
  });

  it('reads PascalCase (seed #1a) and camelCase (seed #1b) subscriptions alike', () => {
    const legacy = subscriptionSchema.parse(seed.updateSubscriptionResponseLegacy);
    expect(legacy).toMatchObject({ id: '83ef9d05-4169-4ef9-9657-0e86b1eab1de', quantity: 1, autoRenewEnabled: true, status: 'active' });
    expect(legacy.attributes?.etag).toBe('<etag>');
    expect(isNewCommerce(legacy)).toBe(false);
    const nce = subscriptionSchema.parse(seed.updateSubscriptionNce);
    expect(nce.refundOptions?.[0]?.expiresAt).toBe('2021-01-15T00:00:00Z');
    expect(isNewCommerce(nce)).toBe(true);
    // Fields the schema does not name are kept, not stripped.
    expect((nce as Record<string, unknown>).publisherName).toBe('Microsoft Corporation');
  });

  it('reads the seed support profile response', () => {
    expect(supportProfileSchema.parse(seed.updateSupportProfileResponse)).toMatchObject({
      email: 'email@sample.com',
      telephone: '4255555555',
      website: 'www.microsoft.com',
    });
  });

  it('accepts enums as integers and keeps values it does not know', () => {
    const list = collectionSchema.parse({
      totalCount: 3,
      items: [
        { id: '1', severity: 0, status: 1 },
        { id: '2', severity: 'Critical', status: 'AttentionNeeded' },
        { id: '3', severity: 'catastrophic', status: 9 },
      ],
    });
    expect(list.items.map((i) => serviceRequestSchema.parse(i)).map((i) => [i.severity, i.status])).toEqual([
      ['unknown', 'open'],
      ['critical', 'attention_needed'],
      ['catastrophic', '9'],
    ]);
    expect(subscriptionSchema.parse({ id: 'x', status: 'expired' }).status).toBe('expired');
  });

  it('refuses a change that names nothing or mixes seats with status, field by field', () => {
    expect(subscriptionChangeSchema.safeParse({}).success).toBe(false);
    const mixed = subscriptionChangeSchema.safeParse({ quantity: 3, status: 'suspended' });
    expect(mixed.success).toBe(false);
    expect(mixed.error?.issues[0]?.path).toEqual(['quantity']);
  });
});
