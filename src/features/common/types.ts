/**
 * The services features own, added to what every handler is given (the contract's BotDeps): the contract
 * lies below the features and names none of them, so the features that own a service declare it here, and
 * src/teams/app.ts, which builds the services, is held to it by the type checker.
 */
import type { Authors } from '../../notifications/authors';
import type { ReminderBook } from '../../notifications/reminders';
import type { AuditLog } from '../audit/log';
import type { Signer } from '../confirm/signing';

declare module '../../commands/contract' {
  interface BotDeps {
    signer: Signer;
    audit: AuditLog;
    /** Who changed which item through the bot: what notifications name, and where they do not echo it. */
    authors: Authors;
    /** Reminders before a seat window closes: a seat added through the bot schedules one (src/notifications/reminders.ts). */
    reminders: ReminderBook;
    /** The bot's public base URL (BOT_ENDPOINT): what `webhooks on` registers, with /api/partner-center/events. */
    publicUrl: () => string;
  }
}
