/**
 * The bar across the top of a console: whose console it is, who is signed
 * in, whether live updates are flowing, and the way out.
 */
import type { SessionInfo } from '../../api';
import type { LiveStatus } from './use-live-updates';

interface ConsoleHeaderProps {
  session: SessionInfo;
  live: LiveStatus;
  onLogout(): void;
}

const LIVE_TEXT: Record<LiveStatus, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
};

export function ConsoleHeader({ session, live, onLogout }: ConsoleHeaderProps) {
  const kind = session.console === 'regulator' ? 'Regulator console' : 'Organisation console';
  return (
    <header class="console-header">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true" />
        <span class="brand-name">Shoal</span>
        <span class="brand-kind">{kind}</span>
      </div>
      <h1 class="console-title" data-testid="console-title">
        {session.title}
      </h1>
      <div class="header-tools">
        <span class={`live-status live-${live}`} title="Live updates from the server">
          <span class="live-dot" aria-hidden="true" />
          <span data-testid="live-status">{LIVE_TEXT[live]}</span>
        </span>
        <span class="header-user" title="Signed in as">
          {session.user}
        </span>
        <button class="button subtle" type="button" data-testid="logout" onClick={onLogout}>
          Log out
        </button>
      </div>
    </header>
  );
}
