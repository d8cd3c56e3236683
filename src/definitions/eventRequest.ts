/**
 * The shape of an event request (`POST /applications/:id/events`) and of material claims, as JSON
 * Schemas: checked by the runtime and published in the API document from this one source.
 */
import { EventTypes } from '../domain/vocabulary.js';

export const materialClaimSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['materialId'],
  properties: {
    materialId: { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 64 },
    fileId: { type: 'string', minLength: 1, maxLength: 128 },
    certificateId: { type: 'string', minLength: 1, maxLength: 128 },
    commitment: { const: true },
  },
  oneOf: [{ required: ['fileId'] }, { required: ['certificateId'] }, { required: ['commitment'] }],
} as const;

export const eventRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: Object.values(EventTypes) },
    matter: { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 64 },
    comment: { type: 'string', maxLength: 2000 },
    items: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 256 } },
    materials: { type: 'array', maxItems: 100, items: materialClaimSchema },
    data: { type: 'object' },
  },
} as const;

export interface MaterialClaim {
  materialId: string;
  fileId?: string;
  certificateId?: string;
  commitment?: true;
}

export interface EventRequest {
  type: (typeof EventTypes)[keyof typeof EventTypes];
  matter?: string;
  comment?: string;
  items?: string[];
  materials?: MaterialClaim[];
  data?: Record<string, unknown>;
}
