/** The data an application's machine holds and the events it takes. */
import type { ActorKind, EventType, MatterDecision } from '../domain/vocabulary.js';

/** How a material was satisfied. */
export const MaterialSources = {
  file: 'file',
  certificate: 'certificate',
  commitment: 'commitment',
} as const;
export type MaterialSource = (typeof MaterialSources)[keyof typeof MaterialSources];

export interface MaterialRecord {
  materialId: string;
  source: MaterialSource;
  /** Taken from the applicant's wallet without being asked for (免提交). */
  fromWallet?: true;
  fileId?: string;
  certificateId?: string;
}

export interface ApplicationInput {
  form: Record<string, unknown>;
  materials: Record<string, MaterialRecord>;
  /** Deferred (容缺) materials missing at submission, owed before issue. */
  owed: string[];
}

export interface ApplicationContext extends ApplicationInput {
  decisions: Record<string, MatterDecision>;
  noticeElapsed: boolean;
  extensionDays: number;
}

export interface ActorRef {
  kind: ActorKind;
  id: string;
  departments?: string[];
}

/** An event as the machine sees it: stamped by the runtime with who sent it and when. */
export interface ApplicationEvent {
  type: EventType;
  matter?: string;
  comment?: string;
  /** What a supplement request asks for: material ids or form pointers. */
  items?: string[];
  materials?: MaterialRecord[];
  data?: Record<string, unknown>;
  actor: ActorRef;
  at: string;
}

/** Side effects the machine asks for; recorded in the outbox and carried out after commit. */
export type EffectSpec =
  | { effect: 'issueCertificates'; step: string }
  | { effect: 'scheduleTimer'; timer: 'notice'; step: string; workingDays: number }
  /** One deferred material's deadline (`material`; a timer scheduled before there was one per material has none). */
  | { effect: 'scheduleTimer'; timer: 'deferredMaterials'; workingDays: number; material?: string };

/** The part of a snapshot that is stored; restoring it with the same definition gives the same machine state. */
export interface PersistedSnapshot {
  status: 'active' | 'done';
  value: StateValue;
  context: ApplicationContext;
}
export type StateValue = string | { [key: string]: StateValue };
