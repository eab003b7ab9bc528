/**
 * zod schemas for Partner Center resources and for the inputs of the client's methods, by resource family
 * as the client is split: service requests, customers and subscriptions, the support profile; plus what
 * they share, reading (tolerant) and inputs (strict).
 */
export { camelKey, camelizeKeys, collectionSchema } from './reading';
export { GUID, SR_ID_PATTERN, LIMITS, serviceRequestIdSchema, customerIdSchema, subscriptionIdSchema, localeSchema, fieldMessage, fieldProblems } from './input';
export * from './service-requests';
export * from './subscriptions';
export * from './support-profile';
