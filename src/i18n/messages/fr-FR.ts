/** fr-FR (translation in progress: falls back to en-US text until done). */
import { enUS, type MessageKey } from './en-US';

export const frFR: Readonly<Record<MessageKey, string>> = { ...enUS };
