import type { AuditEntry } from './audit-entry';
import { formatAuditEntry, formatVerification } from './format-audit-entry';

const entry = (data: Record<string, unknown>, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  seq: 12,
  at: '2026-11-21T10:03:04.123Z',
  type: 'offer.decision',
  actor: 'policy',
  data,
  prev: '0'.repeat(64),
  hash: 'ab'.repeat(32),
  signature: 'c2ln',
  ...overrides,
});

describe('formatAuditEntry', () => {
  it('writes one readable line with the data as key=value', () => {
    expect(formatAuditEntry(entry({ jobId: 'credit-1', outcome: 'allow', rule: 'requester', rounds: 3, dp: null }))).toBe(
      '#12  2026-11-21 10:03:04Z  offer.decision  by policy  jobId=credit-1 outcome=allow rule=requester rounds=3 dp=null',
    );
  });

  it('quotes text that would break the line and shortens long values', () => {
    const line = formatAuditEntry(entry({ reason: 'too few rows\nsee ticket', nested: { a: [1, 2], b: 'x'.repeat(80) } }, { actor: 'the policy' }));
    expect(line).toBe(`#12  2026-11-21 10:03:04Z  offer.decision  by "the policy"  reason="too few rows\\nsee ticket" nested={"a":[1,2],"b":"${'x'.repeat(43)}…`);
    expect(formatAuditEntry(entry({ long: 'y'.repeat(100) }))).toBe(`#12  2026-11-21 10:03:04Z  offer.decision  by policy  long=${'y'.repeat(59)}…`);
    expect(line).not.toContain('\n');
  });

  it('never writes more than 200 characters', () => {
    const data = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field${i}`, 'v'.repeat(50)]));
    const line = formatAuditEntry(entry(data));
    expect(line).toHaveLength(200);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('formatVerification', () => {
  it('summarises an intact log', () => {
    const text = formatVerification({ ok: true, entries: 37, owner: 'org-a', publicKey: 'ed25519:AAAA', head: { seq: 36, hash: 'ab'.repeat(32) }, problems: [] });
    expect(text).toBe('intact: 37 entries, head #36 abababababab, kept by org-a, signed by ed25519:AAAA');
  });

  it('lists the problems of a damaged log', () => {
    const text = formatVerification({
      ok: false,
      entries: 9,
      owner: 'org-a',
      publicKey: 'ed25519:AAAA',
      head: { seq: 9, hash: 'ab'.repeat(32) },
      problems: [
        { line: 7, kind: 'missing', message: 'line 7: entry 6 is missing: the log goes from entry 5 to entry 7' },
        { line: 9, kind: 'edited', message: 'line 9: entry 8 was edited: its hash does not match its content' },
      ],
    });
    expect(text).toBe(
      [
        'damaged: 2 problems in 9 entries',
        '  missing       line 7: entry 6 is missing: the log goes from entry 5 to entry 7',
        '  edited        line 9: entry 8 was edited: its hash does not match its content',
      ].join('\n'),
    );
  });
});
