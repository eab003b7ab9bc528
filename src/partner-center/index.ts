/** The Partner Center boundary: the client, its errors and its resource types. */
export * from './client';
export type { Snapshot, WriteResult } from './http';
export * from './errors';
export type { CallContext } from './pipeline';
export {
  isNewCommerce,
  reflectsChange,
  LIMITS,
  SEVERITIES,
  SR_STATUSES,
  SUBSCRIPTION_STATUSES,
  type Customer,
  type ServiceRequest,
  type ServiceRequestNote,
  type ServiceRequestState,
  type Severity,
  type ServiceRequestStatus,
  type Subscription,
  type SubscriptionChange,
  type SupportProfile,
  type SupportProfileChange,
  type SupportTopic,
  type CreateServiceRequestInput,
} from './schemas';
