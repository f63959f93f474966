/**
 * The control plane as a small interface: JSON messages on subjects, with
 * request/reply. Two adapters: NATS (real deployments, integration tests) and
 * in-process (the zero-install simulation). Subjects live in subjects.ts.
 */
export interface BusMessage<T = unknown> {
  subject: string;
  data: T;
  /** Answers a request; false when the message was not a request. */
  respond(data: unknown): boolean;
}

export interface BusSubscription<T = unknown> extends AsyncIterable<BusMessage<T>> {
  unsubscribe(): void;
}

export interface Bus {
  publish(subject: string, data: unknown): void;
  /** `*` matches one subject token, `>` the rest (NATS semantics). */
  subscribe<T = unknown>(subject: string): BusSubscription<T>;
  /** Rejects with code BUS_NO_RESPONDERS when nobody listens, BUS_TIMEOUT when nobody answered in time. */
  request<T = unknown>(subject: string, data: unknown, timeoutMs: number): Promise<T>;
  /** Delivers everything already published, then closes. */
  close(): Promise<void>;
}
