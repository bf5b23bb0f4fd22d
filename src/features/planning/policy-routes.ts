// Partnership administrators set who signs off support plans: the team manager margin, the
// panel (off unless wanted) and delegated limits. Every change is a new, audited policy row;
// the spending rules in force are shown with their sources.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { audit } from '../../platform/audit/audit.js';
import { currentUser } from '../../platform/http/app.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import type { FieldError } from '../../platform/http/errors.js';
import { formatPounds, parsePounds, pence } from '../../platform/money.js';
import {
  DEFAULT_SPENDING_RULE_SET,
  parseSignOffPolicy,
  parseSpendingRuleSet,
  type SignOffPolicy,
} from './rules.js';

export interface PolicyRouteDeps {
  db: Db;
  now: () => Date;
}

type Values = Record<string, string>;

const percent = (bp: number | null) => (bp === null ? '' : String(bp / 100));
const pounds = (p: number | null) => (p === null ? '' : formatPounds(pence(p)).replace('£', ''));

function valuesOf(policy: SignOffPolicy): Values {
  return {
    tmPercent: percent(policy.teamManagerAbove.basisPoints),
    tmPounds: pounds(policy.teamManagerAbove.pence),
    panelEnabled: policy.panel.enabled ? 'yes' : 'no',
    panelPercent: percent(policy.panel.above.basisPoints),
    panelPounds: pounds(policy.panel.above.pence),
    panelTotal: pounds(policy.panel.annualTotalAbovePence),
    limitCoordinator: pounds(policy.delegatedLimits.care_coordinator),
    limitManager: pounds(policy.delegatedLimits.team_manager),
  };
}

/** Reads the form; every problem is reported on its field, with what was typed kept. */
function readForm(body: unknown): { values: Values; errors: FieldError[]; input?: unknown } {
  const names = [
    'tmPercent',
    'tmPounds',
    'panelEnabled',
    'panelPercent',
    'panelPounds',
    'panelTotal',
    'limitCoordinator',
    'limitManager',
  ];
  const values = Object.fromEntries(names.map((n) => [n, field(body, n)]));
  const errors: FieldError[] = [];
  const pct = (name: string): number | null => {
    const v = values[name] ?? '';
    if (v === '') return null;
    if (!/^\d{1,4}(\.\d{1,2})?$/.test(v)) {
      errors.push({ field: name, message: 'Enter a percentage like 10 or 12.5' });
      return null;
    }
    return Math.round(Number(v) * 100);
  };
  const money = (name: string): number | null => {
    const v = values[name] ?? '';
    if (v === '') return null;
    const r = parsePounds(v);
    if (!r.ok || r.value < 0) {
      errors.push({ field: name, message: 'Enter an amount in pounds, like 1,000 or 250.50' });
      return null;
    }
    return r.value;
  };
  if (values.panelEnabled !== 'yes' && values.panelEnabled !== 'no')
    errors.push({ field: 'panelEnabled', message: 'Say whether the partnership uses a panel' });
  const input = {
    teamManagerAbove: {
      basisPoints: pct('tmPercent'),
      pence: money('tmPounds'),
      combine: 'smaller',
    },
    panel: {
      enabled: values.panelEnabled === 'yes',
      above: { basisPoints: pct('panelPercent'), pence: money('panelPounds'), combine: 'smaller' },
      annualTotalAbovePence: money('panelTotal'),
    },
    delegatedLimits: {
      care_coordinator: money('limitCoordinator'),
      team_manager: money('limitManager'),
    },
  };
  return { values, errors, input };
}

export function policyRoutes(deps: PolicyRouteDeps) {
  const current = async (partnershipId: string) =>
    inPartnership(deps.db, partnershipId, async (tx) => {
      const rows = await tx
        .selectFrom('partnership_policies as p')
        .leftJoin('users as u', 'u.id', 'p.recorded_by')
        .select(['p.kind', 'p.policy', 'p.recorded_at', 'u.full_name'])
        .orderBy('p.recorded_at', 'desc')
        .execute();
      const signOff = rows.find((r) => r.kind === 'sign_off');
      const spending = rows.find((r) => r.kind === 'spending_rules');
      const parsed = parseSignOffPolicy(signOff?.policy ?? {});
      const rules = parseSpendingRuleSet(spending?.policy ?? DEFAULT_SPENDING_RULE_SET);
      return {
        policy: parsed.ok ? parsed.policy : parseSignOffPolicyOrThrow({}),
        changedAt: signOff?.recorded_at ?? null,
        changedBy: signOff?.full_name ?? null,
        spendingRules: rules.ok ? rules.ruleSet : DEFAULT_SPENDING_RULE_SET,
      };
    });

  const render = async (
    reply: FastifyReply,
    partnershipId: string,
    values: Values | null,
    errors: FieldError[] = [],
    status = 200,
  ) => {
    const now = await current(partnershipId);
    return reply.render(
      'planning/views/policy.njk',
      {
        pageTitle: 'Sign-off and spending rules',
        backHref: '/admin',
        values: values ?? valuesOf(now.policy),
        changedAt: now.changedAt,
        changedBy: now.changedBy,
        spendingRules: now.spendingRules.rules,
        ...(errors.length ? describeErrors(errors) : {}),
      },
      status,
    );
  };

  return (app: FastifyInstance): void => {
    app.get('/admin/sign-off', async (req, reply) => {
      const admin = currentUser(req, 'partnership_admin');
      return render(reply, admin.partnershipId, null);
    });

    app.post('/admin/sign-off', async (req, reply) => {
      const admin = currentUser(req, 'partnership_admin');
      const form = readForm(req.body);
      if (form.errors.length)
        return render(reply, admin.partnershipId, form.values, form.errors, 400);
      const parsed = parseSignOffPolicy(form.input);
      if (!parsed.ok)
        return render(
          reply,
          admin.partnershipId,
          form.values,
          parsed.messages.map((m) => ({ field: 'panelPercent', message: m })),
          400,
        );
      await inPartnership(deps.db, admin.partnershipId, async (tx) => {
        const row = await tx
          .insertInto('partnership_policies')
          .values({
            partnership_id: admin.partnershipId,
            kind: 'sign_off',
            policy: JSON.stringify(parsed.policy),
            recorded_by: admin.userId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await audit(
          tx,
          { principal: admin, ip: req.ip },
          {
            action: 'update',
            recordType: 'sign_off_policy',
            recordId: row.id,
            detail: { policy: parsed.policy },
          },
        );
      });
      return reply.flash('The sign-off rules have been saved').redirect('/admin/sign-off', 303);
    });
  };
}

function parseSignOffPolicyOrThrow(input: unknown): SignOffPolicy {
  const r = parseSignOffPolicy(input);
  if (!r.ok) throw new Error(r.messages.join('; '));
  return r.policy;
}
