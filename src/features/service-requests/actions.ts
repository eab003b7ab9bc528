/** The service-request cards' buttons. */
import { z } from 'zod';
import { action } from '../../commands/contract';
import { serviceRequestIdSchema } from '../../partner-center/schemas';
import { formData, listOffset, offset } from '../common/data';
import { VERB } from '../../cards/verbs';
import { CLOSING, CREATED, NOTED } from './commands';
import * as sr from './handlers';

const id = z.looseObject({ id: serviceRequestIdSchema });
const filter = z.enum(['open', 'closed', 'attention', '']).optional();
/** A request opened from a list carries the list's filter and page, for "Back to the list". */
const shown = id.extend({ filter, listOffset });

export const SERVICE_REQUEST_ACTIONS = [
  action({ verb: VERB.srCreate, data: formData, writes: true, audit: CREATED, progress: () => ({ key: 'progress.srCreate' }), run: (d, t, data) => sr.createServiceRequest(d, t, data) }),
  action({
    verb: VERB.srShow,
    data: shown,
    run: (d, t, data) => sr.showServiceRequest(d, t, data.id, data.listOffset === undefined ? undefined : { filter: data.filter || undefined, offset: data.listOffset }),
  }),
  action({
    verb: VERB.srNote,
    data: shown,
    writes: true,
    audit: NOTED,
    progress: () => ({ key: 'progress.srNote' }),
    run: (d, t, data) => sr.addNote(d, t, data.id, data.text, data, data.listOffset === undefined ? undefined : { filter: data.filter || undefined, offset: data.listOffset }),
  }),
  action({ verb: VERB.srClose, data: id, confirms: CLOSING, run: (d, t, data) => sr.askToClose(d, t, data.id) }),
  action({
    verb: VERB.srList,
    data: z.looseObject({ filter, offset }),
    run: (d, t, data) => sr.listServiceRequests(d, t, data.filter || undefined, data.offset),
  }),
];
