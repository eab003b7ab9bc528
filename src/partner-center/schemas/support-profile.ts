/** The partner's support profile: as read, and the change a user may ask for. */
import { z } from 'zod';
import { M } from './input';
import { resource, str } from './reading';

export const supportProfileSchema = resource({
  email: str,
  telephone: str,
  website: str,
  profileType: str,
});
export type SupportProfile = z.infer<typeof supportProfileSchema>;

export const supportProfileChangeSchema = z
  .strictObject({
    email: z.string(M.email).trim().max(254, M.tooLong).pipe(z.email(M.email)).optional(),
    telephone: z
      .string(M.telephone)
      .trim()
      .regex(/^\+?[0-9 ().-]{4,32}$/, M.telephone)
      .optional(),
    website: z
      .string(M.website)
      .trim()
      .max(2048, M.tooLong)
      .regex(/^(https?:\/\/)?([a-z0-9-]+\.)+[a-z]{2,}(:\d+)?(\/\S*)?$/i, M.website)
      .optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: M.noChange, path: [] });
export type SupportProfileChange = z.input<typeof supportProfileChangeSchema>;
