/**
 * The regulator's console: the jobs on the left, the selected job on the
 * right. The list and the detail are fetched once and then kept current from
 * the live stream. A live message carries the summary, the round point and
 * the timeline entry only; who joined or dropped, the privacy spent, the
 * outcome and the downloads come with the full detail. So after a message
 * that changes the state or is not a finished round (an admission, a drop,
 * the end), the detail is fetched again, once for a burst of such messages.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { JobDetail as JobDetailData, JobSummary } from '../../api';
import { api } from '../shared/api-client';
import { ApiFailure } from '../shared/api-failure';
import type { ConsoleContext } from '../shared/console-shell';
import { applyJobMessage, type JobMessage } from './apply-job-message';
import { JobDetail } from './job-detail';
import { JobList } from './job-list';
import { SubmitJobForm } from './submit-job-form';
import { useSelectedJob } from './use-selected-job';

const REFETCH_AFTER_MS = 400;

/** A detail fetch in flight, with the live messages for its job that arrived meanwhile. */
interface PendingDetail {
  jobId: string;
  buffered: JobMessage[];
}

export function RegulatorApp({ context }: { context: ConsoleContext }) {
  const { live, reportError } = context;
  const [jobs, setJobs] = useState<JobSummary[] | null>(null);
  const [selected, select] = useSelectedJob();
  const [detail, setDetail] = useState<JobDetailData | null>(null);
  const [detailProblem, setDetailProblem] = useState<string | null>(null);

  const jobsRef = useRef(jobs);
  jobsRef.current = jobs;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const detailRef = useRef(detail);
  detailRef.current = detail;
  const pending = useRef<PendingDetail | null>(null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const loadJobs = useCallback(async () => {
    try {
      const answer = await api.get<{ jobs: JobSummary[] }>('/api/jobs');
      setJobs(answer.jobs);
    } catch (err) {
      reportError(err);
    }
  }, [reportError]);

  const loadDetail = useCallback(
    async (jobId: string) => {
      const request: PendingDetail = { jobId, buffered: [] };
      pending.current = request;
      try {
        const fetched = await api.get<JobDetailData>(`/api/jobs/${encodeURIComponent(jobId)}`);
        if (pending.current !== request || selectedRef.current !== jobId) return;
        setDetail(request.buffered.reduce(applyJobMessage, fetched));
        setDetailProblem(null);
      } catch (err) {
        if (pending.current !== request || selectedRef.current !== jobId) return;
        // An unknown job (an old link, or a job whose folder is not there yet) is said in place, not as an alarm.
        if (err instanceof ApiFailure && err.status === 404) setDetailProblem(err.message);
        else reportError(err);
      } finally {
        if (pending.current === request) pending.current = null;
      }
    },
    [reportError],
  );

  const refetchSoon = useCallback(
    (jobId: string) => {
      clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(() => {
        if (selectedRef.current === jobId) void loadDetail(jobId);
      }, REFETCH_AFTER_MS);
    },
    [loadDetail],
  );

  useEffect(() => {
    void loadJobs();
    return () => clearTimeout(refetchTimer.current);
  }, [loadJobs]);

  useEffect(() => {
    if (selected === null && jobs !== null && jobs.length > 0) select(jobs[0].jobId, true);
  }, [jobs, selected, select]);

  useEffect(() => {
    if (selected === null) return;
    if (detailRef.current?.summary.jobId !== selected) {
      setDetail(null);
      setDetailProblem(null);
    }
    void loadDetail(selected);
  }, [selected, loadDetail]);

  const onJobMessage = useCallback(
    (message: JobMessage) => {
      const list = jobsRef.current;
      if (list !== null) {
        if (list.some((job) => job.jobId === message.jobId)) {
          const updated = list.map((job) => (job.jobId === message.jobId ? message.summary : job));
          jobsRef.current = updated;
          setJobs(updated);
        } else {
          void loadJobs();
        }
      }
      if (message.jobId !== selectedRef.current) return;
      if (pending.current?.jobId === message.jobId) pending.current.buffered.push(message);
      const shown = detailRef.current;
      if (shown === null || shown.summary.jobId !== message.jobId) {
        // The detail was not there yet (a job submitted a moment ago answers 404 until its folder appears).
        if (pending.current === null) refetchSoon(message.jobId);
        return;
      }
      const next = applyJobMessage(shown, message);
      detailRef.current = next;
      setDetail(next);
      if (shown.summary.state !== message.summary.state || message.round === null) refetchSoon(message.jobId);
    },
    [loadJobs, refetchSoon],
  );

  useEffect(
    () =>
      live.subscribe((signal) => {
        if (signal.kind === 'job') onJobMessage(signal);
        else if (signal.kind === 'jobs' || signal.kind === 'resync') {
          void loadJobs();
          if (selectedRef.current !== null) void loadDetail(selectedRef.current);
        }
      }),
    [live, onJobMessage, loadJobs, loadDetail],
  );

  const onSubmitted = (jobId: string): void => {
    select(jobId);
    void loadJobs();
  };

  return (
    <div class="regulator-layout">
      <aside class="sidebar">
        <SubmitJobForm onSubmitted={onSubmitted} />
        <JobList jobs={jobs} selected={selected} onSelect={(jobId) => select(jobId)} />
      </aside>
      <div class="main-column">
        {detail !== null ? (
          <JobDetail detail={detail} />
        ) : (
          <section class="card placeholder">
            <p class="muted">{detailPlaceholder(selected, detailProblem, jobs)}</p>
          </section>
        )}
      </div>
    </div>
  );
}

function detailPlaceholder(selected: string | null, problem: string | null, jobs: JobSummary[] | null): string {
  if (problem !== null) return problem;
  if (selected !== null) return `Loading ${selected}…`;
  if (jobs !== null && jobs.length === 0) return 'No job yet. Submit a job spec to start one.';
  return 'Choose a job on the left.';
}
