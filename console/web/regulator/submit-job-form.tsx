/**
 * Submits a job spec file as the regulator wrote it. The file is read in the
 * browser and sent as YAML text; the server validates it and, when a field
 * is wrong, says which one, and that message is shown as it came.
 */
import { useRef, useState } from 'preact/hooks';
import type { SubmitAccepted, SubmitRequest } from '../../api';
import { api } from '../shared/api-client';

type Result = { ok: true; text: string } | { ok: false; text: string } | null;

export function SubmitJobForm({ onSubmitted }: { onSubmitted(jobId: string): void }) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result>(null);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) {
      setResult({ ok: false, text: 'Choose a job spec file (.yaml or .yml) first.' });
      return;
    }
    setBusy(true);
    setResult(null);
    try {
      const body: SubmitRequest = { specYaml: await file.text() };
      const accepted = await api.post<SubmitAccepted>('/api/jobs', body);
      setResult({ ok: true, text: `submitted ${accepted.jobId}` });
      if (fileRef.current) fileRef.current.value = '';
      onSubmitted(accepted.jobId);
    } catch (err) {
      setResult({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card">
      <h2 class="card-title">Submit a job</h2>
      <form class="submit-form" onSubmit={submit}>
        <input
          ref={fileRef}
          class="file-input"
          type="file"
          accept=".yaml,.yml"
          aria-label="Job spec file"
          data-testid="submit-spec-file"
          onChange={() => setResult(null)}
        />
        <button class="button primary" type="submit" disabled={busy} data-testid="submit-spec-button">
          {busy ? 'Submitting…' : 'Submit'}
        </button>
      </form>
      {result !== null && (
        <p class={result.ok ? 'submit-result good' : 'submit-result form-error'} role={result.ok ? 'status' : 'alert'} data-testid="submit-result">
          {result.text}
        </p>
      )}
    </section>
  );
}
