/**
 * Identity: who is acting, and the Partner Center token to act with.
 *
 * The bot asks a TokenProvider for a token function per user and never keeps tokens itself. The provider
 * is the delegated identity (Teams SSO + on-behalf-of with msal-node, delegated.ts) against the authority
 * the composition root gives it (Entra ID in production).
 */
export * from './types';
