/**
 * The portal's timeline per department names what a part waiting on the applicant waits for: a correction for a
 * supplement asked at the window or a matter sent back, a payment for a fee; a step the department works on
 * (an inspection, a public notice) is in progress, never the applicant's.
 */
import { expect } from 'chai';
import type { ApplicationDetail, TaskEntry } from '../../src/application/applications.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { departmentTimelines, type PartState } from '../../src/web/departmentTimeline.js';
import { definitionOf } from '../support/services.js';

const WINDOW = 'comprehensive-window';
const AT = '2026-03-02T02:00:00.000Z';
type Detail = Pick<ApplicationDetail, 'status' | 'timeline' | 'tasks' | 'matters' | 'decisions'>;

const feeService = {
  ...definitionOf('business-startup'),
  steps: [
    { kind: 'intake', window: WINDOW },
    { kind: 'payment', amount: 50, department: 'taxation' },
    { kind: 'review', matters: [{ id: 'check', title: { 'zh-Hans': '审核', 'zh-Hant': '審核', en: 'Check' }, department: 'taxation', fields: [] }] },
  ],
} as ServiceDefinition;

const task = (entry: Pick<TaskEntry, 'task' | 'kind' | 'party' | 'department'> & Partial<TaskEntry>): TaskEntry => ({ matter: null, openedAt: AT, claimedBy: null, claimedByName: null, claimedAt: null, returned: false, ...entry });
const accepted = [
  { seq: 1, type: 'SUBMIT', actor: 'applicant', at: AT },
  { seq: 2, type: 'ACCEPT', actor: 'clerk', at: AT },
];
const stateOf = (detail: Detail, definition: ServiceDefinition, kind: string): PartState | undefined =>
  departmentTimelines(detail, definition)
    .flatMap((s) => s.parts)
    .find((p) => p.kind === kind)?.state;

describe('the portal’s timeline per department', () => {
  it('says a fee waits for the applicant’s payment, not for a correction', () => {
    const detail: Detail = { status: 'awaiting_payment', timeline: accepted, tasks: [task({ task: 'step:payment', kind: 'payment', party: 'applicant', department: 'taxation' })], matters: {}, decisions: {} };
    expect(stateOf(detail, feeService, 'payment')).to.equal('awaitingPayment');
    expect(stateOf(detail, feeService, 'intake')).to.equal('accepted');
  });

  it('says a supplement asked at the window, or a matter sent back, waits for the applicant’s correction', () => {
    const asked: Detail = { status: 'supplement_requested', timeline: [accepted[0]!, { seq: 2, type: 'REQUEST_SUPPLEMENT', actor: 'clerk', at: AT, items: ['id-card'] }], tasks: [task({ task: 'intake', kind: 'supplement', party: 'applicant', department: WINDOW })], matters: {}, decisions: {} };
    expect(stateOf(asked, feeService, 'intake')).to.equal('awaitingSupplement');
    const returned: Detail = { status: 'in_review', timeline: [...accepted, { seq: 3, type: 'RETURN', actor: 'clerk', at: AT, matter: 'check' }], tasks: [task({ task: 'matter:check', kind: 'supplement', party: 'applicant', department: 'taxation', matter: 'check' })], matters: { check: 'returned' }, decisions: {} };
    expect(stateOf(returned, feeService, 'review')).to.equal('awaitingSupplement');
  });

  it('says an inspection or a public notice under way is in progress: the department’s work, not the applicant’s', () => {
    const inspecting: Detail = { status: 'in_inspection', timeline: accepted, tasks: [task({ task: 'step:inspection', kind: 'inspection', party: 'clerk', department: 'market-regulation' })], matters: {}, decisions: {} };
    expect(stateOf(inspecting, definitionOf('restaurant-opening'), 'inspection')).to.equal('inProgress');
    const notice: Detail = { status: 'in_notice', timeline: accepted, tasks: [task({ task: 'step:notice', kind: 'notice', party: 'clerk', department: 'talent-office' })], matters: {}, decisions: {} };
    expect(stateOf(notice, definitionOf('talent-medical-card'), 'notice')).to.equal('inProgress');
  });
});
