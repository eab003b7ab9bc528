/** The Partner Center boundary: the client, its errors and its resource types. */
export * from './client';
export type { Snapshot, WriteResult } from './http';
export * from './errors';
export { ACTIVITY_DEFAULT_DAYS, ACTIVITY_MAX_DAYS, changedFields, OPERATION_STATUSES, subscriptionOf, type ActivityFilter, type ActivityQuery, type AuditRecord, type FieldChange } from './activity';
export type { CallContext } from './pipeline';
export { currentProductTerm, deadlinesOf, endsWithin, nextTermOf, openSeatWindows, renewalOf, schedulesCurrentProduct, type Deadlines, type NextTerm, type Renewal, type SeatWindow } from './deadlines';
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
  type NextTermChange,
  type NextTermInstructions,
  type SupportProfile,
  type SupportProfileChange,
  type SupportTopic,
  type CreateServiceRequestInput,
} from './schemas';
