import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityFromSeed } from '../secagg';
import { publicKeyText } from '../signing';
import { AuditLog } from './audit-log';
import { verifyAuditLog } from './verify-audit-log';
it('fuzz', () => {
  const id = identityFromSeed('a', new Uint8Array(32).fill(1));
  const path = join(mkdtempSync(join(tmpdir(), 'fz-')), 'a.jsonl');
  const log = AuditLog.open(path, { owner: 'a', identity: id });
  for (let i = 1; i < 12; i++) log.append('t', { i });
  const lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  const out: string[] = [];
  const check = (name: string, ls: string[]) => {
    for (const pin of [undefined, publicKeyText(id.publicKey)]) {
      const v = verifyAuditLog(ls.join('\n') + '\n', { publicKey: pin });
      if (v.problems.length !== 1) out.push(`${name} pin=${!!pin}: ${v.problems.map((p) => p.message).join(' | ')}`);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    check(`delete ${i + 1}`, lines.filter((_, j) => j !== i));
    check(`edit ${i + 1}`, lines.map((l, j) => (j === i ? l.replace('"t"', '"u"').replace('audit.opened', 'audit.openex') : l)));
    check(`garbage ${i + 1}`, lines.map((l, j) => (j === i ? 'xx' : l)));
    if (i + 1 < lines.length) check(`swap ${i + 1}`, lines.map((l, j) => (j === i ? lines[i + 1] : j === i + 1 ? lines[i] : l)));
    for (let k = 0; k <= lines.length; k++) if (k !== i && k !== i + 1) check(`dup ${i + 1} at ${k + 1}`, [...lines.slice(0, k), lines[i], ...lines.slice(k)]);
    for (let k = 0; k < lines.length; k++) if (Math.abs(k - i) > 1) { const rest = lines.filter((_, j) => j !== i); check(`move ${i + 1} to ${k + 1}`, [...rest.slice(0, k), lines[i], ...rest.slice(k)]); }
  }
  console.log(out.join('\n'));
});
