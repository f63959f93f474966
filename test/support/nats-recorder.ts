/** Records the subjects of every message published under a wildcard, straight from the NATS server. */
import { connect, type NatsConnection } from 'nats';
import type { TlsFiles } from '../../common/pki';

export class NatsRecorder {
  readonly subjects: string[] = [];

  private constructor(private readonly connection: NatsConnection) {}

  /** `tls`: an observer's certificate (test-pki.ts), which may read every subject. */
  static async start(url: string, subject: string, tls: TlsFiles): Promise<NatsRecorder> {
    const recorder = new NatsRecorder(await connect({ servers: url, name: 'test-recorder', tls: { caFile: tls.ca, certFile: tls.cert, keyFile: tls.key } }));
    const subscription = recorder.connection.subscribe(subject);
    void (async () => {
      for await (const message of subscription) recorder.subjects.push(message.subject);
    })();
    // The subscription is registered at the server once a round trip has completed.
    await recorder.connection.flush();
    return recorder;
  }

  async stop(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.flush();
    await this.connection.drain();
  }
}
