/**
 * §7 [spec]: interactionDateComplete is set when the ticket closes. Every action that closes a ticket
 * may carry it without a finding; an action that leaves the ticket open is told it does not expect it.
 */
import { describe, expect, it } from 'vitest';
import { example, index, judge } from './helpers.ts';

const closes = (id: string) =>
  index.action.get(id)!.transitions.every((t) => index.transition.get(t)?.to === 'CLOSED');
const findingsOn = (actionId: string) => {
  const a = index.action.get(actionId)!;
  const { ticket, ctx } = example(a);
  const { wire } = judge({ ...ticket, interactionDateComplete: '2025-01-06T10:00:00Z' }, a.operation, ctx);
  return wire.findings.filter((f) => f.field === 'interactionDateComplete');
};

describe('interactionDateComplete on an OI action', () => {
  const oiActions = index.activeActions.filter((a) => a.actor === 'OI');

  it.each(oiActions.filter((a) => closes(a.id)).map((a) => [a.id]))('%s closes: no finding', (id) => {
    expect(findingsOn(id)).toEqual([]);
  });

  it.each(oiActions.filter((a) => !closes(a.id)).map((a) => [a.id]))(
    '%s leaves the ticket open: an info finding says it is not expected',
    (id) => {
      expect(findingsOn(id).map((f) => [f.rule, f.severity])).toEqual([['FIELD.UNEXPECTED', 'info']]);
    },
  );
});
