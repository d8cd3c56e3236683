/**
 * The second validation pass: what the JSON Schema cannot say. Runs on a definition whose shape is
 * already valid, and reports every problem as `{path, code, message}` with a pointer into the definition.
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Issue, IssueCode } from '../domain/errors.js';
import type { CatalogContext, Condition, ServiceDefinition, StepDefinition } from '../domain/definition.js';
import { stepId } from '../domain/definition.js';
import { formatPointer, joinPointer } from '../domain/pointer.js';
import { issuesFromAjv } from './ajv.js';
import { pointerResolves, schemasAtPointer, valueAllowed } from './formSchema.js';

type Schema = Record<string, unknown>;

export function checkMeaning(definition: ServiceDefinition, context: CatalogContext, ajv: Ajv2020): Issue[] {
  const issues: Issue[] = [];
  const report = (path: string, code: IssueCode, message: string) => issues.push({ path, code, message });
  const form = definition.form as Schema;
  const formCompiles = checkForm(definition, ajv, report);

  if (definition.warning && definition.warning.blue >= definition.warning.yellow) {
    report('/warning/yellow', 'WARNING.ORDER', 'the yellow threshold must come after the blue one');
  }

  // Materials
  const materialIds = new Set<string>();
  definition.materials.forEach((material, i) => {
    const at = `/materials/${i}`;
    if (materialIds.has(material.id)) report(`${at}/id`, 'ID.DUPLICATE', `material id "${material.id}" is used twice`);
    materialIds.add(material.id);
    if (material.satisfiedBy !== undefined && !context.certificateTypes.has(material.satisfiedBy)) {
      report(`${at}/satisfiedBy`, 'CERTIFICATE_TYPE.UNKNOWN', `no certificate type "${material.satisfiedBy}"`);
    }
    if (material.deferDays !== undefined && material.deferDays > definition.promisedDays) {
      report(`${at}/deferDays`, 'MATERIAL.DEFER_TOO_LONG', `a deferred material is owed within the promised ${definition.promisedDays} days`);
    }
    if (material.deferDays !== undefined && !material.deferrable) {
      report(`${at}/deferDays`, 'MATERIAL.NOT_DEFERRABLE', 'deferDays is given but the material is not deferrable');
    }
    if (material.deferrable && material.required === false) {
      report(`${at}/deferrable`, 'MATERIAL.NOT_DEFERRABLE', 'an optional material cannot be owed');
    }
    checkCondition(material.when, `${at}/when`, 'MATERIAL.UNREACHABLE');
    if (material.commitment && !material.postCheck) report(`${at}/commitment`, 'COMMITMENT.NO_POST_CHECK', 'a commitment names the department that checks it afterwards (postCheck)');
    if (material.postCheck && !material.commitment) report(`${at}/postCheck`, 'MATERIAL.NOT_COMMITMENT', 'only a commitment is checked afterwards');
    if (material.postCheck && !context.departments.has(material.postCheck.department)) {
      report(`${at}/postCheck/department`, 'DEPARTMENT.UNKNOWN', `no department "${material.postCheck.department}"`);
    }
  });

  // Steps
  const stepIds = new Set<string>();
  const matterIds = new Set<string>();
  const issueIndex = definition.steps.findIndex((step) => step.kind === 'issue');
  let certificates = 0;
  definition.steps.forEach((step, i) => {
    const at = `/steps/${i}`;
    const id = stepId(step);
    if (stepIds.has(id)) report(step.id ? `${at}/id` : `${at}/kind`, 'ID.DUPLICATE', `step id "${id}" is used twice; give the steps distinct ids`);
    stepIds.add(id);
    if (FINAL_NAMES.has(id)) report(`${at}/id`, 'ID.RESERVED', `"${id}" is the name of a final state`);
    if (step.kind === 'intake' && i !== 0) report(`${at}/kind`, 'STEP.ORDER', 'the intake is the first step and there is only one');
    if (i === 0 && step.kind !== 'intake') report(`${at}/kind`, 'STEP.ORDER', 'the first step must be the intake');
    if (step.kind === 'issue' && i !== definition.steps.length - 1) report(`${at}/kind`, 'STEP.ORDER', 'the issue step must be the last');
    if ('when' in step) checkCondition(step.when, `${at}/when`, 'STEP.UNREACHABLE');
    checkDepartment(step, at);
    if (step.kind !== 'review') return;
    step.matters.forEach((matter, j) => {
      const mat = `${at}/matters/${j}`;
      if (matterIds.has(matter.id)) report(`${mat}/id`, 'ID.DUPLICATE', `matter id "${matter.id}" is used twice`);
      matterIds.add(matter.id);
      if (!context.departments.has(matter.department)) {
        report(`${mat}/department`, 'DEPARTMENT.UNKNOWN', `no department "${matter.department}"`);
      }
      checkCondition(matter.when, `${mat}/when`, 'MATTER.UNREACHABLE');
      matter.fields.forEach((pointer, k) => checkPointer(pointer, `${mat}/fields/${k}`));
      const certificate = matter.certificate;
      if (!certificate) return;
      certificates++;
      if (!context.certificateTypes.has(certificate.type)) {
        report(`${mat}/certificate/type`, 'CERTIFICATE_TYPE.UNKNOWN', `no certificate type "${certificate.type}"`);
      }
      const shown = context.templates?.get(certificate.template);
      if (context.templates && !shown) {
        report(`${mat}/certificate/template`, 'TEMPLATE.UNKNOWN', `no certificate template "${certificate.template}"`);
      }
      for (const [name, pointer] of Object.entries(certificate.fields)) {
        checkPointer(pointer, joinPointer(`${mat}/certificate/fields`, name));
        // A field the template does not show would be signed but never printed: a misspelt name, most likely.
        if (shown && !shown.includes(name)) {
          report(joinPointer(`${mat}/certificate/fields`, name), 'CERTIFICATE.FIELD_NOT_SHOWN', `the template "${certificate.template}" shows no field "${name}" (it shows ${shown.join(', ') || 'none'})`);
        }
      }
      if (certificate.holder) {
        if ('id' in certificate.holder) checkPointer(certificate.holder.id, `${mat}/certificate/holder/id`);
        else if (certificate.holder.existing) checkPointer(certificate.holder.existing, `${mat}/certificate/holder/existing`);
        checkPointer(certificate.holder.name, `${mat}/certificate/holder/name`);
      }
      if (issueIndex < 0) report(`${mat}/certificate`, 'CERTIFICATE.NO_ISSUE_STEP', 'the matter declares a certificate but no step issues it');
    });
  });
  // Materials name the matters they support: every one must be a matter of the service.
  definition.materials.forEach((material, i) =>
    material.matters?.forEach((matter, k) => {
      if (!matterIds.has(matter)) report(`/materials/${i}/matters/${k}`, 'MATTER.UNKNOWN', `no matter "${matter}" in this service`);
    }),
  );
  if (issueIndex >= 0 && certificates === 0) {
    report(`/steps/${issueIndex}`, 'ISSUE.NO_CERTIFICATE', 'the issue step has no certificate to issue: no matter declares one');
  }

  // Proactive benefit
  const proactive = definition.proactive;
  if (proactive) {
    if (!context.certificateTypes.has(proactive.source)) {
      report('/proactive/source', 'CERTIFICATE_TYPE.UNKNOWN', `no certificate type "${proactive.source}"`);
    }
    compileCondition(proactive.eligibility, '/proactive/eligibility');
    for (const target of Object.keys(proactive.form)) checkPointer(target, joinPointer('/proactive/form', target));
  }
  return issues;

  function checkDepartment(step: StepDefinition, at: string) {
    const [key, department] =
      step.kind === 'intake' ? ['window', step.window] : 'department' in step ? ['department', step.department] : [undefined, undefined];
    if (key && department !== undefined && !context.departments.has(department)) {
      report(`${at}/${key}`, 'DEPARTMENT.UNKNOWN', `no department "${department}"`);
    }
  }

  function checkPointer(pointer: string, at: string) {
    if (formCompiles && !pointerResolves(form, pointer)) {
      report(at, 'POINTER.UNRESOLVED', `"${pointer}" names no field of the form`);
    }
  }

  function compileCondition(condition: Condition, at: string): boolean {
    try {
      ajv.compile(condition);
      return true;
    } catch (error) {
      report(at, 'CONDITION.INVALID', `not a valid JSON Schema: ${(error as Error).message}`);
      return false;
    }
  }

  /** A condition must be a schema, name fields the form has, and be able to match some form. */
  function checkCondition(condition: Condition | undefined, at: string, unreachable: IssueCode) {
    if (condition === undefined) return;
    if (condition === false) return report(at, unreachable, 'the condition `false` never holds');
    if (!compileCondition(condition, at) || !formCompiles || condition === true) return;
    walkCondition(condition, [], at);

    function walkCondition(node: Schema, tokens: string[], path: string) {
      const properties = node.properties;
      if (properties === null || typeof properties !== 'object') return;
      for (const [key, sub] of Object.entries(properties as Record<string, unknown>)) {
        const fieldPointer = formatPointer([...tokens, key]);
        const subPath = joinPointer(`${path}/properties`, key);
        const targets = schemasAtPointer(form, fieldPointer);
        if (targets.length === 0) {
          report(subPath, 'CONDITION.UNKNOWN_FIELD', `the form has no field "${fieldPointer}"`);
          continue;
        }
        if (sub === false) {
          if (Array.isArray(node.required) && node.required.includes(key)) report(subPath, unreachable, 'the field is required and forbidden');
          continue;
        }
        if (sub === null || typeof sub !== 'object') continue;
        const s = sub as Schema;
        if ('const' in s && !targets.some((t) => valueAllowed(form, t, s.const))) {
          report(`${subPath}/const`, unreachable, `the form never holds ${JSON.stringify(s.const)} at "${fieldPointer}"`);
        }
        if (Array.isArray(s.enum) && !s.enum.some((v) => targets.some((t) => valueAllowed(form, t, v)))) {
          report(`${subPath}/enum`, unreachable, `the form never holds any of these values at "${fieldPointer}"`);
        }
        walkCondition(s, [...tokens, key], subPath);
      }
    }
  }
}

const FINAL_NAMES = new Set(['completed', 'rejected', 'withdrawn', 'terminated', 'owed']);

function checkForm(definition: ServiceDefinition, ajv: Ajv2020, report: (path: string, code: IssueCode, message: string) => void): boolean {
  let validate;
  try {
    validate = ajv.compile(definition.form);
  } catch (error) {
    report('/form', 'FORM.INVALID_SCHEMA', `the form is not a valid JSON Schema: ${(error as Error).message}`);
    return false;
  }
  (definition.form.examples ?? []).forEach((example, i) => {
    if (!validate(example)) {
      for (const issue of issuesFromAjv(validate.errors, `/form/examples/${i}`, 'FORM')) {
        report(issue.path, 'FORM.EXAMPLE_INVALID', `the example does not fit the form: ${issue.message}`);
      }
    }
  });
  return true;
}
