/**
 * A data steward's console for their organisation's agent: the overview and
 * budgets on the left; on the right what waits for them (offers, then round
 * outputs) and the audit trail. Each view is fetched once and again whenever
 * the agent says it changed; after the steward acts, the views the action
 * touches are fetched again at once rather than waiting for that message.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { AuditPage, AuditVerificationView, DecisionRequest, OrganisationOverview, QueueView, ReleaseRequest } from '../../api';
import { api } from '../shared/api-client';
import type { ConsoleContext } from '../shared/console-shell';
import { AuditView } from './audit-view';
import { OverviewPanel } from './overview-panel';
import { PendingOffers } from './pending-offers';
import { ReleaseList } from './release-list';

type View = 'queue' | 'audit' | 'organisation';

const AUDIT_LIMIT = 200;

export function OrganisationApp({ context }: { context: ConsoleContext }) {
  const { live, reportError, clearError } = context;
  const [overview, setOverview] = useState<OrganisationOverview | null>(null);
  const [queue, setQueue] = useState<QueueView | null>(null);
  const [audit, setAudit] = useState<AuditPage | null>(null);
  const [verification, setVerification] = useState<AuditVerificationView | null>(null);
  const [verifying, setVerifying] = useState(false);

  const loaders = useMemo<Record<View, () => Promise<void>>>(() => {
    const load = <T,>(path: string, set: (value: T) => void) => async (): Promise<void> => {
      try {
        set(await api.get<T>(path));
      } catch (err) {
        reportError(err);
      }
    };
    return {
      organisation: load<OrganisationOverview>('/api/organisation', setOverview),
      queue: load<QueueView>('/api/queue', setQueue),
      audit: load<AuditPage>(`/api/audit?limit=${AUDIT_LIMIT}`, setAudit),
    };
  }, [reportError]);

  const reload = useCallback((views: View[]) => Promise.all(views.map((view) => loaders[view]())), [loaders]);

  useEffect(() => {
    void reload(['organisation', 'queue', 'audit']);
  }, [reload]);

  useEffect(
    () =>
      live.subscribe((signal) => {
        if (signal.kind === 'changed') void reload(signal.views.filter((view) => view in loaders));
        else if (signal.kind === 'resync') void reload(['organisation', 'queue', 'audit']);
      }),
    [live, reload, loaders],
  );

  const decide = async (jobId: string, offerSha256: string, approve: boolean, reason: string): Promise<boolean> => {
    const body: DecisionRequest = { offerSha256, approve, reason };
    try {
      await api.post(`/api/queue/offers/${encodeURIComponent(jobId)}/decision`, body);
      clearError();
      await reload(['queue', 'organisation', 'audit']);
      return true;
    } catch (err) {
      reportError(err);
      return false;
    }
  };

  const release = async (jobId: string, round: number, reason: string): Promise<boolean> => {
    const body: ReleaseRequest = { reason };
    try {
      await api.post(`/api/queue/releases/${encodeURIComponent(jobId)}/${round}`, body);
      clearError();
      await reload(['queue', 'audit']);
      return true;
    } catch (err) {
      reportError(err);
      return false;
    }
  };

  const verify = async (): Promise<void> => {
    setVerifying(true);
    try {
      setVerification(await api.post<AuditVerificationView>('/api/audit/verify', {}));
    } catch (err) {
      reportError(err);
    } finally {
      setVerifying(false);
    }
  };

  return (
    <div class="organisation-layout">
      <aside class="sidebar">
        <OverviewPanel overview={overview} />
      </aside>
      <div class="main-column">
        <PendingOffers queue={queue} onDecide={decide} />
        <ReleaseList releases={queue === null ? null : queue.releases} onRelease={release} />
        <AuditView page={audit} verification={verification} verifying={verifying} onVerify={() => void verify()} />
      </div>
    </div>
  );
}
