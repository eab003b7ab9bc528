/**
 * Card action verbs: the one string that ties a card's Action.Execute to its handler. Cards and handlers
 * both import these; nothing matches verbs by hand.
 */
export const VERB = {
  srCreate: 'sr.create',
  srShow: 'sr.show',
  srList: 'sr.list',
  srNote: 'sr.note',
  srClose: 'sr.close',
  customerFind: 'customer.find',
  customerSubscriptions: 'sub.list',
  subShow: 'sub.show',
  subUpdate: 'sub.update',
  subStatus: 'sub.status',
  profileShow: 'profile.show',
  profileUpdate: 'profile.update',
  watchRemove: 'watch.remove',
  watchResume: 'watch.resume',
  watchSubs: 'watch.subs',
  confirm: 'confirm',
  cancel: 'cancel',
  extRefresh: 'ext.refresh',
  /** A page of `renewals` or `windows` (or the same read again). */
  deadlinesPage: 'deadlines.page',
  /** Next-term seats of one subscription: answered by `sub next` (its handler is another change). */
  subNext: 'sub.next',
  activityList: 'activity.list',
} as const;

export type Verb = (typeof VERB)[keyof typeof VERB];
