/** The service-request cards' buttons. */
import { z } from 'zod';
import { action } from '../../commands/registry';
import { serviceRequestIdSchema } from '../../partner-center/schemas';
import { formData, offset } from '../common/data';
import { VERB } from '../../cards/verbs';
import * as sr from './handlers';

const id = z.looseObject({ id: serviceRequestIdSchema });

export const SERVICE_REQUEST_ACTIONS = [
  action({ verb: VERB.srCreate, data: formData, writes: true, run: (d, t, data) => sr.createServiceRequest(d, t, data) }),
  action({ verb: VERB.srShow, data: id, run: (d, t, data) => sr.showServiceRequest(d, t, data.id) }),
  action({ verb: VERB.srNote, data: id, writes: true, run: (d, t, data) => sr.addNote(d, t, data.id, data.text, data) }),
  action({ verb: VERB.srClose, data: id, run: (d, t, data) => sr.askToClose(d, t, data.id) }),
  action({
    verb: VERB.srList,
    data: z.looseObject({ filter: z.enum(['open', 'closed', 'attention', '']).optional(), offset }),
    run: (d, t, data) => sr.listServiceRequests(d, t, data.filter || undefined, data.offset),
  }),
];
