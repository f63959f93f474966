import { ParticipantRegistry } from './participant-registry';

const KEY_1 = new Uint8Array(32).fill(1);
const KEY_2 = new Uint8Array(32).fill(2);

function registryWithTwo(): ParticipantRegistry {
  const registry = new ParticipantRegistry(['bank-1', 'bank-2', 'bank-3']);
  registry.admit('bank-1', KEY_1, 10);
  registry.admit('bank-2', KEY_2, 20);
  registry.closeAdmission();
  return registry;
}

describe('ParticipantRegistry', () => {
  test('a snapshot restores who is in the job, their keys and misses, with admission closed', () => {
    const original = registryWithTwo();
    original.recordMiss('bank-2', 'late', 3);
    const restored = new ParticipantRegistry(['bank-1', 'bank-2', 'bank-3']);

    restored.restore(original.snapshot());

    expect(restored.active()).toEqual(['bank-1', 'bank-2']);
    expect(restored.get('bank-2')).toMatchObject({ missedInARow: 1, joinedAt: 20, identityKey: KEY_2 });
    expect(() => restored.admit('bank-3', KEY_1)).toThrow(expect.objectContaining({ code: 'ADMISSION_CLOSED' }));
    // A restored participant re-joining must present the same identity key.
    expect(() => restored.admit('bank-1', KEY_2)).toThrow(expect.objectContaining({ code: 'NOT_ADMITTED' }));
  });

  test('a snapshot keeps each identity proof through JSON, so a resumed coordinator still forwards it; an older one restores without', () => {
    const original = registryWithTwo();
    const proof = { certificate: new Uint8Array([48, 1, 2, 3]), signature: new Uint8Array([9, 8, 7]) };
    original.get('bank-1').identityProof = proof;
    const snapshot = JSON.parse(JSON.stringify(original.snapshot())) as ReturnType<ParticipantRegistry['snapshot']>;
    const restored = new ParticipantRegistry(['bank-1', 'bank-2', 'bank-3']);

    restored.restore(snapshot);

    expect(snapshot.map((p) => p.identityProof)).toEqual([{ certificate: 'MAECAw==', signature: 'CQgH' }, null]);
    expect(restored.get('bank-1').identityProof).toEqual(proof);
    expect(restored.get('bank-2').identityProof).toBeUndefined();
    const older = snapshot.map(({ identityProof: _dropped, ...rest }) => rest);
    restored.restore(older);
    expect(restored.get('bank-1').identityProof).toBeUndefined();
  });

  test('a snapshot naming an organisation the job did not invite is refused', () => {
    const snapshot = registryWithTwo().snapshot();

    expect(() => new ParticipantRegistry(['bank-1']).restore(snapshot)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INVALID' }));
  });

  test('one dropped for missing rounds rejoins once, with its misses cleared; one that withdrew never does', () => {
    const registry = registryWithTwo();
    expect(registry.recordMiss('bank-1', 'no contribution before the round deadline', 1)).toBe(true);
    registry.withdraw('bank-2', 'output violations');

    expect(registry.rejoin('bank-1')).toBe(true);
    expect(registry.rejoin('bank-1')).toBe(false);
    expect(registry.get('bank-1')).toMatchObject({ state: 'active', missedInARow: 0, droppedReason: undefined });
    expect(registry.rejoin('bank-2')).toBe(false);
    expect(registry.active()).toEqual(['bank-1']);
  });

  test('clearQueued forgets tasks not yet picked up', async () => {
    const registry = registryWithTwo();
    registry.send('bank-1', { header: { round: 3, collectionId: 'fit-3' } });
    registry.clearQueued('bank-1');
    registry.send('bank-1', { header: { round: 3, collectionId: 'fit-3-s1-a2' } });

    const task = await registry.mailbox('bank-1').take(new AbortController().signal);

    expect(task?.header.collectionId).toBe('fit-3-s1-a2');
    expect(registry.mailbox('bank-1').pending).toBe(0);
  });
});
